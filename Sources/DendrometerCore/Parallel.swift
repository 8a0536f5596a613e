import Dispatch
import Foundation

/// Splits `0 ..< count` into contiguous bands and runs `body` on them
/// concurrently with `DispatchQueue.concurrentPerform`. Bands are disjoint, so
/// a kernel may write rows of its own band through a shared pointer without
/// synchronisation. Small inputs run on the calling thread.
///
/// - Parameters:
///   - count: number of items (usually rows).
///   - minimumPerBand: below twice this many items, no threads are used.
///   - body: receives one half-open range of items; called once per band.
@inlinable
public func parallelBands(_ count: Int, minimumPerBand: Int = 32, _ body: (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let bands = Concurrency.bandCount(for: count, minimumPerBand: minimumPerBand)
    if bands <= 1 {
        body(0 ..< count)
        return
    }
    // `body` runs concurrently on disjoint bands; the caller promises that the
    // bands do not write shared state (documented precondition of every kernel).
    withoutActuallyEscaping(body) { body in
        let shared = UncheckedSendableBox(body)
        DispatchQueue.concurrentPerform(iterations: bands) { b in
            let lo = b * count / bands
            let hi = (b + 1) * count / bands
            if lo < hi { shared.value(lo ..< hi) }
        }
    }
}

/// Process-wide threading settings for the kernels.
public enum Concurrency {
    /// Upper bound on worker threads a kernel uses. Defaults to the CPUs this
    /// process may run on (``CPUAllotment/count``: affinity mask and cgroup quota,
    /// not the machine's cores); a batch runner that analyses several files at once
    /// lowers it so kernels do not oversubscribe the CPUs.
    nonisolated(unsafe) public static var maximumThreads: Int = CPUAllotment.count

    /// Bands to split `count` items into: a few per thread for load balance.
    @inlinable
    public static func bandCount(for count: Int, minimumPerBand: Int) -> Int {
        let threads = max(1, maximumThreads)
        if threads == 1 || count < 2 * max(1, minimumPerBand) { return 1 }
        return min(threads * 4, count / max(1, minimumPerBand))
    }
}

/// Carries a non-Sendable value into concurrently running bands. Only for
/// values the bands use without data races (read-only captures, disjoint writes).
@usableFromInline
struct UncheckedSendableBox<T>: @unchecked Sendable {
    @usableFromInline let value: T
    @inlinable init(_ value: T) { self.value = value }
}

/// A raw pointer that may be shared by concurrently running bands that touch
/// disjoint elements. The caller guarantees the disjointness.
public struct SendablePointer<T>: @unchecked Sendable {
    /// The wrapped pointer.
    public let base: UnsafeMutablePointer<T>
    /// Wraps `base`.
    @inlinable public init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}

/// Splits `0 ..< count` into bands like ``parallelBands(_:minimumPerBand:_:)``,
/// gives each band its own accumulator (made by `initial`) and returns the
/// accumulators in band order for the caller to merge: a parallel reduction
/// without locks or shared writes.
///
/// - Parameters:
///   - count: number of items (usually rows).
///   - minimumPerBand: below twice this many items, one band on the calling thread.
///   - initial: makes an empty accumulator (called once per band).
///   - body: folds one band of items into its accumulator.
@inlinable
public func parallelBandResults<T>(_ count: Int, minimumPerBand: Int = 32, initial: () -> T,
                                   _ body: (Range<Int>, inout T) -> Void) -> [T] {
    guard count > 0 else { return [] }
    let bands = Concurrency.bandCount(for: count, minimumPerBand: minimumPerBand)
    var results = (0 ..< bands).map { _ in initial() }
    results.withUnsafeMutableBufferPointer { out in
        let slots = SendablePointer(out.baseAddress!)
        parallelBands(bands, minimumPerBand: 1) { range in
            for b in range { body(b * count / bands ..< (b + 1) * count / bands, &slots.base[b]) }
        }
    }
    return results
}

/// A read-only pointer shared by concurrently running bands.
public struct SendableConstPointer<T>: @unchecked Sendable {
    /// The wrapped pointer.
    public let base: UnsafePointer<T>
    /// Wraps `base`.
    @inlinable public init(_ base: UnsafePointer<T>) { self.base = base }
}

/// A job started on another thread at once, whose result is collected later with ``wait()``:
/// for a sequential stage (e.g. spur pruning) that can run on one core while independent,
/// parallel stages use the others. With one thread allowed (``Concurrency/maximumThreads``) the
/// job runs at once on the calling thread.
public final class BackgroundJob<T>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written once by the job before `done` is signalled, read after `wait()` returns.
    private var outcome: Result<T, any Error>?

    /// Starts `work`.
    public init(_ work: @escaping @Sendable () throws -> T) {
        if Concurrency.maximumThreads <= 1 {
            outcome = Result { try work() }
            done.signal()
            return
        }
        DispatchQueue.global().async {
            self.outcome = Result { try work() }
            self.done.signal()
        }
    }

    /// Blocks until the job has finished; its value, or the error it threw. Call once.
    public func wait() throws -> T {
        done.wait()
        return try outcome!.get()
    }
}
