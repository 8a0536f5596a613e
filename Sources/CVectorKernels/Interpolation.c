// The feature pyramid's bilinear interpolation back to full resolution
// (DendrometerLearning/FeatureComputation.swift), in two steps:
//   along x, a level row to full width: full-resolution x = k·D + j lies
//     between level samples k and k + 1 (the last one repeated) at weight j/D:
//     out[x] = a + j·((b − a)·(1/D)),  a = src[k], b = src[min(k + 1, n − 1)];
//   along y, a full-resolution row between two such rows:
//     out[x] = (a[x] + fv·(b[x] − a[x]))·scale,
//     with scale the level's unit change (1, 1/D or 1/D²).
// Every lane does the same IEEE operations in the same order, without FMA,
// on every kernel, so all instruction sets give the same bits.

#include "CVectorKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#pragma clang fp contract(off)

static void upsample_portable(const float *src, size_t levelWidth, size_t d, size_t from, size_t n, float *out) {
    const float inverse = 1.0f / (float)d;
    for (size_t x = from; x < n; x++) {
        const size_t k = x / d, j = x - k * d;
        const float a = src[k], b = src[k + 1 < levelWidth ? k + 1 : k];
        out[x] = a + (float)j * ((b - a) * inverse);
    }
}

static void lerp_portable(const float *a, const float *b, size_t n, float fv, float scale, float *out) {
    for (size_t x = 0; x < n; x++) out[x] = (a[x] + fv * (b[x] - a[x])) * scale;
}

#if defined(__x86_64__)
// The vertical step on LANES-wide vectors, then the portable loop for the rest.
#define DEFINE_LERP(NAME, TARGET, V, LANES, LOAD, STORE, ADD, SUB, MUL, SET1)                         \
TARGET static void NAME(const float *a, const float *b, size_t n, float fv, float scale, float *out) { \
    const V f = SET1(fv), s = SET1(scale);                                                          \
    size_t x = 0;                                                                                   \
    for (; x + LANES <= n; x += LANES) {                                                            \
        const V va = LOAD(a + x), vb = LOAD(b + x);                                                 \
        STORE(out + x, MUL(ADD(va, MUL(f, SUB(vb, va))), s));                                       \
    }                                                                                               \
    lerp_portable(a + x, b + x, n - x, fv, scale, out + x);                                         \
}

DEFINE_LERP(lerp_avx512, __attribute__((target("avx512f"))), __m512, 16, _mm512_loadu_ps, _mm512_storeu_ps,
            _mm512_add_ps, _mm512_sub_ps, _mm512_mul_ps, _mm512_set1_ps)
DEFINE_LERP(lerp_avx2, __attribute__((target("avx2"))), __m256, 8, _mm256_loadu_ps, _mm256_storeu_ps,
            _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps, _mm256_set1_ps)

/// d a power of 2 (2 ... 16). Sixteen outputs x0 ... x0 + 15 read level samples
/// k0 = x0/d ... k0 + 15/d + 1, all within one 16-lane load from k0, picked by
/// a permutation.
__attribute__((target("avx512f"))) static void upsample_avx512(const float *src, size_t levelWidth, size_t d,
                                                               size_t n, float *out) {
    const float inverse = 1.0f / (float)d;
    const unsigned shift = (unsigned)__builtin_ctzll(d);
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i low = _mm512_srli_epi32(lane, shift);                      // k − k0
    const __m512i high = _mm512_add_epi32(low, _mm512_set1_epi32(1));        // k + 1 − k0
    const __m512 weight = _mm512_cvtepi32_ps(_mm512_and_si512(lane, _mm512_set1_epi32((int)d - 1)));
    const __m512 inv = _mm512_set1_ps(inverse);
    size_t x = 0;
    // Stop while k0 + 16 ≤ levelWidth − 1, so every k + 1 read is a real sample (no repeat).
    for (; x + 16 <= n && x / d + 16 < levelWidth; x += 16) {
        const __m512 window = _mm512_loadu_ps(src + x / d);
        const __m512 a = _mm512_permutexvar_ps(low, window), b = _mm512_permutexvar_ps(high, window);
        _mm512_storeu_ps(out + x, _mm512_add_ps(a, _mm512_mul_ps(weight, _mm512_mul_ps(_mm512_sub_ps(b, a), inv))));
    }
    upsample_portable(src, levelWidth, d, x, n, out);
}

#endif

void dm_upsample_row_f32(dm_isa isa, const float *src, size_t levelWidth, size_t d, size_t n, float *out) {
#if defined(__x86_64__)
    if (isa == DM_ISA_AVX512BW && d >= 2 && d <= 16 && (d & (d - 1)) == 0) {
        upsample_avx512(src, levelWidth, d, n, out);
        return;
    }
#endif
    (void)isa;
    upsample_portable(src, levelWidth, d, 0, n, out);
}

void dm_lerp_rows_f32(dm_isa isa, const float *a, const float *b, size_t n, float fv, float scale, float *out) {
#if defined(__x86_64__)
    if (isa == DM_ISA_AVX512BW) { lerp_avx512(a, b, n, fv, scale, out); return; }
    if (isa == DM_ISA_AVX2) { lerp_avx2(a, b, n, fv, scale, out); return; }
#endif
    (void)isa;
    lerp_portable(a, b, n, fv, scale, out);
}
