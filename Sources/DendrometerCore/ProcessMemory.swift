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
//
// The heap itself asks for huge pages too: the masks and records served from it
// (a byte mask of a 4096² field is 16 MiB) were otherwise faulted in 4 KiB at a
// time, 25 000 page faults per analysis of the dense 4096² image. When an image is
// opened, ``ProcessMemory/fitLargeBuffers(toFieldPixels:)`` grows the heap by what
// the analysis will hold at most (``heapBytesPerFieldPixel``), advises that span
// for huge pages and frees it again: nothing is written there, so nothing becomes
// resident, and the freed span (never trimmed, see above) serves the analysis's
// buffers, whose first touch then faults in 2 MiB at a time, as glibc's own
// `glibc.malloc.hugetlb=1` tunable would arrange from process start.
// Measured on the dense 4096² image (`farm-bench`, paired with the heap in 4 KiB
// pages, medians): wall time ×0.94 and ×0.96 over 21 and 31 pairs, system time
// 0.09 → 0.05 s, 25 300 → 4 000 page faults; peak 121.4 → 124.7 MiB (7.8 bytes
// per pixel: 2 MiB pages are resident whole). At 8192 × 4096: wall ×0.97–0.99,
// peak 223.6 → 225.4 MiB. A worker thread's allocations come from the heap only
// because ``reuseLargeBuffers()`` keeps one arena (other arenas' heaps shrink
// when freed, and the advice would go with them).

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
        adviseHeapForHugePages(bytes: min(pixels, largestHeapAdvice / heapBytesPerFieldPixel) * heapBytesPerFieldPixel)
        #endif
    }

    /// Heap prepared for huge pages per pixel of the field (bytes): the analysis of an 8-bit
    /// image holds about this much at most (7.8 bytes per pixel at 4096²).
    public static let heapBytesPerFieldPixel = 8

    /// Pieces in which the heap is grown (bytes): below glibc's smallest mmap threshold
    /// in force here (``largestMappingThreshold``), so that they come from the heap.
    static let heapGrowthPieceBytes = 16 << 20

    /// Most bytes between two heap pieces that lie end to end (glibc's chunk header, 16 bytes on
    /// 64-bit systems, with room to spare).
    static let heapChunkHeaderBytes = 64

    /// Most heap prepared at once (bytes): a hint need not reserve more address space than a
    /// very large field uses.
    static let largestHeapAdvice = 16 << 30

    /// Grows the heap by `bytes` (at most ``largestHeapAdvice``) in pieces, advises the span for
    /// transparent huge pages (``adviseHugePages(_:byteCount:)``) and frees it again (see the
    /// file header). Writes nothing into the span, so resident memory does not grow. A no-op
    /// below 4 MiB and on platforms other than glibc.
    static func adviseHeapForHugePages(bytes: Int) {
        #if os(Linux)
        var left = min(bytes, largestHeapAdvice)
        guard left >= 4 << 20 else { return }
        var pieces = [UnsafeMutableRawPointer]()
        while left > 0, let p = malloc(min(left, heapGrowthPieceBytes)) {
            pieces.append(p)
            left -= min(left, heapGrowthPieceBytes)
        }
        // Pieces taken in turn from the top of the heap lie end to end (a chunk header apart): each
        // run of them is advised as one span, so no 2 MiB is lost where two pieces meet. Pieces
        // apart (another arena, a mapping of their own) are advised alone, never the space between.
        let spans = pieces.map { Int(bitPattern: $0) ..< Int(bitPattern: $0) + malloc_usable_size($0) }
        for run in contiguousRuns(of: spans, gapBytes: heapChunkHeaderBytes) {
            adviseHugePages(UnsafeMutableRawPointer(bitPattern: run.lowerBound), byteCount: run.count)
        }
        for p in pieces { free(p) }
        #endif
    }

    /// `spans` (address ranges) in address order, joined where one begins at most `gapBytes`
    /// after the previous one ends. Example: 0..<100, 116..<200, 1000..<1100 with gap 64 are
    /// 0..<200 and 1000..<1100.
    static func contiguousRuns(of spans: [Range<Int>], gapBytes: Int) -> [Range<Int>] {
        var runs = [Range<Int>]()
        for span in spans.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = runs.last, span.lowerBound >= last.upperBound, span.lowerBound - last.upperBound <= gapBytes {
                runs[runs.count - 1] = last.lowerBound ..< span.upperBound
            } else {
                runs.append(span)
            }
        }
        return runs
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
