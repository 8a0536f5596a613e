import Testing
import DendrometerCore
@testable import DendrometerSegmentation

@Suite struct ConnectedComponentsTests {
    @Test(arguments: maskReferences.indices)
    func matchesScikitImage(_ i: Int) {
        // skimage.measure.label / regionprops
        let ref = maskReferences[i]
        let m = mask(for: ref)
        let l8 = labelComponents(m, connectivity: .eight)
        #expect(l8.count == ref.components8)
        #expect(l8.components.map(\.area) == ref.areas8)
        #expect(l8.components.map { [$0.boundingBox.x, $0.boundingBox.y, $0.boundingBox.width, $0.boundingBox.height] } == ref.bboxes8)
        for (c, e) in zip(l8.components, ref.centroids8) {
            #expect(abs(c.centroidX - e[0]) < 1e-9 && abs(c.centroidY - e[1]) < 1e-9)
        }
        let l4 = labelComponents(m, connectivity: .four)
        #expect(l4.count == ref.components4)
        #expect(l4.components.map(\.area) == ref.areas4)
        #expect(componentCount(m, connectivity: .eight) == ref.components8)
    }

    @Test func runLabellerMatchesFloodFill() {
        // Tall masks so that several row bands and seams are exercised; widths
        // around the 64-pixel words rows are packed into (runs that cross a word
        // boundary or reach the last column of a whole number of words).
        for seed in UInt64(1) ... 16 {
            var rng = SplitMix64(seed: seed)
            let boundaryWidths = [63, 64, 65, 128]
            let w = seed <= 4 ? boundaryWidths[Int(seed) - 1] : 1 + Int(rng.next() % 200)
            let h = 1 + Int(rng.next() % 500)
            let m = randomMask(seed: seed &* 31, width: w, height: h, percent: 30 + rng.next() % 60)
            for conn in Connectivity.allCases {
                let fast = labelComponents(m, connectivity: conn)
                let slow = labelReference(m, connectivity: conn)
                #expect(fast.labels == slow.labels)
                #expect(fast.count == slow.count)
                #expect(fast.components.reduce(0) { $0 + $1.area } == m.area)
            }
        }
    }

    @Test func handChecked() {
        let diag = BinaryMask(rows: ["#.#", ".#.", "..."])
        #expect(labelComponents(diag, connectivity: .eight).count == 1)
        #expect(labelComponents(diag, connectivity: .four).labels == [1, 0, 2, 0, 3, 0, 0, 0, 0])
        // Raster order of first pixel: the right object starts higher.
        let two = BinaryMask(rows: ["...#", "#..#", "#..."])
        let l = labelComponents(two)
        #expect(l.labels == [0, 0, 0, 1, 2, 0, 0, 1, 2, 0, 0, 0])
        #expect(l.components[0] == Component(label: 1, area: 2, boundingBox: PixelRect(x: 3, y: 0, width: 1, height: 2), centroidX: 3, centroidY: 0.5))
        // U shape: two runs join below.
        let u = BinaryMask(rows: ["#.#", "#.#", "###"])
        #expect(labelComponents(u).labels == [1, 0, 1, 1, 0, 1, 1, 1, 1])
    }

    @Test func edgeCases() throws {
        #expect(labelComponents(BinaryMask(width: 0, height: 0)).count == 0)
        #expect(labelComponents(BinaryMask(width: 0, height: 3)).count == 0)
        #expect(fillHoles(BinaryMask(width: 0, height: 3)) == BinaryMask(width: 0, height: 3))
        #expect(try removeSmallObjects(BinaryMask(width: 3, height: 0), minimumArea: 5) == BinaryMask(width: 3, height: 0))
        #expect(labelComponents(BinaryMask(width: 5, height: 4)).count == 0)
        // Full rows of one and two whole words: one run per row, reaching the last column.
        for w in [64, 128] {
            let full = BinaryMask(width: w, height: 3, bits: [UInt8](repeating: 1, count: w * 3))
            let l = labelComponents(full)
            #expect(l.count == 1 && l.components[0].area == 3 * w)
            #expect(l.components[0].boundingBox == PixelRect(x: 0, y: 0, width: w, height: 3))
        }
        let full = labelComponents(BinaryMask(rows: ["###", "###"]))
        #expect(full.count == 1 && full.components[0].area == 6 && full.components[0].centroidX == 1)
        #expect(labelComponents(BinaryMask(rows: ["#"])).labels == [1])
        let column = BinaryMask(rows: ["#", ".", "#", "#"])
        #expect(labelComponents(column).labels == [1, 0, 2, 2])
    }
}

@Suite("Components as runs")
struct ComponentRunsTests {
    @Test("the doc comment's example")
    func example() {
        let runs = componentRuns(BinaryMask(rows: ["##.#", "...#"]))
        #expect(runs.count == 2)
        #expect(runs.label(atX: 3, y: 1) == 2 && runs.label(atX: 0, y: 0) == 1 && runs.label(atX: 2, y: 0) == 0)
        #expect(runs.runs(inRow: 0).map { runs.runs[$0] } == [PixelRun(x0: 0, x1: 2), PixelRun(x0: 3, x1: 4)])
        #expect(runs.label(atX: -1, y: 0) == 0 && runs.label(atX: 4, y: 0) == 0 && runs.label(atX: 0, y: 2) == 0)
    }

    @Test("runs cover exactly the label image of labelComponents, label for label, on random masks",
          arguments: [Connectivity.four, .eight])
    func matchesLabelImage(connectivity: Connectivity) {
        var rng = SplitMix64(seed: connectivity == .eight ? 11 : 12)
        for trial in 0 ..< 25 {
            let w = 1 + Int(rng.next() % 140), h = 1 + Int(rng.next() % 60)
            let density = 1 + rng.next() % 3
            let mask = BinaryMask(width: w, height: h, normalizedBits: (0 ..< w * h).map { _ in rng.next() % 4 < density ? 1 : 0 })
            let labels = labelComponents(mask, connectivity: connectivity)
            let runs = componentRuns(mask, connectivity: connectivity)
            #expect(runs.components == labels.components, "trial \(trial)")
            var painted = [Int32](repeating: 0, count: w * h)
            for y in 0 ..< h {
                for r in runs.runs(inRow: y) {
                    for x in Int(runs.runs[r].x0) ..< Int(runs.runs[r].x1) { painted[y * w + x] = runs.labelOfRun[r] }
                }
            }
            #expect(painted == labels.labels, "trial \(trial)")
            for _ in 0 ..< 40 {
                let x = Int(rng.next() % UInt64(w)), y = Int(rng.next() % UInt64(h))
                #expect(runs.label(atX: x, y: y) == Int(labels.labels[y * w + x]))
            }
        }
    }
}
