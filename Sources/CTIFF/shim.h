// Typed wrappers around libtiff for Swift.
//
// Why this header exists:
// - TIFFGetField/TIFFSetField are variadic; Swift does not import C variadic
//   functions, so each value type gets a small static inline wrapper. Values
//   that libtiff reads as uint16 through varargs are passed as `int` (default
//   argument promotion), as libtiff's documentation requires.
// - libtiff reports problems through printf-style handlers taking a va_list.
//   The per-handle handlers below format the message in C and store it in a
//   `dm_tiff_diagnostics` owned by the Swift caller, so concurrent files never
//   share global state and nothing is printed to stderr.
#ifndef DENDROMETER_CTIFF_SHIM_H
#define DENDROMETER_CTIFF_SHIM_H

#include <tiffio.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>

/// Errors and warnings collected for one TIFF handle.
typedef struct dm_tiff_diagnostics {
    int error_count;
    int warning_count;
    char first_error[512];
    char last_warning[512];
} dm_tiff_diagnostics;

static int dm_tiff_error_handler(TIFF *tif, void *user_data, const char *module,
                                 const char *fmt, va_list ap) {
    (void)tif;
    dm_tiff_diagnostics *d = (dm_tiff_diagnostics *)user_data;
    if (d == NULL) return 1;
    if (d->error_count == 0) {
        char msg[448];
        vsnprintf(msg, sizeof msg, fmt, ap);
        if (module && module[0]) snprintf(d->first_error, sizeof d->first_error, "%s: %s", module, msg);
        else snprintf(d->first_error, sizeof d->first_error, "%s", msg);
    }
    d->error_count += 1;
    return 1; // handled: do not call the global handler
}

static int dm_tiff_warning_handler(TIFF *tif, void *user_data, const char *module,
                                   const char *fmt, va_list ap) {
    (void)tif;
    dm_tiff_diagnostics *d = (dm_tiff_diagnostics *)user_data;
    if (d == NULL) return 1;
    // Vendor tags (FEI 34682, Zeiss 34118, ...) are unknown to libtiff by
    // design; we read them on purpose, so their warning is not news.
    if (fmt != NULL && strstr(fmt, "Unknown field with tag") != NULL) return 1;
    char msg[448];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (module && module[0]) snprintf(d->last_warning, sizeof d->last_warning, "%s: %s", module, msg);
    else snprintf(d->last_warning, sizeof d->last_warning, "%s", msg);
    d->warning_count += 1;
    return 1;
}

/// Silences libtiff's process-wide handlers (anything not routed per handle).
static inline void dm_tiff_silence_global_handlers(void) {
    TIFFSetErrorHandler(NULL);
    TIFFSetWarningHandler(NULL);
}

/// Opens `path` with per-handle handlers writing into `diag` and a cap on any
/// single allocation libtiff makes (bytes; 0 = libtiff's default).
static inline TIFF *dm_tiff_open(const char *path, const char *mode,
                                 dm_tiff_diagnostics *diag, tmsize_t max_single_alloc) {
    TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
    if (opts == NULL) return NULL;
    TIFFOpenOptionsSetErrorHandlerExtR(opts, dm_tiff_error_handler, diag);
    TIFFOpenOptionsSetWarningHandlerExtR(opts, dm_tiff_warning_handler, diag);
    if (max_single_alloc > 0) TIFFOpenOptionsSetMaxSingleMemAlloc(opts, max_single_alloc);
    TIFF *tif = TIFFOpenExt(path, mode, opts);
    TIFFOpenOptionsFree(opts);
    return tif;
}

// MARK: - Getters (return 1 when the tag is present)

static inline int dm_tiff_get_u32(TIFF *tif, uint32_t tag, uint32_t *value) {
    return TIFFGetField(tif, tag, value);
}
static inline int dm_tiff_get_u16(TIFF *tif, uint32_t tag, uint16_t *value) {
    return TIFFGetField(tif, tag, value);
}
static inline int dm_tiff_get_u16_defaulted(TIFF *tif, uint32_t tag, uint16_t *value) {
    return TIFFGetFieldDefaulted(tif, tag, value);
}
static inline int dm_tiff_get_float(TIFF *tif, uint32_t tag, float *value) {
    return TIFFGetField(tif, tag, value);
}
static inline int dm_tiff_get_double(TIFF *tif, uint32_t tag, double *value) {
    return TIFFGetField(tif, tag, value);
}
static inline int dm_tiff_get_string(TIFF *tif, uint32_t tag, const char **value) {
    return TIFFGetField(tif, tag, value);
}
/// ExtraSamples: count and the array of sample kinds.
static inline int dm_tiff_get_extrasamples(TIFF *tif, uint16_t *count, const uint16_t **kinds) {
    return TIFFGetField(tif, TIFFTAG_EXTRASAMPLES, count, kinds);
}
/// ColorMap: three arrays of 2^bitspersample uint16 entries.
static inline int dm_tiff_get_colormap(TIFF *tif, const uint16_t **r, const uint16_t **g, const uint16_t **b) {
    return TIFFGetField(tif, TIFFTAG_COLORMAP, r, g, b);
}

/// Raw bytes of any tag libtiff knows (registered or auto-registered
/// "anonymous" tags), whatever its declared type. `*count` receives the byte
/// count. Returns 0 when the tag is absent or not byte-addressable.
static inline int dm_tiff_get_raw_bytes(TIFF *tif, uint32_t tag, uint32_t *byte_count, const void **data) {
    // TIFFFindField, unlike TIFFFieldWithTag, does not report an error for
    // tags absent from the file.
    const TIFFField *fip = TIFFFindField(tif, tag, TIFF_ANY);
    if (fip == NULL) return 0;
    int width = TIFFFieldSetGetSize(fip);
    if (width <= 0) width = 1;
    if (TIFFFieldPassCount(fip)) {
        if (TIFFFieldReadCount(fip) == TIFF_VARIABLE2) {
            uint32_t n = 0; const void *p = NULL;
            if (!TIFFGetField(tif, tag, &n, &p)) return 0;
            *byte_count = n * (uint32_t)width; *data = p; return 1;
        } else {
            uint16_t n = 0; const void *p = NULL;
            if (!TIFFGetField(tif, tag, &n, &p)) return 0;
            *byte_count = (uint32_t)n * (uint32_t)width; *data = p; return 1;
        }
    }
    if (TIFFFieldDataType(fip) == TIFF_ASCII) {
        const char *s = NULL;
        if (!TIFFGetField(tif, tag, &s) || s == NULL) return 0;
        *byte_count = (uint32_t)strlen(s); *data = s; return 1;
    }
    return 0;
}

// MARK: - Setters (return 1 on success)

static inline int dm_tiff_set_u32(TIFF *tif, uint32_t tag, uint32_t value) {
    return TIFFSetField(tif, tag, value);
}
static inline int dm_tiff_set_u16(TIFF *tif, uint32_t tag, int value) {
    return TIFFSetField(tif, tag, value);
}
static inline int dm_tiff_set_float(TIFF *tif, uint32_t tag, double value) {
    // Rational tags are read by libtiff as double through varargs.
    return TIFFSetField(tif, tag, value);
}
static inline int dm_tiff_set_string(TIFF *tif, uint32_t tag, const char *value) {
    return TIFFSetField(tif, tag, value);
}
static inline int dm_tiff_set_colormode_rgb(TIFF *tif) {
    return TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
}
static inline int dm_tiff_set_extrasamples(TIFF *tif, int count, const uint16_t *kinds) {
    return TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, count, kinds);
}

/// Writes an ASCII value for a tag libtiff does not know (vendor metadata such
/// as FEI 34682 or Zeiss 34118): the tag is first registered on this handle.
static inline int dm_tiff_set_custom_ascii(TIFF *tif, uint32_t tag, const char *value) {
    if (TIFFFindField(tif, tag, TIFF_ANY) == NULL) {
        static const char *name = "DendrometerVendorTag";
        TIFFFieldInfo info = { (ttag_t)tag, TIFF_VARIABLE, TIFF_VARIABLE, TIFF_ASCII, FIELD_CUSTOM, 1, 0, (char *)name };
        if (TIFFMergeFieldInfo(tif, &info, 1) != 0) return 0;
    }
    return TIFFSetField(tif, tag, value);
}

static inline int dm_tiff_set_colormap(TIFF *tif, const uint16_t *r, const uint16_t *g, const uint16_t *b) {
    return TIFFSetField(tif, TIFFTAG_COLORMAP, r, g, b);
}

#endif
