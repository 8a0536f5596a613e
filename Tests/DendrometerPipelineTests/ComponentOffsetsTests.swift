import DendrometerCore
import DendrometerGeometry
@testable import DendrometerPipeline
import DendrometerSegmentation
import Testing

@Suite("Component offsets and removal on runs")
struct ComponentOffsetsTests {
    @Test("the doc comment's example: rows 5 and 6 over a bottom interface at 2.5")
    func example() {
        var mask = BinaryMask(width: 4, height: 8)
        mask.bits[5 * 4 + 1] = 1
        mask.bits[6 * 4 + 1] = 1
        let interface = Interface.straight(side: .bottom, width: 4, height: 8, v0: 2.5)
        let (nearest, farthest) = componentRuns(mask).offsets(from: interface)
        #expect(nearest[1] == -1.5 && farthest[1] == -0.5)
    }

    @Test("offsets equal the label-image offsets and removal equals a label-image removal, on every side",
          arguments: AnodeSide.allCases)
    func matchesLabelImage(side: AnodeSide) {
        var rng = SplitMix64(seed: 40 + UInt64(AnodeSide.allCases.firstIndex(of: side)!))
        for trial in 0 ..< 12 {
            let w = 3 + Int(rng.next() % 70), h = 3 + Int(rng.next() % 50)
            let mask = BinaryMask(width: w, height: h, normalizedBits: (0 ..< w * h).map { _ in rng.next() % 3 == 0 ? 1 : 0 })
            let length = Double(side.length(width: w, height: h))
            let interface = Interface(side: side, width: w, height: h, knotsU: [0, length / 3, length],
                                      knotsV: [Double(rng.next() % 9), Double(rng.next() % 9), Double(rng.next() % 9)])
            let labels = labelComponents(mask, connectivity: .eight)
            let runs = componentRuns(mask, connectivity: .eight)
            let reference = interface.componentOffsets(labels: labels.labels, componentCount: labels.count)
            let got = runs.offsets(from: interface)
            #expect(got.nearest == reference.nearest && got.farthest == reference.farthest, "trial \(trial)")
            let drop = (0 ... labels.count).map { $0 > 0 && rng.next() % 2 == 0 }
            var expected = mask
            for i in expected.bits.indices where drop[Int(labels.labels[i])] { expected.bits[i] = 0 }
            #expect(runs.removing(drop, from: mask) == expected, "trial \(trial)")
        }
    }
}
