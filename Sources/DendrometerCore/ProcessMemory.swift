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

#if os(Linux)
import CMalloc
#endif

/// Process-wide memory settings for programs that allocate many large image buffers.
public enum ProcessMemory {
    /// Keeps freed large buffers in the process so the next image-sized
    /// allocation reuses their pages instead of faulting in new zeroed pages.
    /// Call once at program start (the `dendrometer` command does); a no-op on
    /// platforms other than glibc.
    public static func reuseLargeBuffers() {
        #if os(Linux)
        _ = mallopt(M_MMAP_MAX, 0)
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
        #endif
    }
}
