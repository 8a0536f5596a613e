// Row kernels on vectors wider than the build's baseline (AVX2: 256 bits,
// AVX-512: 512 bits), chosen at run time by the Swift filters from what the
// processor has; the portable Swift kernels (128-bit SSE2 in the default
// x86-64 build, NEON on arm64) serve every other machine and are the
// reference these are tested against. Swift has no per-function target
// attribute, so code for a wider instruction set than the baseline has to be
// C with __attribute__((target(...))), as NumPy's and OpenCV's dispatched
// kernels are.
//
// Every function is "unchecked": the caller guarantees the instruction set
// (from dm_cpu_vector_isa) and the buffer sizes stated; none allocates, none
// keeps a pointer.
#ifndef DENDROMETER_CVECTORKERNELS_H
#define DENDROMETER_CVECTORKERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Instruction sets the kernels are built for.
typedef enum {
    DM_ISA_BASELINE = 0,   ///< none of the below: use the Swift kernels
    DM_ISA_AVX2 = 2,       ///< 256-bit vectors
    DM_ISA_AVX512BW = 3,   ///< 512-bit vectors with byte and word lanes
} dm_isa;

/// The widest of the instruction sets above that the processor and the
/// operating system support (CPUID and the register state enabled in XCR0);
/// DM_ISA_BASELINE off x86-64.
dm_isa dm_cpu_vector_isa(void);

/// Samples per vector of `isa` for samples of `bytes` bytes (1 or 2): rows
/// passed to the kernels below must hold at least this many.
size_t dm_lanes(dm_isa isa, size_t bytes);

/// Median pass 1 (column sort): for x in 0 ..< n, sorts rows[0][x] ...
/// rows[side − 1][x] (side 3 or 5) and writes level l (0 = smallest) to
/// levels[l · pitch + x]. Needs n ≥ dm_lanes(isa, sample size).
void dm_median_sort_columns_u8(dm_isa isa, const uint8_t *const *rows, int side, size_t n,
                               uint8_t *levels, size_t pitch);
void dm_median_sort_columns_u16(dm_isa isa, const uint16_t *const *rows, int side, size_t n,
                                uint16_t *levels, size_t pitch);

/// Median pass 2 (selection): out[x] = median of the side × side window whose
/// sorted columns are x ... x + side − 1 of the level lines (level l at
/// levels + l · pitch, each line holding n + side − 1 samples). side 3 or 5.
/// Needs n ≥ dm_lanes(isa, sample size).
void dm_median_select_u8(dm_isa isa, const uint8_t *levels, size_t pitch, int side, size_t n, uint8_t *out);
void dm_median_select_u16(dm_isa isa, const uint16_t *levels, size_t pitch, int side, size_t n, uint16_t *out);

/// One line of a symmetric (`even` ≠ 0) or antisymmetric kernel with taps
/// t[0 ... radius] across lines lo[k], hi[k] (k = 0 ... radius; lo[0] is the
/// centre): even: out[i] = t0·lo0[i] + Σ tk·(lok[i] + hik[i]); odd:
/// out[i] = Σ tk·(hik[i] − lok[i]), k from 1, summed in that order without FMA
/// (bit-identical to the Swift kernel). Needs radius ≥ 1 and n ≥ dm_lanes(isa, 4);
/// `out` aliases no input line.
void dm_symmetric_fir_f32(dm_isa isa, const float *taps, size_t radius, int even, size_t n, float *out,
                          const float *const *lo, const float *const *hi);

/// Constants of the structure tensor's eigen-analysis, passed in by Swift so
/// that both implementations use the very same Float values.
typedef struct {
    float atan_c0, atan_c1, atan_c2;   ///< atan(a) ≈ ((c0·s + c1)·s − c2)·s·a + a, s = a²
    float pi, half_pi;                 ///< Float.pi and Float.pi / 2
    float half_degrees_per_radian;     ///< 0.5 · (180 / Float.pi)
    float flat_energy;                 ///< energies ≤ this are a flat neighbourhood
} dm_eigen_constants;

/// Eigen-analysis of one row of n tensors (Jxx, Jxy, Jyy): orientation in
/// degrees [0, 180), coherence in [0, 1], energy ≥ 0, exactly as the Swift
/// eigenRow computes them. Needs n ≥ dm_lanes(isa, 4); outputs alias no input.
void dm_tensor_eigen_f32(dm_isa isa, const float *jxx, const float *jxy, const float *jyy, size_t n,
                         const dm_eigen_constants *constants,
                         float *orientation, float *coherence, float *energy);

/// One node of a tree prepared for prediction (RandomForest's prediction nodes):
/// an internal node sends a sample left when x[feature] ≤ threshold (NaN goes
/// right); a child c ≥ 0 is an internal node of the same tree (index from the
/// tree's first node), c < 0 the leaf whose probability row is ~c.
typedef struct {
    int32_t feature;
    float threshold;
    int32_t left;
    int32_t right;
} dm_forest_node;

/// Samples per mask word of the forest kernels: word j of a block holds
/// samples 64j ... 64j + 63, bit l for sample 64j + l.
#define DM_FOREST_WORD 64

/// Walks one tree for the samples of a block whose bit is set in mask[0 ..<
/// words] and adds each one's leaf row to its class sums: sums[c·block + p]
/// += probabilities[leaf·classes + c] (block = 64·words), one addition per
/// sample and class, bit-identical to a per-sample descent. Feature f of
/// sample p is features[f·feature_stride + p] (every sample of the block
/// readable, masked or not). words ≤ 32. Scratch: stack_masks holds (depth + 2)·words
/// values, stack_nodes and stack_occupancy depth + 1 each, for the tree's
/// depth (root 0, deepest leaf depth). Any isa (DM_ISA_BASELINE runs
/// portable C).
void dm_forest_tree_add(dm_isa isa, const dm_forest_node *tree, const float *probabilities, size_t classes,
                        const float *features, size_t feature_stride, size_t words, const uint64_t *mask, float *sums,
                        uint64_t *stack_masks, int32_t *stack_nodes, uint32_t *stack_occupancy);

/// The early stop of classification: for each sample p whose bit is set in
/// undecided[0 ..< words], the leading class of sums[c·block + p] (ties to
/// the lower index) and the runner-up; when lead − runner-up > needed, writes
/// the leader to winners[p] and clears the bit. Returns the samples still
/// undecided. Any isa.
size_t dm_forest_decide(dm_isa isa, const float *sums, size_t classes, size_t words, float needed,
                        uint64_t *undecided, uint8_t *winners);

/// A level row of levelWidth samples to n full-resolution samples at factor
/// d: out[x] = a + j·((b − a)·(1/d)) for x = k·d + j, a = src[k], b =
/// src[min(k + 1, levelWidth − 1)]; needs n ≤ levelWidth·d. Any isa,
/// bit-identical results.
void dm_upsample_row_f32(dm_isa isa, const float *src, size_t levelWidth, size_t d, size_t n, float *out);

/// out[x] = (a[x] + fv·(b[x] − a[x]))·scale for x < n, in that order without
/// FMA on every isa (bit-identical results). Any isa.
void dm_lerp_rows_f32(dm_isa isa, const float *a, const float *b, size_t n, float fv, float scale, float *out);

/// The scan of one thinning subiteration over n pixels of a row: image points
/// at the first pixel of a 0/1 byte image `width` bytes wide whose 8
/// neighbours of every scanned pixel are readable; a phase pixel with some
/// 4-neighbour in the background whose 8-neighbour code c (bit 0 E, 1 NE, 2 N,
/// 3 NW, 4 W, 5 SW, 6 S, 7 SE; N the row above) has bit c & 7 of
/// table_bits[c >> 3] set gets flags[i] = 1. Flags must be 0 on entry; a
/// vector's 32 flags are stored only when one is set. Covers whole 32-pixel
/// vectors and returns how many pixels it covered (0 for DM_ISA_BASELINE: the
/// caller scans the rest); *hit = 1 when it flagged any.
size_t dm_thin_scan_u8(dm_isa isa, const uint8_t *image, uint8_t *flags, ptrdiff_t width, size_t n,
                       const uint8_t *table_bits, int *hit);

#endif
