import DendrometerCore
import DendrometerSegmentation
import Testing
@testable import DendrometerSkeleton

@Suite("Distance map sampled at the skeleton")
struct SkeletonDistancesTests {
    /// The header's worked example: a 3 × 3 window, skeleton = the middle row, map 1, 2, 1 there.
    @Test func workedExample() {
        let skeleton = BinaryMask(rows: ["...",
                                         "###",
                                         "..."])
        let map = Image<Float>(width: 3, height: 3, pixels: [9, 9, 9,
                                                            1, 2, 1,
                                                            9, 9, 9])
        let d = SkeletonDistances(sampling: map, at: skeleton)
        #expect(d.count == 3)
        #expect(d[3] == 1 && d[4] == 2 && d[5] == 1)
        // Pixels not sampled read 0, whatever the map held there.
        #expect(d[0] == 0 && d[8] == 0)
    }

    /// Every pixel of a 67 × 3 raster (three 64-bit words and a partial one, rows crossing word
    /// boundaries) reads back its own value where sampled and 0 elsewhere.
    @Test func everyPixelAcrossWordBoundaries() {
        let w = 67, h = 3
        var skeleton = BinaryMask(width: w, height: h)
        var map = Image<Float>(width: w, height: h)
        for i in 0 ..< w * h {
            map.pixels[i] = Float(i) + 0.5
            // Sampled: multiples of 3 and 7, and both ends of each word (63, 64, 127, 128).
            if i % 3 == 0 || i % 7 == 0 || [63, 64, 127, 128].contains(i) { skeleton.bits[i] = 1 }
        }
        let d = SkeletonDistances(sampling: map, at: skeleton)
        #expect(d.count == skeleton.area)
        for i in 0 ..< w * h {
            #expect(d[i] == (skeleton.bits[i] != 0 ? Float(i) + 0.5 : 0), "pixel \(i)")
        }
    }

    /// Widths from the sampled map equal those from the dense map: a tapered wedge's graph, built
    /// once with each, has the same branch widths and mean width (same values, same order of sums).
    @Test func graphWidthsMatchTheDenseMap() throws {
        var wedge = BinaryMask(width: 40, height: 21)
        for x in 2 ..< 38 {
            let half = (38 - x) / 6
            for y in 10 - half ... 10 + half { wedge[x, y] = true }
        }
        for k in 1 ... 6 { wedge[20 + k, 10 - k] = true; wedge[20 + k, 10 - k - 1] = true }   // a side branch
        let thinned = skeletonize(wedge)
        let dense = try distanceTransform(wedge)
        let fromDense = try SkeletonGraph(skeleton: thinned, distance: dense)
        let fromSamples = try SkeletonGraph(skeleton: thinned, widths: SkeletonDistances(sampling: dense, at: thinned))
        #expect(fromDense.branches.count > 1)
        #expect(fromDense.branches.map(\.meanWidthPx) == fromSamples.branches.map(\.meanWidthPx))
        #expect(fromDense.meanWidthPx == fromSamples.meanWidthPx)
        #expect(fromDense.meanWidthPx != nil)
    }

    /// Sampled at the skeleton before pruning, the map serves every pruning round (their
    /// skeletons are subsets): the pruned graph's widths equal those of the dense map's pruning.
    @Test func samplesBeforePruningServeThePrunedGraph() throws {
        let m = PruneSpursTests.lopsidedPlus
        var map = Image<Float>(width: m.width, height: m.height)
        for i in map.pixels.indices { map.pixels[i] = Float(i % 5) + 1 }
        let dense = try pruneSpursWithGraph(m, minimumLength: 3, distance: map)
        let sampled = try pruneSpursWithGraph(m, minimumLength: 3, widths: SkeletonDistances(sampling: map, at: m))
        #expect(dense.skeleton == sampled.skeleton)
        #expect(dense.graph.branches.map(\.meanWidthPx) == sampled.graph.branches.map(\.meanWidthPx))
        #expect(dense.graph.meanWidthPx == sampled.graph.meanWidthPx)
    }

    @Test func rasterOfAnotherShapeIsRefused() {
        let m = BinaryMask(rows: ["##"])
        let widths = SkeletonDistances(sampling: Image<Float>(width: 3, height: 1), at: BinaryMask(width: 3, height: 1))
        #expect(throws: SkeletonError.distanceMapShape(expectedWidth: 2, expectedHeight: 1, width: 3, height: 1)) {
            try SkeletonGraph(skeleton: m, widths: widths)
        }
    }
}
