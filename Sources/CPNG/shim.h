// Safe entry points into libpng for Swift.
//
// libpng reports fatal errors by longjmp-ing out of its error callback, which
// must never cross a Swift frame. Each function below owns its setjmp, runs the
// whole decode or encode in C, and turns errors into a return code plus a
// message in a caller-owned `dm_png_status`. Warnings are counted, never
// printed.
#ifndef DENDROMETER_CPNG_SHIM_H
#define DENDROMETER_CPNG_SHIM_H

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <stdint.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "dm_png_* assume a little-endian host for 16-bit samples"
#endif

typedef struct dm_png_status {
    jmp_buf jump;
    char message[256];
    int warning_count;
    char last_warning[256];
} dm_png_status;

/// Basic facts about a PNG, read from its IHDR.
typedef struct dm_png_info {
    uint32_t width;
    uint32_t height;
    int bit_depth;      // per channel, as stored (1, 2, 4, 8, 16)
    int color_type;     // PNG_COLOR_TYPE_*
    int channels;       // after the transforms requested by dm_png_decode
    int interlaced;
} dm_png_info;

typedef struct dm_png_reader {
    const unsigned char *data;
    size_t size;
    size_t offset;
} dm_png_reader;

static void dm_png_on_error(png_structp png, png_const_charp msg) {
    dm_png_status *st = (dm_png_status *)png_get_error_ptr(png);
    snprintf(st->message, sizeof st->message, "%s", msg ? msg : "unknown libpng error");
    longjmp(st->jump, 1);
}

static void dm_png_on_warning(png_structp png, png_const_charp msg) {
    dm_png_status *st = (dm_png_status *)png_get_error_ptr(png);
    st->warning_count += 1;
    snprintf(st->last_warning, sizeof st->last_warning, "%s", msg ? msg : "");
}

static void dm_png_read_bytes(png_structp png, png_bytep out, png_size_t n) {
    dm_png_reader *r = (dm_png_reader *)png_get_io_ptr(png);
    if (r->offset + n > r->size) png_error(png, "file is truncated");
    memcpy(out, r->data + r->offset, n);
    r->offset += n;
}

/// Reads the header only. Returns 0 on success, -1 on error (message in `st`).
static int dm_png_read_info(const unsigned char *data, size_t size, dm_png_status *st, dm_png_info *info) {
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, st, dm_png_on_error, dm_png_on_warning);
    if (!png) { snprintf(st->message, sizeof st->message, "out of memory"); return -1; }
    png_infop pi = png_create_info_struct(png);
    dm_png_reader reader = { data, size, 0 };
    if (!pi) { png_destroy_read_struct(&png, NULL, NULL); snprintf(st->message, sizeof st->message, "out of memory"); return -1; }
    if (setjmp(st->jump)) { png_destroy_read_struct(&png, &pi, NULL); return -1; }
    png_set_read_fn(png, &reader, dm_png_read_bytes);
    png_read_info(png, pi);
    info->width = png_get_image_width(png, pi);
    info->height = png_get_image_height(png, pi);
    info->bit_depth = png_get_bit_depth(png, pi);
    info->color_type = png_get_color_type(png, pi);
    info->channels = png_get_channels(png, pi);
    info->interlaced = png_get_interlace_type(png, pi) != PNG_INTERLACE_NONE;
    png_destroy_read_struct(&png, &pi, NULL);
    return 0;
}

/// Decodes a whole PNG into `out` (capacity `out_size` bytes). Palette images
/// are expanded to RGB, low bit depths to 8 bits, and 16-bit samples are
/// delivered in host byte order, values unchanged (no gamma correction).
/// `info` receives the layout of `out`: width × height × channels samples of
/// `bit_depth` (8 or 16) bits. Returns 0 on success, -1 on error, -2 when the
/// decoded image would not fit in `out_size` bytes (`info` is filled).
static int dm_png_decode(const unsigned char *data, size_t size, dm_png_status *st,
                         dm_png_info *info, unsigned char *out, size_t out_size,
                         uint32_t max_dimension) {
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, st, dm_png_on_error, dm_png_on_warning);
    if (!png) { snprintf(st->message, sizeof st->message, "out of memory"); return -1; }
    png_infop pi = png_create_info_struct(png);
    png_bytep *volatile rows = NULL;
    dm_png_reader reader = { data, size, 0 };
    if (!pi) { png_destroy_read_struct(&png, NULL, NULL); snprintf(st->message, sizeof st->message, "out of memory"); return -1; }
    if (setjmp(st->jump)) { free(rows); png_destroy_read_struct(&png, &pi, NULL); return -1; }
    png_set_read_fn(png, &reader, dm_png_read_bytes);
    png_set_user_limits(png, max_dimension, max_dimension);
    png_read_info(png, pi);
    int color = png_get_color_type(png, pi);
    int depth = png_get_bit_depth(png, pi);
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, pi, PNG_INFO_tRNS)) png_set_strip_alpha(png);
    if (depth == 16) png_set_swap(png); // PNG is big-endian; deliver host (little-endian) order
    png_set_interlace_handling(png);
    png_read_update_info(png, pi);
    info->width = png_get_image_width(png, pi);
    info->height = png_get_image_height(png, pi);
    info->bit_depth = png_get_bit_depth(png, pi);
    info->color_type = color;
    info->channels = png_get_channels(png, pi);
    info->interlaced = png_get_interlace_type(png, pi) != PNG_INTERLACE_NONE;
    size_t rowbytes = png_get_rowbytes(png, pi);
    if (rowbytes == 0 || (size_t)info->height > out_size / rowbytes) {
        png_destroy_read_struct(&png, &pi, NULL);
        return -2;
    }
    rows = (png_bytep *)malloc(sizeof(png_bytep) * info->height);
    if (!rows) { png_destroy_read_struct(&png, &pi, NULL); snprintf(st->message, sizeof st->message, "out of memory"); return -1; }
    for (uint32_t y = 0; y < info->height; y++) rows[y] = out + (size_t)y * rowbytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    png_destroy_read_struct(&png, &pi, NULL);
    return 0;
}

typedef struct dm_png_writer {
    unsigned char *data;
    size_t size;
    size_t capacity;
    int failed;
} dm_png_writer;

static void dm_png_write_bytes(png_structp png, png_bytep in, png_size_t n) {
    dm_png_writer *w = (dm_png_writer *)png_get_io_ptr(png);
    if (w->size + n > w->capacity) {
        size_t cap = w->capacity ? w->capacity : 65536;
        while (cap < w->size + n) cap *= 2;
        unsigned char *p = (unsigned char *)realloc(w->data, cap);
        if (!p) { w->failed = 1; png_error(png, "out of memory"); }
        w->data = p; w->capacity = cap;
    }
    memcpy(w->data + w->size, in, n);
    w->size += n;
}
static void dm_png_flush(png_structp png) { (void)png; }

/// Encodes `pixels` (row-major, `channels` interleaved samples of `bit_depth`
/// 8 or 16 bits, 16-bit in host order) as PNG into `*out` (malloc'ed; free
/// with `dm_png_free`). `channels` is 1 (gray), 3 (RGB) or 4 (RGBA).
/// `compression_level` is zlib's 0–9; `filters` a mask of PNG_FILTER_* row
/// filters libpng may choose from (PNG_ALL_FILTERS: adaptive, slowest).
/// Returns 0 on success, -1 on error.
static int dm_png_encode(const unsigned char *pixels, uint32_t width, uint32_t height,
                         int channels, int bit_depth, int compression_level, int filters,
                         dm_png_status *st, unsigned char **out, size_t *out_size) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, st, dm_png_on_error, dm_png_on_warning);
    if (!png) { snprintf(st->message, sizeof st->message, "out of memory"); return -1; }
    png_infop pi = png_create_info_struct(png);
    dm_png_writer writer = { NULL, 0, 0, 0 };
    if (!pi) { png_destroy_write_struct(&png, NULL); snprintf(st->message, sizeof st->message, "out of memory"); return -1; }
    if (setjmp(st->jump)) { free(writer.data); png_destroy_write_struct(&png, &pi); return -1; }
    int color = channels == 1 ? PNG_COLOR_TYPE_GRAY : channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA;
    png_set_write_fn(png, &writer, dm_png_write_bytes, dm_png_flush);
    png_set_compression_level(png, compression_level);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, filters);
    png_set_IHDR(png, pi, width, height, bit_depth, color, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, pi);
    if (bit_depth == 16) png_set_swap(png);
    size_t rowbytes = (size_t)width * (size_t)channels * (size_t)(bit_depth / 8);
    for (uint32_t y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(pixels + (size_t)y * rowbytes));
    png_write_end(png, pi);
    png_destroy_write_struct(&png, &pi);
    *out = writer.data;
    *out_size = writer.size;
    return 0;
}

static inline void dm_png_free(unsigned char *p) { free(p); }

#endif
