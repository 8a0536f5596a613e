// One output line of a symmetric (even) or antisymmetric (odd) 1-D kernel
// applied across a stack of lines, on 256-bit (AVX2) or 512-bit (AVX-512F)
// vectors: the wide twin of applyKernel in
// Sources/DendrometerFilters/SeparableFilter.swift, used by the Gaussian,
// Gaussian-derivative and structure-tensor passes.
//   even: out[i] = t0·lo0[i] + Σk tk·(lok[i] + hik[i])
//   odd:  out[i] = 0 + Σk tk·(hik[i] − lok[i])
// Each lane does exactly the Swift kernel's IEEE operations in the same order
// (separate multiply and add: no FMA, which would round differently), so the
// output is bit-identical on every machine whichever kernels run;
// SeparableFilterTests compares them bit for bit.
//
// Rows of n ≥ lanes samples are covered by whole vectors; the last vector is
// moved back to end at n (output i depends only on inputs at i).

#include "CVectorKernels.h"

#if defined(__x86_64__)

#include <immintrin.h>

// Multiply and add stay two roundings, as in the Swift kernel.
#pragma clang fp contract(off)

#define DEFINE_FIR(NAME, TARGET, V, LANES, LOAD, STORE, MUL, ADD, SUB, SET1, ZERO)                  \
TARGET static void NAME(const float *t, size_t r, int even, size_t n, float *out,                   \
                        const float *const *lo, const float *const *hi) {                           \
    const V t0 = SET1(t[0]);                                                                        \
    size_t i = 0;                                                                                   \
    /* Four vectors at once: four independent accumulation chains keep the adder busy; one */      \
    /* chain would wait out the add latency at every tap. Each lane's operations are unchanged. */ \
    for (; i + 4 * LANES <= n; i += 4 * LANES) {                                                    \
        V a0, a1, a2, a3;                                                                           \
        if (even) {                                                                                 \
            const float *c = lo[0] + i;                                                             \
            a0 = MUL(t0, LOAD(c)); a1 = MUL(t0, LOAD(c + LANES));                                   \
            a2 = MUL(t0, LOAD(c + 2 * LANES)); a3 = MUL(t0, LOAD(c + 3 * LANES));                   \
            for (size_t k = 1; k <= r; k++) {                                                       \
                const V tk = SET1(t[k]);                                                            \
                const float *l = lo[k] + i, *h = hi[k] + i;                                         \
                a0 = ADD(a0, MUL(tk, ADD(LOAD(l), LOAD(h))));                                       \
                a1 = ADD(a1, MUL(tk, ADD(LOAD(l + LANES), LOAD(h + LANES))));                       \
                a2 = ADD(a2, MUL(tk, ADD(LOAD(l + 2 * LANES), LOAD(h + 2 * LANES))));               \
                a3 = ADD(a3, MUL(tk, ADD(LOAD(l + 3 * LANES), LOAD(h + 3 * LANES))));               \
            }                                                                                       \
        } else {                                                                                    \
            a0 = ZERO(); a1 = ZERO(); a2 = ZERO(); a3 = ZERO();                                     \
            for (size_t k = 1; k <= r; k++) {                                                       \
                const V tk = SET1(t[k]);                                                            \
                const float *l = lo[k] + i, *h = hi[k] + i;                                         \
                a0 = ADD(a0, MUL(tk, SUB(LOAD(h), LOAD(l))));                                       \
                a1 = ADD(a1, MUL(tk, SUB(LOAD(h + LANES), LOAD(l + LANES))));                       \
                a2 = ADD(a2, MUL(tk, SUB(LOAD(h + 2 * LANES), LOAD(l + 2 * LANES))));               \
                a3 = ADD(a3, MUL(tk, SUB(LOAD(h + 3 * LANES), LOAD(l + 3 * LANES))));               \
            }                                                                                       \
        }                                                                                           \
        STORE(out + i, a0); STORE(out + i + LANES, a1);                                             \
        STORE(out + i + 2 * LANES, a2); STORE(out + i + 3 * LANES, a3);                             \
    }                                                                                               \
    for (; i < n; i += LANES) {                                                                     \
        if (i + LANES > n) i = n - LANES;                                                           \
        V acc;                                                                                      \
        if (even) {                                                                                 \
            acc = MUL(t0, LOAD(lo[0] + i));                                                         \
            for (size_t k = 1; k <= r; k++)                                                         \
                acc = ADD(acc, MUL(SET1(t[k]), ADD(LOAD(lo[k] + i), LOAD(hi[k] + i))));             \
        } else {                                                                                    \
            acc = ZERO();                                                                           \
            for (size_t k = 1; k <= r; k++)                                                         \
                acc = ADD(acc, MUL(SET1(t[k]), SUB(LOAD(hi[k] + i), LOAD(lo[k] + i))));             \
        }                                                                                           \
        STORE(out + i, acc);                                                                        \
    }                                                                                               \
}

DEFINE_FIR(fir_avx2, __attribute__((target("avx2"))), __m256, 8, _mm256_loadu_ps, _mm256_storeu_ps,
           _mm256_mul_ps, _mm256_add_ps, _mm256_sub_ps, _mm256_set1_ps, _mm256_setzero_ps)
DEFINE_FIR(fir_avx512, __attribute__((target("avx512f"))), __m512, 16, _mm512_loadu_ps, _mm512_storeu_ps,
           _mm512_mul_ps, _mm512_add_ps, _mm512_sub_ps, _mm512_set1_ps, _mm512_setzero_ps)

void dm_symmetric_fir_f32(dm_isa isa, const float *taps, size_t radius, int even, size_t n, float *out,
                          const float *const *lo, const float *const *hi) {
    if (isa == DM_ISA_AVX512BW) fir_avx512(taps, radius, even, n, out, lo, hi);
    else fir_avx2(taps, radius, even, n, out, lo, hi);
}

#else

void dm_symmetric_fir_f32(dm_isa isa, const float *taps, size_t radius, int even, size_t n, float *out,
                          const float *const *lo, const float *const *hi) {
    (void)isa; (void)taps; (void)radius; (void)even; (void)n; (void)out; (void)lo; (void)hi;
    __builtin_trap();
}

#endif
