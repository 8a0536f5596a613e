// Opt-in throughput measurement (no timing assertions): runs only when
// DENDROMETER_BENCH_MASK names a raw 4096 × 4096 uint8 mask written by
// tools/reference/bench_skeleton.py, and only in a release build:
//
//   python3 tools/reference/bench_skeleton.py /tmp/dendrites_4096.raw
//   DENDROMETER_BENCH_MASK=/tmp/dendrites_4096.raw swift test -c release \
//     -Xswiftc -enable-testing --scratch-path .build-skel --filter SkeletonBenchmark
import DendrometerCore
import Dispatch
import Foundation
import Testing
@testable import DendrometerSkeleton

@Suite("Skeleton benchmark (opt-in)")
struct SkeletonBenchmark {
    @Test func thinningAndGraphThroughput() throws {
        guard let path = ProcessInfo.processInfo.environment["DENDROMETER_BENCH_MASK"] else { return }
        #if DEBUG
        Issue.record("refusing to report timings from a debug build; use swift test -c release -Xswiftc -enable-testing")
        return
        #else
        if let t = ProcessInfo.processInfo.environment["DENDROMETER_BENCH_THREADS"].flatMap(Int.init) {
            Concurrency.maximumThreads = t
        }
        defer { Concurrency.maximumThreads = ProcessInfo.processInfo.activeProcessorCount }
        let n = 4096
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.count == n * n)
        let mask = BinaryMask(width: n, height: n, bits: [UInt8](data))
        func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let r = try body()
            return (r, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        let (skel, tSkel) = time { skeletonize(mask) }
        if ProcessInfo.processInfo.environment["DENDROMETER_BENCH_THINNING_ONLY"] != nil {
            print(String(format: "skeletonize: %.3f s, %.1f MPx/s", tSkel, Double(n * n) / 1e6 / tSkel))
            return
        }
        let (graph, tGraph) = try time { try SkeletonGraph(skeleton: skel) }
        let (_, tPrune) = try time { try pruneSpurs(skel, minimumLength: 10) }
        let mpx = Double(n * n) / 1e6
        print(String(format: "skeletonize: %.3f s, %.1f MPx/s, %d skeleton px (threads %d)",
                     tSkel, mpx / tSkel, skel.area, Concurrency.maximumThreads))
        print(String(format: "graph: %.3f s, %.1f MPx/s; %d branches, %d junctions, %d endpoints, cycles %d",
                     tGraph, mpx / tGraph, graph.branches.count, graph.summary.junctions, graph.summary.endpoints, graph.cycles))
        print(String(format: "pruneSpurs(10 px): %.3f s", tPrune))
        #expect(isSubset(skel, of: mask))
        #endif
    }
}
