import Testing
import Foundation
import DendrometerCore
@testable import DendrometerFilters

@Suite("Filter benchmarks")
struct FilterBenchmarkTests {
    @Test("benchmark runner works on a tiny image")
    func smoke() {
        let results = FilterBenchmarks.run(width: 24, height: 16, repetitions: 1)
        #expect(results.count == 15)
        #expect(results.allSatisfy { $0.megapixelsPerSecond > 0 && $0.seconds >= 0 })
    }

    /// Prints the 4096² figures when DENDROMETER_BENCH=1 (release builds only):
    /// `DENDROMETER_BENCH=1 swift test -c release --scratch-path .build-filters --filter FilterBenchmarkTests`
    /// Optional: DENDROMETER_BENCH_ONLY=<name part>, DENDROMETER_BENCH_REPS=<n>,
    /// DENDROMETER_BENCH_THREADS=<n>, DENDROMETER_BENCH_SIZE=<px>.
    @Test("prints throughput at 4096² (DENDROMETER_BENCH=1, release)",
          .enabled(if: ProcessInfo.processInfo.environment["DENDROMETER_BENCH"] == "1"))
    func report() {
        guard FilterBenchmarks.isOptimizedBuild else {
            print("refusing to report benchmark numbers from a debug build")
            return
        }
        if let t = Int(ProcessInfo.processInfo.environment["DENDROMETER_BENCH_THREADS"] ?? "") {
            Concurrency.maximumThreads = t
        }
        defer { Concurrency.maximumThreads = ProcessInfo.processInfo.activeProcessorCount }
        let n = Int(ProcessInfo.processInfo.environment["DENDROMETER_BENCH_SIZE"] ?? "") ?? 4096
        let only = ProcessInfo.processInfo.environment["DENDROMETER_BENCH_ONLY"]
        let reps = Int(ProcessInfo.processInfo.environment["DENDROMETER_BENCH_REPS"] ?? "") ?? 3
        for r in FilterBenchmarks.run(width: n, height: n, repetitions: reps, matching: only) {
            let name = r.name.padding(toLength: 40, withPad: " ", startingAt: 0)
            print(name + String(format: "%9.1f MPx/s  %8.2f ms", r.megapixelsPerSecond, r.seconds * 1000))
        }
    }
}
