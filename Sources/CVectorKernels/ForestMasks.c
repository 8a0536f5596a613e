// Random-forest prediction by sample masks: the tree is walked once per block
// of samples, and each node splits the block's set of samples that reached it,
// held as a bitmask, with one vector comparison per 16 samples.
//
// Why: a sample-by-sample descent (scikit-learn's, and this project's until
// version 0.3) is a chain of dependent loads per sample and tree (node →
// feature value → compare → next node), a few nanoseconds per level. On an
// image the samples of a block are neighbouring pixels, and most of them take
// the same path through a tree; walking the tree with the block's mask
// instead costs one compare instruction per node for 16 samples, and a word
// of 64 samples none of which reached the node costs nothing. This is the
// "bitvector" idea of QuickScorer (Lucchese et al., SIGIR 2015) turned around:
// there the bits are a tree's leaves and the loop runs over a sample's
// features; here the bits are samples and the loop runs over a tree's nodes.
//
// Worked example (4 samples shown of a word, tree: root x0 ≤ 0.5 ? A : B,
// A = leaf 0, B: x1 ≤ 0.2 ? leaf 1 : leaf 2):
//   mask 1111, x0 = (0.1, 0.9, 0.7, 0.3), x1 = (…, 0.1, 0.6, …)
//   root: compare x0 ≤ 0.5 → 1001; left (leaf 0) gets 1001, right (B) 0110
//   B: compare x1 ≤ 0.2 → 0100 on 0110; leaf 1 gets 0100, leaf 2 gets 0010
// Each sample lands in exactly one leaf per tree, and its class sums receive
// that leaf's row with the same single Float addition as a per-sample loop:
// sums are bit for bit those of the sample-by-sample descent, whatever order
// the leaves are visited in (ForestTests compares them).
//
// Samples come in words of 64 (DM_FOREST_WORD), one bit each; a block is
// `words` words. The AVX-512 kernels compare 16 samples per instruction and
// join four mask registers into one word, AVX2 compares 8 per instruction,
// the portable kernel loops; all compare x ≤ t on IEEE floats, false for NaN
// (NaN goes right, as in training).

#include "CVectorKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Only additions occur here, but keep the filter kernels' rule.
#pragma clang fp contract(off)

/// Portable forms of the two vector steps: the x ≤ t bits of one word's 64
/// samples, and adding v to the sums of the samples whose bit is set.
static inline uint64_t le_word_portable(const float *x, float t) {
    uint64_t m = 0;
    for (int l = 0; l < DM_FOREST_WORD; l++) m |= (uint64_t)(x[l] <= t) << l;
    return m;
}

static inline void masked_add_portable(float *s, uint64_t m, float v) {
    for (; m; m &= m - 1) s[__builtin_ctzll(m)] += v;
}

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512bw"))) static inline uint64_t le_word_avx512(const float *x, float t) {
    const __m512 tv = _mm512_set1_ps(t);
    const __mmask16 a = _mm512_cmp_ps_mask(_mm512_loadu_ps(x), tv, _CMP_LE_OQ);
    const __mmask16 b = _mm512_cmp_ps_mask(_mm512_loadu_ps(x + 16), tv, _CMP_LE_OQ);
    const __mmask16 c = _mm512_cmp_ps_mask(_mm512_loadu_ps(x + 32), tv, _CMP_LE_OQ);
    const __mmask16 d = _mm512_cmp_ps_mask(_mm512_loadu_ps(x + 48), tv, _CMP_LE_OQ);
    // kunpck: the second operand is the low half.
    return (uint64_t)_mm512_kunpackd(_mm512_kunpackw(d, c), _mm512_kunpackw(b, a));
}

__attribute__((target("avx512f"))) static inline void masked_add_avx512(float *s, uint64_t m, float v) {
    const __m512 add = _mm512_set1_ps(v);
    for (int i = 0; i < 4; i++, m >>= 16) {
        const __mmask16 k = (__mmask16)(m & 0xFFFFu);
        if (!k) continue;
        _mm512_mask_storeu_ps(s + 16 * i, k, _mm512_add_ps(_mm512_loadu_ps(s + 16 * i), add));
    }
}

__attribute__((target("avx2"))) static inline uint64_t le_word_avx2(const float *x, float t) {
    const __m256 tv = _mm256_set1_ps(t);
    uint64_t m = 0;
    for (int i = 0; i < 8; i++)
        m |= (uint64_t)(unsigned)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(x + 8 * i), tv, _CMP_LE_OQ)) << (8 * i);
    return m;
}

/// Lane l of the result is all ones when bit l of `bits` (8 bits) is set.
__attribute__((target("avx2"))) static inline __m256 lanes_avx2(unsigned bits) {
    const __m256i select = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    __m256i b = _mm256_and_si256(_mm256_set1_epi32((int)bits), select);
    return _mm256_castsi256_ps(_mm256_cmpeq_epi32(b, select));
}

__attribute__((target("avx2"))) static inline void masked_add_avx2(float *s, uint64_t m, float v) {
    const __m256 add = _mm256_set1_ps(v);
    for (int i = 0; i < 8; i++, m >>= 8) {
        const unsigned bits = (unsigned)(m & 0xFFu);
        if (!bits) continue;
        const __m256 a = _mm256_loadu_ps(s + 8 * i);
        _mm256_storeu_ps(s + 8 * i, _mm256_blendv_ps(a, _mm256_add_ps(a, add), lanes_avx2(bits)));
    }
}
#endif

// One tree over one block. The walk is depth first: a node whose samples all
// go one way continues there without touching the stack; when both sides
// have samples, the right side's node and masks are pushed. The stack holds
// at most one entry per level (a left-first walk pushes once per level).
// Each mask set carries an occupancy (bit j: word j has a sample), and only
// occupied words are read or written: a node that few samples reach (pixels
// on a phase boundary) costs one word's compares, not the block's. Words
// outside a set's occupancy hold stale values and are never read.
/// Samples of a node at or below which the walk descends them one by one: when
/// so few remain (pixels on a phase boundary deep in a bushy tree), a plain
/// descent per sample is cheaper than splitting masks node by node. Measured:
/// a model trained on a validation scene (280 leaves per tree) segments it in
/// 383 ms instead of 402 ms; the benchmark scene's smaller trees are unchanged
/// (1, 8 and 16 gave 398, 366–391 and 384 ms).
#define DM_FOREST_FEW_SAMPLES 4

/// The leaf row index sample p reaches from `node` (x ≤ t goes left; NaN right).
static inline int32_t descend_one(const dm_forest_node *tree, int32_t node, const float *features,
                                  size_t feature_stride, size_t p) {
    for (;;) {
        const dm_forest_node n = tree[node];
        const int32_t child = features[(size_t)n.feature * feature_stride + p] <= n.threshold ? n.left : n.right;
        if (child < 0) return ~child;
        node = child;
    }
}

// A leaf's class row added to the sums of the samples in `masks` (occupied words `occupied`).
#define APPLY_LEAF(MASKED_ADD, LEAF, OCCUPIED, MASKS)                                                 \
    do {                                                                                               \
        const float *row = probabilities + (size_t)(LEAF) * classes;                                   \
        for (uint32_t o = (OCCUPIED); o; o &= o - 1) {                                                 \
            const unsigned j = (unsigned)__builtin_ctz(o);                                             \
            for (size_t c = 0; c < classes; c++)                                                       \
                MASKED_ADD(sums + c * block + j * DM_FOREST_WORD, (MASKS)[j], row[c]);                 \
        }                                                                                              \
    } while (0)

#define DEFINE_TREE_ADD(NAME, TARGET, LE_WORD, MASKED_ADD)                                            \
TARGET static void NAME(const dm_forest_node *tree, const float *probabilities, size_t classes,        \
                        const float *features, size_t feature_stride, size_t words,                     \
                        const uint64_t *mask, float *sums,                                              \
                        uint64_t *stack_masks, int32_t *stack_nodes, uint32_t *stack_occupancy) {        \
    const size_t block = words * DM_FOREST_WORD;                                                       \
    uint64_t *current = stack_masks; /* slot 0: the masks of the node being visited */                 \
    size_t depth = 0; /* entries pushed, stored from slot 1 on */                                      \
    int32_t node = 0;                                                                                  \
    uint32_t occupied = 0;                                                                             \
    for (size_t j = 0; j < words; j++) {                                                               \
        current[j] = mask[j];                                                                          \
        occupied |= (uint32_t)(mask[j] != 0) << j;                                                     \
    }                                                                                                  \
    if (!occupied) return;                                                                             \
    for (;;) {                                                                                         \
        /* A few samples left in one word: descend them one by one (no mask work, no stack). */       \
        if ((occupied & (occupied - 1)) == 0 &&                                                        \
            __builtin_popcountll(current[__builtin_ctz(occupied)]) <= DM_FOREST_FEW_SAMPLES) {          \
            const unsigned j = (unsigned)__builtin_ctz(occupied);                                      \
            for (uint64_t m = current[j]; m; m &= m - 1) {                                             \
                const size_t p = j * DM_FOREST_WORD + (size_t)__builtin_ctzll(m);                      \
                const float *row = probabilities + (size_t)descend_one(tree, node, features,           \
                                                                       feature_stride, p) * classes;   \
                for (size_t c = 0; c < classes; c++) sums[c * block + p] += row[c];                    \
            }                                                                                          \
        } else {                                                                                       \
        const dm_forest_node n = tree[node];                                                           \
        const float *x = features + (size_t)n.feature * feature_stride;                                \
        uint64_t *left = current, *right = stack_masks + (depth + 1) * words;                          \
        uint32_t occLeft = 0, occRight = 0;                                                            \
        for (uint32_t o = occupied; o; o &= o - 1) {                                                   \
            const unsigned j = (unsigned)__builtin_ctz(o);                                             \
            const uint64_t m = current[j];                                                             \
            const uint64_t le = LE_WORD(x + j * DM_FOREST_WORD, n.threshold);                          \
            const uint64_t l = m & le, r = m & ~le;                                                    \
            left[j] = l; right[j] = r;                                                                 \
            occLeft |= (uint32_t)(l != 0) << j;                                                        \
            occRight |= (uint32_t)(r != 0) << j;                                                       \
        }                                                                                              \
        /* Leaves are applied at once; internal children are visited, left first. */                   \
        int32_t next = -1;                                                                             \
        if (occRight) {                                                                                \
            if (n.right < 0) {                                                                         \
                APPLY_LEAF(MASKED_ADD, ~n.right, occRight, right);                                     \
            } else {                                                                                   \
                stack_nodes[depth] = n.right;                                                          \
                stack_occupancy[depth] = occRight;                                                     \
                depth++;                                                                               \
            }                                                                                          \
        }                                                                                              \
        if (occLeft) {                                                                                 \
            if (n.left < 0) {                                                                          \
                APPLY_LEAF(MASKED_ADD, ~n.left, occLeft, left);                                        \
            } else {                                                                                   \
                next = n.left; /* its masks are already in slot 0 */                                   \
                occupied = occLeft;                                                                    \
            }                                                                                          \
        }                                                                                              \
        if (next >= 0) { node = next; continue; }                                                      \
        }                                                                                              \
        if (depth == 0) return;                                                                        \
        /* Pop: the pushed node's occupied masks move into slot 0. */                                  \
        depth--;                                                                                       \
        node = stack_nodes[depth];                                                                     \
        occupied = stack_occupancy[depth];                                                             \
        const uint64_t *popped = stack_masks + (depth + 1) * words;                                    \
        for (uint32_t o = occupied; o; o &= o - 1) {                                                   \
            const unsigned j = (unsigned)__builtin_ctz(o);                                             \
            current[j] = popped[j];                                                                    \
        }                                                                                              \
    }                                                                                                  \
}

DEFINE_TREE_ADD(tree_add_portable, , le_word_portable, masked_add_portable)
#if defined(__x86_64__)
DEFINE_TREE_ADD(tree_add_avx512, __attribute__((target("avx512f,avx512bw"))), le_word_avx512, masked_add_avx512)
DEFINE_TREE_ADD(tree_add_avx2, __attribute__((target("avx2"))), le_word_avx2, masked_add_avx2)
#endif

void dm_forest_tree_add(dm_isa isa, const dm_forest_node *tree, const float *probabilities, size_t classes,
                        const float *features, size_t feature_stride, size_t words, const uint64_t *mask, float *sums,
                        uint64_t *stack_masks, int32_t *stack_nodes, uint32_t *stack_occupancy) {
#if defined(__x86_64__)
    if (isa == DM_ISA_AVX512BW) {
        tree_add_avx512(tree, probabilities, classes, features, feature_stride, words, mask, sums, stack_masks, stack_nodes, stack_occupancy);
        return;
    }
    if (isa == DM_ISA_AVX2) {
        tree_add_avx2(tree, probabilities, classes, features, feature_stride, words, mask, sums, stack_masks, stack_nodes, stack_occupancy);
        return;
    }
#endif
    (void)isa;
    tree_add_portable(tree, probabilities, classes, features, feature_stride, words, mask, sums, stack_masks, stack_nodes, stack_occupancy);
}

// The early-stop test of classification (RandomForest.classify): for each
// sample still in `undecided`, the leading class of its sums (a later class
// leads only when strictly greater, so ties go to the lower index) and the
// runner-up; when the lead exceeds `needed`, the sample is decided: its winner
// is written and its bit cleared. Per sample exactly the scalar rule
//   best = s0, second = −∞; for c ≥ 1: v > best ? (second = best, best = v)
//                                       : v > second ? second = v
// on the same Float values, so the decisions are the same on every kernel.
static size_t decide_portable(const float *sums, size_t classes, size_t words, float needed,
                              uint64_t *undecided, uint8_t *winners) {
    const size_t block = words * DM_FOREST_WORD;
    size_t open = 0;
    for (size_t j = 0; j < words; j++) {
        uint64_t keep = undecided[j];
        for (uint64_t m = keep; m; m &= m - 1) {
            const int l = __builtin_ctzll(m);
            const size_t p = j * DM_FOREST_WORD + (size_t)l;
            float best = sums[p], second = -__builtin_inff();
            uint8_t winner = 0;
            for (size_t c = 1; c < classes; c++) {
                const float v = sums[c * block + p];
                if (v > best) { second = best; best = v; winner = (uint8_t)c; }
                else if (v > second) second = v;
            }
            if (best - second > needed) { winners[p] = winner; keep &= ~(1ull << l); }
        }
        undecided[j] = keep;
        open += (size_t)__builtin_popcountll(keep);
    }
    return open;
}

#if defined(__x86_64__)
__attribute__((target("avx512f"))) static size_t decide_avx512(const float *sums, size_t classes, size_t words,
                                                               float needed, uint64_t *undecided, uint8_t *winners) {
    const size_t block = words * DM_FOREST_WORD;
    const __m512 need = _mm512_set1_ps(needed);
    size_t open = 0;
    for (size_t j = 0; j < words; j++) {
        uint64_t keep = 0;
        for (int i = 0; i < 4; i++) {
            const __mmask16 m = (__mmask16)(undecided[j] >> (16 * i));
            if (!m) continue;
            const size_t p = j * DM_FOREST_WORD + 16 * (size_t)i;
            __m512 best = _mm512_loadu_ps(sums + p), second = _mm512_set1_ps(-__builtin_inff());
            __m512i winner = _mm512_setzero_si512();
            for (size_t c = 1; c < classes; c++) {
                const __m512 v = _mm512_loadu_ps(sums + c * block + p);
                const __mmask16 gt = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ);
                const __mmask16 gs = _mm512_cmp_ps_mask(v, second, _CMP_GT_OQ);
                second = _mm512_mask_mov_ps(_mm512_mask_mov_ps(second, gs, v), gt, best);
                best = _mm512_mask_mov_ps(best, gt, v);
                winner = _mm512_mask_mov_epi32(winner, gt, _mm512_set1_epi32((int)c));
            }
            const __mmask16 decided = _mm512_cmp_ps_mask(_mm512_sub_ps(best, second), need, _CMP_GT_OQ) & m;
            _mm512_mask_cvtepi32_storeu_epi8(winners + p, decided, winner);
            keep |= (uint64_t)(uint16_t)(m & (__mmask16)~decided) << (16 * i);
        }
        undecided[j] = keep;
        open += (size_t)__builtin_popcountll(keep);
    }
    return open;
}
#endif

size_t dm_forest_decide(dm_isa isa, const float *sums, size_t classes, size_t words, float needed,
                        uint64_t *undecided, uint8_t *winners) {
#if defined(__x86_64__)
    if (isa == DM_ISA_AVX512BW) return decide_avx512(sums, classes, words, needed, undecided, winners);
#endif
    (void)isa;
    return decide_portable(sums, classes, words, needed, undecided, winners);
}
