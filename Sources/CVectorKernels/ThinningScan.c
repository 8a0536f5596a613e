// The scan of one thinning subiteration on 256-bit (AVX2) vectors: for 32
// pixels at once, each pixel's 8-neighbour code is assembled in its byte and
// looked up in the subiteration's deletion table, the wide twin of the 8-byte
// word scan in thinFast (Sources/DendrometerSkeleton/Skeletonize.swift).
//
// Method. The image holds one byte per pixel, 0 or 1, so a neighbour's byte
// shifted left by its bit number k ≤ 7 stays inside its byte (16-bit lane
// shifts are enough), and OR-ing the 8 shifted neighbour vectors gives each
// pixel's code c (bit 0 E, 1 NE, 2 N, 3 NW, 4 W, 5 SW, 6 S, 7 SE, N = row
// above). The 256-entry table is packed into 32 bytes, entry c being bit
// (c & 7) of byte (c >> 3); PSHUFB looks up 16-byte tables by the low 4 bits
// of an index, so byte c >> 3 comes from the lower or upper half by bit 4, and
// a third PSHUFB turns c & 7 into the bit to test. Pixels whose four
// 4-neighbours are all phase are skipped, as in the Swift scan (no table of
// ours deletes them), and vectors with no phase pixel, or only such interior
// pixels, are skipped before the codes are built.
//
// Worked example: the right end pixel of a horizontal bar has only W set, so
// c = 1 << 4 = 16; its entry is bit 16 & 7 = 0 of byte 16 >> 3 = 2 (lower
// half, index 2), and SkeletonizeTests checks every code against the tables.

#include "CVectorKernels.h"

#if defined(__x86_64__)

#include <immintrin.h>

__attribute__((target("avx2")))
static size_t thin_scan_avx2(const uint8_t *p, uint8_t *flags, ptrdiff_t w, size_t n,
                             const uint8_t *table_bits, int *hit) {
    const __m256i lower = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)table_bits));
    const __m256i upper = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(table_bits + 16)));
    const __m256i bit_of = _mm256_setr_epi8(1, 2, 4, 8, 16, 32, 64, (char)128, 1, 2, 4, 8, 16, 32, 64, (char)128,
                                            1, 2, 4, 8, 16, 32, 64, (char)128, 1, 2, 4, 8, 16, 32, 64, (char)128);
    const __m256i low3 = _mm256_set1_epi8(7), low4 = _mm256_set1_epi8(15), low5 = _mm256_set1_epi8(31);
    const __m256i bit4 = _mm256_set1_epi8(16), one = _mm256_set1_epi8(1);
    int any = 0;
    size_t k = 0;
    for (; k + 32 <= n; k += 32) {
        const uint8_t *q = p + k;
        const __m256i c = _mm256_loadu_si256((const __m256i *)q);
        if (_mm256_testz_si256(c, c)) continue;
        const __m256i e = _mm256_loadu_si256((const __m256i *)(q + 1));
        const __m256i wv = _mm256_loadu_si256((const __m256i *)(q - 1));
        const __m256i nn = _mm256_loadu_si256((const __m256i *)(q - w));
        const __m256i s = _mm256_loadu_si256((const __m256i *)(q + w));
        const __m256i inner = _mm256_and_si256(_mm256_and_si256(e, wv), _mm256_and_si256(nn, s));
        const __m256i border = _mm256_andnot_si256(inner, c);
        if (_mm256_testz_si256(border, border)) continue;
        const __m256i ne = _mm256_loadu_si256((const __m256i *)(q - w + 1));
        const __m256i nw = _mm256_loadu_si256((const __m256i *)(q - w - 1));
        const __m256i sw = _mm256_loadu_si256((const __m256i *)(q + w - 1));
        const __m256i se = _mm256_loadu_si256((const __m256i *)(q + w + 1));
        __m256i code = _mm256_or_si256(e, _mm256_slli_epi16(ne, 1));
        code = _mm256_or_si256(code, _mm256_or_si256(_mm256_slli_epi16(nn, 2), _mm256_slli_epi16(nw, 3)));
        code = _mm256_or_si256(code, _mm256_or_si256(_mm256_slli_epi16(wv, 4), _mm256_slli_epi16(sw, 5)));
        code = _mm256_or_si256(code, _mm256_or_si256(_mm256_slli_epi16(s, 6), _mm256_slli_epi16(se, 7)));
        const __m256i byte_index = _mm256_and_si256(_mm256_srli_epi16(code, 3), low5);
        const __m256i half_index = _mm256_and_si256(byte_index, low4);
        const __m256i in_upper = _mm256_cmpeq_epi8(_mm256_and_si256(byte_index, bit4), bit4);
        const __m256i entry = _mm256_blendv_epi8(_mm256_shuffle_epi8(lower, half_index),
                                                 _mm256_shuffle_epi8(upper, half_index), in_upper);
        const __m256i tested = _mm256_and_si256(entry, _mm256_shuffle_epi8(bit_of, _mm256_and_si256(code, low3)));
        const __m256i del = _mm256_and_si256(_mm256_min_epu8(tested, one), border);
        if (!_mm256_testz_si256(del, del)) {
            _mm256_storeu_si256((__m256i *)(flags + k), del);
            any = 1;
        }
    }
    *hit = any;
    return k;
}

size_t dm_thin_scan_u8(dm_isa isa, const uint8_t *image, uint8_t *flags, ptrdiff_t width, size_t n,
                       const uint8_t *table_bits, int *hit) {
    if (isa == DM_ISA_BASELINE) { *hit = 0; return 0; }
    return thin_scan_avx2(image, flags, width, n, table_bits, hit);
}

#else

size_t dm_thin_scan_u8(dm_isa isa, const uint8_t *image, uint8_t *flags, ptrdiff_t width, size_t n,
                       const uint8_t *table_bits, int *hit) {
    (void)isa; (void)image; (void)flags; (void)width; (void)n; (void)table_bits;
    *hit = 0;
    return 0;
}

#endif
