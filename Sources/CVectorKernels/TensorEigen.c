// Closed-form eigen-analysis of 2×2 structure tensors, one row at a time, on
// 256-bit (AVX2) or 512-bit (AVX-512F) vectors: the wide twin of eigenRow in
// Sources/DendrometerFilters/StructureTensor.swift, which documents the
// method (energy λ1 + λ2, coherence (λ1 − λ2)/(λ1 + λ2), orientation from
// ½·atan2(2Jxy, Jxx − Jyy) with a polynomial atan and a bit-level square root
// refined by Newton steps). Every lane performs the Swift code's IEEE
// operations in the same order, with the constants Swift passes in, and the
// same comparison semantics (ordered compares; min/max operand order as
// Swift's min/max), so the planes are bit-identical on every machine;
// StructureTensorTests compares them bit for bit, NaN and infinities included.
//
// Rows of n ≥ lanes samples are covered by whole vectors; the last vector is
// moved back to end at n (output i depends only on inputs at i).

#include "CVectorKernels.h"

#if defined(__x86_64__)

#include <immintrin.h>

// Multiply and add stay two roundings, as in the Swift kernel.
#pragma clang fp contract(off)

// The kernel body over the per-ISA operations defined below.
#define EIGEN_BODY(LANES)                                                                      \
    const V zero = SET1(0.0f), one = SET1(1.0f), two = SET1(2.0f), half = SET1(0.5f);         \
    const V threeHalves = SET1(1.5f), full = SET1(180.0f), quarter = SET1(90.0f);             \
    const V c0 = SET1(k->atan_c0), c1 = SET1(k->atan_c1), c2 = SET1(k->atan_c2);              \
    const V pi = SET1(k->pi), halfPi = SET1(k->half_pi), degrees = SET1(k->half_degrees_per_radian); \
    const V flatEnergy = SET1(k->flat_energy);                                                 \
    for (size_t i = 0; i < n; i += LANES) {                                                   \
        if (i + LANES > n) i = n - LANES;                                                     \
        V a = LOAD(jxx + i), b = LOAD(jxy + i), c = LOAD(jyy + i);                            \
        V e = ADD(a, c);                                                                       \
        V dx = SUB(a, c), dy = MUL(two, b);                                                    \
        /* fastSquareRoot(dx·dx + dy·dy) */                                                    \
        V v = ADD(MUL(dx, dx), MUL(dy, dy));                                                   \
        V y = ISQRT_GUESS(v);                                                                  \
        V hv = MUL(half, v);                                                                   \
        y = MUL(y, SUB(threeHalves, MUL(MUL(hv, y), y)));                                      \
        y = MUL(y, SUB(threeHalves, MUL(MUL(hv, y), y)));                                      \
        y = MUL(y, SUB(threeHalves, MUL(MUL(hv, y), y)));                                      \
        V diff = MUL(v, y);                                                                    \
        /* fastAtan2(dy, dx) */                                                                \
        V ax = ABS(dx), ay = ABS(dy);                                                          \
        V mn = MIN(ay, ax), mx = MAX(ay, ax);                                                  \
        V q = SEL(GT(mx, zero), DIV(mn, mx), zero);                                            \
        V s = MUL(q, q);                                                                       \
        V r = ADD(MUL(MUL(SUB(MUL(ADD(MUL(c0, s), c1), s), c2), s), q), q);                    \
        r = SEL(GT(ay, ax), SUB(halfPi, r), r);                                                \
        r = SEL(LT(dx, zero), SUB(pi, r), r);                                                  \
        r = SEL(LT(dy, zero), NEG(r), r);                                                      \
        /* orientation, energy, coherence */                                                   \
        V o = SUB(quarter, MUL(degrees, r));                                                   \
        o = SEL(GE(o, full), SUB(o, full), SEL(LT(o, zero), ADD(o, full), o));                 \
        M notFlat = GT(e, flatEnergy);                                                         \
        STORE(energy + i, SEL(LT(e, zero), zero, e));                                          \
        STORE(orientation + i, SEL(notFlat, o, zero));                                         \
        V coh = DIV(diff, e);                                                                  \
        STORE(coherence + i, SEL(notFlat, SEL(GT(coh, one), one, coh), zero));                 \
    }

// 256-bit vectors: compares give lane masks, selects blend on them.
#define V __m256
#define M __m256
#define LOAD _mm256_loadu_ps
#define STORE _mm256_storeu_ps
#define ADD _mm256_add_ps
#define SUB _mm256_sub_ps
#define MUL _mm256_mul_ps
#define DIV _mm256_div_ps
#define MIN _mm256_min_ps
#define MAX _mm256_max_ps
#define SET1 _mm256_set1_ps
#define GT(a, b) _mm256_cmp_ps(a, b, _CMP_GT_OQ)
#define GE(a, b) _mm256_cmp_ps(a, b, _CMP_GE_OQ)
#define LT(a, b) _mm256_cmp_ps(a, b, _CMP_LT_OQ)
#define SEL(m, t, f) _mm256_blendv_ps(f, t, m)
#define ABS(x) _mm256_castsi256_ps(_mm256_and_si256(_mm256_castps_si256(x), _mm256_set1_epi32(0x7FFFFFFF)))
#define NEG(x) _mm256_castsi256_ps(_mm256_xor_si256(_mm256_castps_si256(x), _mm256_set1_epi32((int)0x80000000u)))
#define ISQRT_GUESS(v) _mm256_castsi256_ps(_mm256_sub_epi32(_mm256_set1_epi32(0x5F3759DF), \
                                                            _mm256_srli_epi32(_mm256_castps_si256(v), 1)))
__attribute__((target("avx2")))
static void eigen_avx2(const float *jxx, const float *jxy, const float *jyy, size_t n, const dm_eigen_constants *k,
                       float *orientation, float *coherence, float *energy) {
    EIGEN_BODY(8)
}
#undef V
#undef M
#undef LOAD
#undef STORE
#undef ADD
#undef SUB
#undef MUL
#undef DIV
#undef MIN
#undef MAX
#undef SET1
#undef GT
#undef GE
#undef LT
#undef SEL
#undef ABS
#undef NEG
#undef ISQRT_GUESS

// 512-bit vectors: compares give bit masks, selects blend on them.
#define V __m512
#define M __mmask16
#define LOAD _mm512_loadu_ps
#define STORE _mm512_storeu_ps
#define ADD _mm512_add_ps
#define SUB _mm512_sub_ps
#define MUL _mm512_mul_ps
#define DIV _mm512_div_ps
#define MIN _mm512_min_ps
#define MAX _mm512_max_ps
#define SET1 _mm512_set1_ps
#define GT(a, b) _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ)
#define GE(a, b) _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ)
#define LT(a, b) _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ)
#define SEL(m, t, f) _mm512_mask_blend_ps(m, f, t)
#define ABS(x) _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(0x7FFFFFFF)))
#define NEG(x) _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000u)))
#define ISQRT_GUESS(v) _mm512_castsi512_ps(_mm512_sub_epi32(_mm512_set1_epi32(0x5F3759DF), \
                                                            _mm512_srli_epi32(_mm512_castps_si512(v), 1)))
__attribute__((target("avx512f")))
static void eigen_avx512(const float *jxx, const float *jxy, const float *jyy, size_t n, const dm_eigen_constants *k,
                         float *orientation, float *coherence, float *energy) {
    EIGEN_BODY(16)
}

void dm_tensor_eigen_f32(dm_isa isa, const float *jxx, const float *jxy, const float *jyy, size_t n,
                         const dm_eigen_constants *constants,
                         float *orientation, float *coherence, float *energy) {
    if (isa == DM_ISA_AVX512BW) eigen_avx512(jxx, jxy, jyy, n, constants, orientation, coherence, energy);
    else eigen_avx2(jxx, jxy, jyy, n, constants, orientation, coherence, energy);
}

#else

void dm_tensor_eigen_f32(dm_isa isa, const float *jxx, const float *jxy, const float *jyy, size_t n,
                         const dm_eigen_constants *constants,
                         float *orientation, float *coherence, float *energy) {
    (void)isa; (void)jxx; (void)jxy; (void)jyy; (void)n; (void)constants;
    (void)orientation; (void)coherence; (void)energy;
    __builtin_trap();
}

#endif
