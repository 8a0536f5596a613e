// Random-forest prediction by sample masks: the tree is walked once per block
// of samples, and each node splits the block's set of samples that reached it,
// held as a bitmask, with one vector comparison per 16 samples.
//
// Why: a sample-by-sample descent (scikit-learn's, and this project's until
// version 0.3) is a chain of dependent loads per sample and tree (node →
// feature value → compare → next node), a few nanoseconds per level. On an
// image the samples of a block are neighbouring pixels, and most of them take
// the same path through a tree; walking the tree with the block's mask
// instead costs one compare instruction per node for 16 samples, and a chunk
// of 16 samples none of which reached the node costs nothing. This is the
// "bitvector" idea of QuickScorer (Lucchese et al., SIGIR 2015) turned around:
// there the bits are a tree's leaves and the loop runs over a sample's
// features; here the bits are samples and the loop runs over a tree's nodes.
//
// Worked example (4 samples shown of a chunk, tree: root x0 ≤ 0.5 ? A : B,
// A = leaf 0, B: x1 ≤ 0.2 ? leaf 1 : leaf 2):
//   mask 1111, x0 = (0.1, 0.9, 0.7, 0.3), x1 = (…, 0.1, 0.6, …)
//   root: compare x0 ≤ 0.5 → 1001; left (leaf 0) gets 1001, right (B) 0110
//   B: compare x1 ≤ 0.2 → 0100 on 0110; leaf 1 gets 0100, leaf 2 gets 0010
// Each sample lands in exactly one leaf per tree, and its class sums receive
// that leaf's row with the same single Float addition as a per-sample loop:
// sums are bit for bit those of the sample-by-sample descent, whatever order
// the leaves are visited in (ForestTests compares them).
//
// Samples come in chunks of 16 (DM_FOREST_CHUNK); a block is `chunks` chunks.
// The AVX-512 kernels compare 16 samples into a mask register, AVX2 two halves
// of 8, the portable one a loop; all compare with x ≤ t on IEEE floats, false
// for NaN (NaN goes right, as in training).

#include "CVectorKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Multiply and add are never fused here (only additions occur), but keep the
// same rule as the filter kernels.
#pragma clang fp contract(off)

/// Portable forms of the three vector steps.
static inline uint16_t le_mask_portable(const float *x, float t) {
    uint16_t m = 0;
    for (int l = 0; l < DM_FOREST_CHUNK; l++) m |= (uint16_t)((x[l] <= t) ? 1u : 0u) << l;
    return m;
}

static inline void masked_add_portable(float *s, uint16_t m, float v) {
    while (m) {
        int l = __builtin_ctz(m);
        s[l] += v;
        m &= (uint16_t)(m - 1);
    }
}

#if defined(__x86_64__)
__attribute__((target("avx512f"))) static inline uint16_t le_mask_avx512(const float *x, float t) {
    return (uint16_t)_mm512_cmp_ps_mask(_mm512_loadu_ps(x), _mm512_set1_ps(t), _CMP_LE_OQ);
}

__attribute__((target("avx512f"))) static inline void masked_add_avx512(float *s, uint16_t m, float v) {
    __m512 a = _mm512_loadu_ps(s);
    _mm512_mask_storeu_ps(s, (__mmask16)m, _mm512_add_ps(a, _mm512_set1_ps(v)));
}

__attribute__((target("avx2"))) static inline uint16_t le_mask_avx2(const float *x, float t) {
    const __m256 tv = _mm256_set1_ps(t);
    unsigned lo = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(x), tv, _CMP_LE_OQ));
    unsigned hi = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(x + 8), tv, _CMP_LE_OQ));
    return (uint16_t)(lo | (hi << 8));
}

/// Lane l of the result is all ones when bit l of `bits` (8 bits) is set.
__attribute__((target("avx2"))) static inline __m256 lanes_avx2(unsigned bits) {
    const __m256i select = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    __m256i b = _mm256_and_si256(_mm256_set1_epi32((int)bits), select);
    return _mm256_castsi256_ps(_mm256_cmpeq_epi32(b, select));
}

__attribute__((target("avx2"))) static inline void masked_add_avx2(float *s, uint16_t m, float v) {
    const __m256 add = _mm256_set1_ps(v);
    if (m & 0xFFu) {
        __m256 a = _mm256_loadu_ps(s);
        _mm256_storeu_ps(s, _mm256_blendv_ps(a, _mm256_add_ps(a, add), lanes_avx2(m & 0xFFu)));
    }
    if (m >> 8) {
        __m256 a = _mm256_loadu_ps(s + 8);
        _mm256_storeu_ps(s + 8, _mm256_blendv_ps(a, _mm256_add_ps(a, add), lanes_avx2(m >> 8)));
    }
}
#endif

// One tree over one block. The walk is depth first: a node whose samples all
// go one way continues there without touching the stack; when both sides
// have samples, the right side's node and masks are pushed. The stack holds
// at most one entry per level (a left-first walk pushes once per level).
#define DEFINE_TREE_ADD(NAME, TARGET, LE_MASK, MASKED_ADD)                                            \
TARGET static void NAME(const dm_forest_node *tree, const float *probabilities, size_t classes,        \
                        const float *features, size_t chunks, const uint16_t *mask, float *sums,        \
                        uint16_t *stack_masks, int32_t *stack_nodes) {                                   \
    const size_t block = chunks * DM_FOREST_CHUNK;                                                     \
    uint16_t *current = stack_masks; /* slot 0: the masks of the node being visited */                 \
    size_t depth = 0; /* entries pushed, stored from slot 1 on */                                      \
    int32_t node = 0;                                                                                  \
    for (size_t j = 0; j < chunks; j++) current[j] = mask[j];                                          \
    for (;;) {                                                                                         \
        const dm_forest_node n = tree[node];                                                           \
        const float *x = features + (size_t)n.feature * block;                                         \
        uint16_t *left = current, *right = stack_masks + (depth + 1) * chunks;                         \
        uint16_t anyLeft = 0, anyRight = 0;                                                            \
        for (size_t j = 0; j < chunks; j++) {                                                          \
            const uint16_t m = current[j];                                                             \
            uint16_t l = 0, r = 0;                                                                     \
            if (m) {                                                                                   \
                const uint16_t le = LE_MASK(x + j * DM_FOREST_CHUNK, n.threshold);                     \
                l = m & le;                                                                            \
                r = m & (uint16_t)~le;                                                                 \
            }                                                                                          \
            left[j] = l; right[j] = r;                                                                 \
            anyLeft |= l; anyRight |= r;                                                               \
        }                                                                                              \
        /* Leaves are applied at once; internal children are visited, left first. */                   \
        int32_t next = -1;                                                                             \
        if (anyRight) {                                                                                \
            if (n.right < 0) {                                                                         \
                const float *row = probabilities + (size_t)(~n.right) * classes;                       \
                for (size_t j = 0; j < chunks; j++) {                                                  \
                    if (!right[j]) continue;                                                           \
                    for (size_t c = 0; c < classes; c++)                                               \
                        MASKED_ADD(sums + c * block + j * DM_FOREST_CHUNK, right[j], row[c]);           \
                }                                                                                      \
            } else {                                                                                   \
                stack_nodes[depth] = n.right;                                                          \
                depth++;                                                                               \
            }                                                                                          \
        }                                                                                              \
        if (anyLeft) {                                                                                 \
            if (n.left < 0) {                                                                          \
                const float *row = probabilities + (size_t)(~n.left) * classes;                        \
                for (size_t j = 0; j < chunks; j++) {                                                  \
                    if (!left[j]) continue;                                                            \
                    for (size_t c = 0; c < classes; c++)                                               \
                        MASKED_ADD(sums + c * block + j * DM_FOREST_CHUNK, left[j], row[c]);            \
                }                                                                                      \
            } else {                                                                                   \
                next = n.left; /* its masks are already in slot 0 */                                   \
            }                                                                                          \
        }                                                                                              \
        if (next >= 0) { node = next; continue; }                                     \
        if (depth == 0) return;                                                                        \
        /* Pop: the pushed node's masks move into slot 0. */                                           \
        depth--;                                                                                       \
        node = stack_nodes[depth];                                                                     \
        const uint16_t *popped = stack_masks + (depth + 1) * chunks;                                   \
        for (size_t j = 0; j < chunks; j++) current[j] = popped[j];                                    \
    }                                                                                                  \
}

DEFINE_TREE_ADD(tree_add_portable, , le_mask_portable, masked_add_portable)
#if defined(__x86_64__)
DEFINE_TREE_ADD(tree_add_avx512, __attribute__((target("avx512f"))), le_mask_avx512, masked_add_avx512)
DEFINE_TREE_ADD(tree_add_avx2, __attribute__((target("avx2"))), le_mask_avx2, masked_add_avx2)
#endif

void dm_forest_tree_add(dm_isa isa, const dm_forest_node *tree, const float *probabilities, size_t classes,
                        const float *features, size_t chunks, const uint16_t *mask, float *sums,
                        uint16_t *stack_masks, int32_t *stack_nodes) {
#if defined(__x86_64__)
    if (isa == DM_ISA_AVX512BW) {
        tree_add_avx512(tree, probabilities, classes, features, chunks, mask, sums, stack_masks, stack_nodes);
        return;
    }
    if (isa == DM_ISA_AVX2) {
        tree_add_avx2(tree, probabilities, classes, features, chunks, mask, sums, stack_masks, stack_nodes);
        return;
    }
#endif
    (void)isa;
    tree_add_portable(tree, probabilities, classes, features, chunks, mask, sums, stack_masks, stack_nodes);
}

// The early-stop test of classification (RandomForest.classify): for each
// sample still in `undecided`, the leading class of its sums (a later class
// leads only when strictly greater, so ties go to the lower index) and the
// runner-up; when the lead exceeds `needed`, the sample is decided: its winner
// is written and its bit cleared. Per sample exactly the scalar rule
//   best = s0, second = −∞; for c ≥ 1: v > best ? (second = best, best = v)
//                                       : v > second ? second = v
// on the same Float values, so the decisions are the same on every kernel.
static size_t decide_portable(const float *sums, size_t classes, size_t chunks, float needed,
                              uint16_t *undecided, uint8_t *winners) {
    const size_t block = chunks * DM_FOREST_CHUNK;
    size_t open = 0;
    for (size_t j = 0; j < chunks; j++) {
        uint16_t m = undecided[j], keep = m;
        while (m) {
            const int l = __builtin_ctz(m);
            m &= (uint16_t)(m - 1);
            const size_t p = j * DM_FOREST_CHUNK + (size_t)l;
            float best = sums[p], second = -__builtin_inff();
            uint8_t winner = 0;
            for (size_t c = 1; c < classes; c++) {
                const float v = sums[c * block + p];
                if (v > best) { second = best; best = v; winner = (uint8_t)c; }
                else if (v > second) second = v;
            }
            if (best - second > needed) { winners[p] = winner; keep &= (uint16_t)~(1u << l); }
        }
        undecided[j] = keep;
        open += (size_t)__builtin_popcount(keep);
    }
    return open;
}

#if defined(__x86_64__)
__attribute__((target("avx512f"))) static size_t decide_avx512(const float *sums, size_t classes, size_t chunks,
                                                               float needed, uint16_t *undecided, uint8_t *winners) {
    const size_t block = chunks * DM_FOREST_CHUNK;
    const __m512 need = _mm512_set1_ps(needed);
    size_t open = 0;
    for (size_t j = 0; j < chunks; j++) {
        const __mmask16 m = (__mmask16)undecided[j];
        if (!m) continue;
        const float *s = sums + j * DM_FOREST_CHUNK;
        __m512 best = _mm512_loadu_ps(s), second = _mm512_set1_ps(-__builtin_inff());
        __m512i winner = _mm512_setzero_si512();
        for (size_t c = 1; c < classes; c++) {
            const __m512 v = _mm512_loadu_ps(s + c * block);
            const __mmask16 gt = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ);
            const __mmask16 gs = _mm512_cmp_ps_mask(v, second, _CMP_GT_OQ);
            second = _mm512_mask_mov_ps(_mm512_mask_mov_ps(second, gs, v), gt, best);
            best = _mm512_mask_mov_ps(best, gt, v);
            winner = _mm512_mask_mov_epi32(winner, gt, _mm512_set1_epi32((int)c));
        }
        const __mmask16 decided = _mm512_cmp_ps_mask(_mm512_sub_ps(best, second), need, _CMP_GT_OQ) & m;
        _mm512_mask_cvtepi32_storeu_epi8(winners + j * DM_FOREST_CHUNK, decided, winner);
        const uint16_t keep = (uint16_t)(m & (__mmask16)~decided);
        undecided[j] = keep;
        open += (size_t)__builtin_popcount(keep);
    }
    return open;
}
#endif

size_t dm_forest_decide(dm_isa isa, const float *sums, size_t classes, size_t chunks, float needed,
                        uint16_t *undecided, uint8_t *winners) {
#if defined(__x86_64__)
    if (isa == DM_ISA_AVX512BW) return decide_avx512(sums, classes, chunks, needed, undecided, winners);
#endif
    (void)isa;
    return decide_portable(sums, classes, chunks, needed, undecided, winners);
}
