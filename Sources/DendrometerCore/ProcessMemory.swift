// Allocator policy for image-sized buffers.
//
// glibc serves allocations above its mmap threshold (≤ 32 MB) with fresh
// mmap(2) pages and returns them with munmap(2) when freed, so every
// full-size intermediate of a pipeline (a 4096² Float image is 64 MB) is
// zero-filled page by page by the kernel again; at 4096² that was a quarter of
// `analyze`'s time. Serving them from the heap and keeping freed memory lets
// the next buffer reuse pages already mapped (mallopt(3): M_MMAP_MAX,
// M_TRIM_THRESHOLD). Peak memory is unchanged; freed pages are kept for reuse
// instead of being returned to the system.
//
// One arena (M_ARENA_MAX 1): glibc gives threads other than the main one arenas
// of their own, and a buffer a worker thread allocated and freed stays in that
// worker's arena, where the main thread's next image-sized buffer cannot reuse
// it; the process then holds several arenas' worth of freed planes. With one
// arena every freed buffer serves the next allocation of any thread. Measured
// on the dense 4096² image (`farm-bench -n 7`, paired with the default): peak
// 253 MiB against 305 MiB, wall time the same (median ratio 1.007). The
// pipeline allocates per band and per stage, never per pixel, so the shared
// arena's lock is not contended.
//
// Large fresh outputs can also ask for transparent huge pages, as NumPy does
// for every array of ≥ 4 MiB on Linux (madvise(2), MADV_HUGEPAGE): a 64 MB
// plane then takes ~32 page faults instead of ~16 000.
//
// Kept freed buffers cost memory too: a freed 64 MB plane is cut up for smaller
// buffers, and the next large one no longer fits in the pieces, so the heap grows
// (fragmentation). Per image, ``ProcessMemory/fitLargeBuffers(toFieldPixels:)``
// therefore serves from fresh mappings, returned when freed, only the buffers of
// 32 MiB and more (glibc's largest mmap threshold) when every byte mask of the field
// is smaller: the 4-byte planes and per-pixel records, few and asking for huge
// pages, while the masks, many and allocated again and again, reuse the heap.
// Measured on the dense 4096² image (`farm-bench`, paired with reuse for all):
// peak 189–195 MiB against 218 MiB; the price is the kernel zeroing the fresh
// pages, +30 ms of system time, wall time +1 to +4 % (median ratios 1.013 and
// 1.037 over 9 and 15 pairs). From 32 Mpx on (8192 × 4096) the masks themselves
// would reach the threshold and be faulted in afresh (+5 % wall time for −6 %
// peak), so everything is reused as before.

#if os(Linux)
import CMalloc
import Glibc
#endif

/// Process-wide memory settings for programs that allocate many large image buffers.
public enum ProcessMemory {
    /// Keeps freed large buffers in the process so the next image-sized
    /// allocation, by any thread, reuses their pages instead of faulting in new zeroed pages.
    /// Call once at program start (the `dendrometer` command does); a no-op on
    /// platforms other than glibc.
    public static func reuseLargeBuffers() {
        #if os(Linux)
        _ = mallopt(M_MMAP_MAX, 0)
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
        _ = mallopt(M_ARENA_MAX, 1)
        #endif
    }

    /// glibc's largest mmap threshold (`DEFAULT_MMAP_THRESHOLD_MAX` on 64-bit systems), bytes.
    public static let largestMappingThreshold = 32 << 20

    /// Chooses for an image of `pixels` px (call when it is opened) which freed buffers the
    /// process keeps: below ``largestMappingThreshold`` pixels, buffers of that size and more
    /// (4-byte planes, per-pixel records) get their own mappings and are returned when freed,
    /// so they do not fragment the heap; the rest is reused as ``reuseLargeBuffers()`` set
    /// it. From that many pixels on, a byte mask of the field is that large too and everything
    /// is reused. A no-op on platforms other than glibc.
    public static func fitLargeBuffers(toFieldPixels pixels: Int) {
        #if os(Linux)
        if pixels < largestMappingThreshold {
            _ = mallopt(M_MMAP_THRESHOLD, Int32(largestMappingThreshold))
            _ = mallopt(M_MMAP_MAX, 65_536)
        } else {
            _ = mallopt(M_MMAP_MAX, 0)
        }
        #endif
    }

    /// Gives the pages of freed buffers back to the system (malloc_trim(3)). The pages kept for
    /// reuse serve the next image's buffers of the same sizes; call this when what comes next
    /// allocates differently, e.g. between an analysis and writing its 4-byte depth map (a fresh
    /// 64 MiB mapping at 4096² that the kept pages cannot serve). A no-op on platforms other
    /// than glibc.
    public static func returnFreedMemory() {
        #if os(Linux)
        _ = malloc_trim(0)
        #endif
    }

    /// The process's peak resident memory so far, bytes (`getrusage` `ru_maxrss`); `nil` where
    /// the system does not report it.
    public static var peakResidentBytes: Int? {
        #if os(Linux)
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return nil }
        return usage.ru_maxrss * 1024   // kilobytes on Linux
        #else
        return nil
        #endif
    }
}

/// Asks the kernel to back the 2 MiB-aligned interior of a large, freshly
/// allocated, not yet written buffer with transparent huge pages (Linux
/// `madvise(MADV_HUGEPAGE)`). A performance hint only: a no-op for buffers under
/// 4 MiB, where transparent huge pages are disabled, and on other systems.
///
/// - Parameters:
///   - base: start of memory this process allocated (nil: nothing to do).
///   - byteCount: its size in bytes.
@inlinable
public func adviseHugePages(_ base: UnsafeMutableRawPointer?, byteCount: Int) {
    #if os(Linux)
    guard let base, byteCount >= 4 << 20 else { return }
    let huge = 2 << 20
    let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
    let end = (Int(bitPattern: base) + byteCount) & ~(huge - 1)
    if end > start { _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_HUGEPAGE) }
    #endif
}
