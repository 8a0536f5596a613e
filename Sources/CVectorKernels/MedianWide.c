// Median of 3×3 and 5×5 windows on UInt8 / UInt16 rows with AVX2 or
// AVX-512BW: the same two passes and the same networks as the portable Swift
// kernel (Sources/DendrometerFilters/MedianVectorised.swift, which documents
// them): a column sort into level lines (3 or 9 compare-swaps per column),
// then the selection from sorted columns — Paeth's med3(max of lows, med3 of
// mids, min of highs) for 3×3 (A. Paeth, Graphics Gems, 1990) and the pruned
// 100-min/max network of Median25Network.h for 5×5 — on 32 or 64 UInt8 (16 or
// 32 UInt16) lanes per instruction instead of 16 (8). Results are
// bit-identical to the Swift kernel: MedianFilterTests compares every shape
// on every instruction set the machine has, and re-proves both networks on
// all 0-1 inputs through these functions.
//
// Rows of n ≥ lanes samples are covered by whole vectors; the last vector is
// moved back to end at n (its overlap recomputes the same values).

#include "CVectorKernels.h"
#include "Median25Network.h"

#if defined(__x86_64__)

#include <immintrin.h>

// Compare-swap: afterwards a ≤ b lane-wise.
#define CS(a, b) do { V lo_ = MN(a, b); b = MX(a, b); a = lo_; } while (0)
// Median of three: max(min(a, b), min(max(a, b), c)).
#define MED3(a, b, c) MX(MN(a, b), MN(MX(a, b), c))

// The 25 loads cJI = level I of column J of the 5×5 window at p.
#define LOAD_LEVELS5(p, pitch)                                                                     \
    const T *q1 = p + pitch, *q2 = p + 2 * pitch, *q3 = p + 3 * pitch, *q4 = p + 4 * pitch;         \
    V c00 = LOAD(p), c10 = LOAD(p + 1), c20 = LOAD(p + 2), c30 = LOAD(p + 3), c40 = LOAD(p + 4);    \
    V c01 = LOAD(q1), c11 = LOAD(q1 + 1), c21 = LOAD(q1 + 2), c31 = LOAD(q1 + 3), c41 = LOAD(q1 + 4); \
    V c02 = LOAD(q2), c12 = LOAD(q2 + 1), c22 = LOAD(q2 + 2), c32 = LOAD(q2 + 3), c42 = LOAD(q2 + 4); \
    V c03 = LOAD(q3), c13 = LOAD(q3 + 1), c23 = LOAD(q3 + 2), c33 = LOAD(q3 + 3), c43 = LOAD(q3 + 4); \
    V c04 = LOAD(q4), c14 = LOAD(q4 + 1), c24 = LOAD(q4 + 2), c34 = LOAD(q4 + 3), c44 = LOAD(q4 + 4);

// Both passes, written once over TARGET, V, LOAD, STORE, MN, MX and the sample
// type T; NAME(x) names this instantiation's functions.
#define DEFINE_MEDIAN_KERNELS(NAME, LANES)                                                         \
TARGET static V NAME(median25)(const T *p, size_t pitch) {                                         \
    LOAD_LEVELS5(p, pitch)                                                                         \
    DM_NETWORK25                                                                                   \
    return t100;                                                                                   \
}                                                                                                  \
TARGET static void NAME(sort)(const T *const *rows, int side, size_t n, T *levels, size_t pitch) { \
    /* Local copies: the stores below cannot alias them, so they stay in registers. */             \
    const T *r0 = rows[0], *r1 = rows[1], *r2 = rows[2];                                           \
    const T *r3 = side == 5 ? rows[3] : r2, *r4 = side == 5 ? rows[4] : r2;                        \
    for (size_t x = 0; x < n; x += LANES) {                                                        \
        if (x + LANES > n) x = n - LANES;                                                          \
        if (side == 3) {                                                                           \
            V a = LOAD(r0 + x), b = LOAD(r1 + x), c = LOAD(r2 + x);                                \
            CS(a, b); CS(b, c); CS(a, b);                                                          \
            STORE(levels + x, a); STORE(levels + pitch + x, b); STORE(levels + 2 * pitch + x, c);  \
        } else {                                                                                   \
            V v0 = LOAD(r0 + x), v1 = LOAD(r1 + x), v2 = LOAD(r2 + x);                             \
            V v3 = LOAD(r3 + x), v4 = LOAD(r4 + x);                                                \
            CS(v0, v1); CS(v3, v4); CS(v2, v4); CS(v2, v3); CS(v1, v4);                            \
            CS(v0, v3); CS(v0, v2); CS(v1, v3); CS(v1, v2);                                        \
            STORE(levels + x, v0); STORE(levels + pitch + x, v1); STORE(levels + 2 * pitch + x, v2); \
            STORE(levels + 3 * pitch + x, v3); STORE(levels + 4 * pitch + x, v4);                  \
        }                                                                                          \
    }                                                                                              \
}                                                                                                  \
TARGET static void NAME(select)(const T *levels, size_t pitch, int side, size_t n, T *out) {       \
    const T *l0 = levels, *l1 = levels + pitch, *l2 = levels + 2 * pitch;                          \
    for (size_t x = 0; x < n; x += LANES) {                                                        \
        if (x + LANES > n) x = n - LANES;                                                          \
        if (side == 3) {                                                                           \
            V lows = MX(MX(LOAD(l0 + x), LOAD(l0 + x + 1)), LOAD(l0 + x + 2));                     \
            V mids = MED3(LOAD(l1 + x), LOAD(l1 + x + 1), LOAD(l1 + x + 2));                       \
            V highs = MN(MN(LOAD(l2 + x), LOAD(l2 + x + 1)), LOAD(l2 + x + 2));                    \
            STORE(out + x, MED3(lows, mids, highs));                                               \
        } else {                                                                                   \
            STORE(out + x, NAME(median25)(levels + x, pitch));                                     \
        }                                                                                          \
    }                                                                                              \
}

#define u8_avx2(f) f##_u8_avx2
#define u8_avx512(f) f##_u8_avx512
#define u16_avx2(f) f##_u16_avx2
#define u16_avx512(f) f##_u16_avx512

// 256-bit vectors.
#define TARGET __attribute__((target("avx2")))
#define V __m256i
#define LOAD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define STORE(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), (v))
#define T uint8_t
#define MN _mm256_min_epu8
#define MX _mm256_max_epu8
DEFINE_MEDIAN_KERNELS(u8_avx2, 32)
#undef T
#undef MN
#undef MX
#define T uint16_t
#define MN _mm256_min_epu16
#define MX _mm256_max_epu16
DEFINE_MEDIAN_KERNELS(u16_avx2, 16)
#undef T
#undef MN
#undef MX
#undef TARGET
#undef V
#undef LOAD
#undef STORE

// 512-bit vectors.
#define TARGET __attribute__((target("avx512bw")))
#define V __m512i
#define LOAD(p) _mm512_loadu_si512((const void *)(p))
#define STORE(p, v) _mm512_storeu_si512((void *)(p), (v))
#define T uint8_t
#define MN _mm512_min_epu8
#define MX _mm512_max_epu8
DEFINE_MEDIAN_KERNELS(u8_avx512, 64)
#undef T
#undef MN
#undef MX
#define T uint16_t
#define MN _mm512_min_epu16
#define MX _mm512_max_epu16
DEFINE_MEDIAN_KERNELS(u16_avx512, 32)
#undef T
#undef MN
#undef MX

void dm_median_sort_columns_u8(dm_isa isa, const uint8_t *const *rows, int side, size_t n,
                               uint8_t *levels, size_t pitch) {
    if (isa == DM_ISA_AVX512BW) sort_u8_avx512(rows, side, n, levels, pitch);
    else sort_u8_avx2(rows, side, n, levels, pitch);
}

void dm_median_sort_columns_u16(dm_isa isa, const uint16_t *const *rows, int side, size_t n,
                                uint16_t *levels, size_t pitch) {
    if (isa == DM_ISA_AVX512BW) sort_u16_avx512(rows, side, n, levels, pitch);
    else sort_u16_avx2(rows, side, n, levels, pitch);
}

void dm_median_select_u8(dm_isa isa, const uint8_t *levels, size_t pitch, int side, size_t n, uint8_t *out) {
    if (isa == DM_ISA_AVX512BW) select_u8_avx512(levels, pitch, side, n, out);
    else select_u8_avx2(levels, pitch, side, n, out);
}

void dm_median_select_u16(dm_isa isa, const uint16_t *levels, size_t pitch, int side, size_t n, uint16_t *out) {
    if (isa == DM_ISA_AVX512BW) select_u16_avx512(levels, pitch, side, n, out);
    else select_u16_avx2(levels, pitch, side, n, out);
}

#else   // not x86-64: the Swift kernels run, and the functions below are never called.

void dm_median_sort_columns_u8(dm_isa isa, const uint8_t *const *rows, int side, size_t n,
                               uint8_t *levels, size_t pitch) {
    (void)isa; (void)rows; (void)side; (void)n; (void)levels; (void)pitch; __builtin_trap();
}
void dm_median_sort_columns_u16(dm_isa isa, const uint16_t *const *rows, int side, size_t n,
                                uint16_t *levels, size_t pitch) {
    (void)isa; (void)rows; (void)side; (void)n; (void)levels; (void)pitch; __builtin_trap();
}
void dm_median_select_u8(dm_isa isa, const uint8_t *levels, size_t pitch, int side, size_t n, uint8_t *out) {
    (void)isa; (void)levels; (void)pitch; (void)side; (void)n; (void)out; __builtin_trap();
}
void dm_median_select_u16(dm_isa isa, const uint16_t *levels, size_t pitch, int side, size_t n, uint16_t *out) {
    (void)isa; (void)levels; (void)pitch; (void)side; (void)n; (void)out; __builtin_trap();
}

#endif
