// zlib (deflate, Adler-32, CRC-32) for DendrometerIO's parallel PNG encoder.
#include <zlib.h>

/// `deflateInit2` is a macro in zlib.h; this wrapper makes it callable from
/// Swift: a raw deflate stream (no zlib header) at `level` 0–9 with `strategy`
/// (Z_DEFAULT_STRATEGY, Z_RLE, ...).
static inline int dm_deflate_init_raw(z_stream *strm, int level, int strategy) {
    return deflateInit2(strm, level, Z_DEFLATED, -15, 8, strategy);
}
