import DendrometerCore
import DendrometerSegmentation
import Testing
@testable import DendrometerSkeleton

@Suite("Skeleton widths from a sampled distance map")
struct SampledWidthsTests {
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
        let fromSamples = try SkeletonGraph(skeleton: thinned, widths: SampledDistances(sampling: dense, at: thinned))
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
        let sampled = try pruneSpursWithGraph(m, minimumLength: 3, widths: SampledDistances(sampling: map, at: m))
        #expect(dense.skeleton == sampled.skeleton)
        #expect(dense.graph.branches.map(\.meanWidthPx) == sampled.graph.branches.map(\.meanWidthPx))
        #expect(dense.graph.meanWidthPx == sampled.graph.meanWidthPx)
    }

    @Test func rasterOfAnotherShapeIsRefused() {
        let m = BinaryMask(rows: ["##"])
        let widths = SampledDistances(sampling: Image<Float>(width: 3, height: 1), at: BinaryMask(width: 3, height: 1))
        #expect(throws: SkeletonError.distanceMapShape(expectedWidth: 2, expectedHeight: 1, width: 3, height: 1)) {
            try SkeletonGraph(skeleton: m, widths: widths)
        }
    }
}
