// Transparent huge pages for large, freshly allocated output buffers: the
// same `madvise(MADV_HUGEPAGE)` NumPy applies to every array of ≥ 4 MiB on
// Linux. A 16 MiB output then takes 8 page faults instead of 4096, which is a
// visible share of the time of the fastest (memory-bound) kernels.
// No effect where transparent huge pages are disabled or on other systems.

#if canImport(Glibc)
import Glibc
#endif

/// Advises the kernel to back the 2 MiB-aligned interior of `byteCount` bytes at
/// `base` with huge pages. Call before the first write; harmless if ignored.
/// Unchecked: `base ..< base + byteCount` is memory this process allocated.
func adviseHugePages(_ base: UnsafeMutableRawPointer, byteCount: Int) {
    #if canImport(Glibc)
    let huge = 1 << 21
    guard byteCount >= 2 * huge else { return }
    let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
    let end = (Int(bitPattern: base) + byteCount) & ~(huge - 1)
    if end > start, let p = UnsafeMutableRawPointer(bitPattern: start) {
        _ = madvise(p, end - start, MADV_HUGEPAGE)
    }
    #endif
}
