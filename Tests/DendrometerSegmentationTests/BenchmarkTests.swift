// Throughput of the segmentation kernels at 4096 × 4096 (or
// DENDROMETER_BENCH_SIZE), printed in MPx/s. Not part of the normal test run:
// enabled only with DENDROMETER_BENCH=1, and refuses to report from a debug build.
//
//   DENDROMETER_BENCH=1 swift test -c release --scratch-path .build-seg --filter SegmentationBenchmark
//
// DENDROMETER_BENCH_ONLY=<substring> runs only the matching kernels;
// DENDROMETER_BENCH_THREADS=N sets Concurrency.maximumThreads.
// Python counterpart: tools/reference/bench_segmentation.py (same pattern).
import Dispatch
import Foundation
import Testing
import DendrometerCore
@testable import DendrometerSegmentation

@Suite(.enabled(if: ProcessInfo.processInfo.environment["DENDROMETER_BENCH"] != nil))
struct SegmentationBenchmark {
    @Test func throughput() throws {
        #if DEBUG
        print("SegmentationBenchmark: refusing to report numbers from a debug build; use -c release")
        return
        #else
        let n = Int(ProcessInfo.processInfo.environment["DENDROMETER_BENCH_SIZE"] ?? "") ?? 4096
        if let t = Int(ProcessInfo.processInfo.environment["DENDROMETER_BENCH_THREADS"] ?? "") { Concurrency.maximumThreads = t }
        var rng = SplitMix64(seed: 1)
        var px = [UInt8](repeating: 0, count: n * n)
        for y in 0 ..< n {
            for x in 0 ..< n {
                // approx. N(0,1) noise: sum of 4 uniforms, centred and scaled
                var u = 0.0
                for _ in 0 ..< 4 { u += Double(rng.next() >> 11) / Double(1 << 53) }
                let noise = (u - 2) * 1.732
                let v = 128 + 90 * sin(0.05 * Double(x)) * sin(0.07 * Double(y)) + 25 * noise
                px[y * n + x] = UInt8(max(0, min(255, v)))
            }
        }
        let u8 = Image(width: n, height: n, pixels: px)
        let u16 = u8.map(bitDepth: 16) { UInt16($0) * 257 }
        let mask = segment(u8, threshold: 128, polarity: .bright)
        let mpx = Double(n * n) / 1e6
        var sink = 0.0
        let only = ProcessInfo.processInfo.environment["DENDROMETER_BENCH_ONLY"]
        func bench(_ name: String, repeat count: Int = 3, _ body: () throws -> Double) rethrows {
            if let only, !name.contains(only) { return }
            var best = Double.infinity
            for _ in 0 ..< count {
                let t = DispatchTime.now().uptimeNanoseconds
                sink += try body()
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
            }
            print(name.padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: "%10.1f MPx/s  (%8.1f ms)", mpx / best, best * 1e3))
        }
        print("threads: \(Concurrency.maximumThreads), size \(n)×\(n)")
        try bench("otsuThreshold u8", repeat: 10) { try otsuThreshold(u8) }
        try bench("otsuThreshold u16") { try otsuThreshold(u16) }
        try bench("liThreshold u8") { try liThreshold(u8) }
        try bench("triangleThreshold u8") { try triangleThreshold(u8) }
        try bench("multiOtsuThresholds u8") { try multiOtsuThresholds(u8).0 }
        try bench("sauvolaThresholds u8 w=15") { Double(try sauvolaThresholds(u8, window: 15).pixels[7]) }
        bench("segment u8") { Double(segment(u8, threshold: 128, polarity: .bright).bits[3]) }
        try bench("distanceTransform") { Double(try distanceTransform(mask).pixels[5]) }
        try bench("dilation r=3") { Double(try dilation(mask, radius: 3).bits[9]) }
        try bench("erosion r=3") { Double(try erosion(mask, radius: 3).bits[9]) }
        try bench("dilation r=10") { Double(try dilation(mask, radius: 10).bits[9]) }
        bench("labelComponents .eight") { Double(labelComponents(mask).count) }
        bench("componentCount .eight") { Double(componentCount(mask)) }
        bench("eulerNumber") { Double(eulerNumber(mask)) }
        bench("fillHoles") { Double(fillHoles(mask).bits[11]) }
        try bench("removeSmallObjects minimumArea=64") { Double(try removeSmallObjects(mask, minimumArea: 64).bits[13]) }
        #expect(sink.isFinite)
        #endif
    }
}
