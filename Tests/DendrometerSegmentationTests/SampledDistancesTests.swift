import DendrometerCore
import Testing
@testable import DendrometerSegmentation

@Suite("Distance map sampled at chosen pixels")
struct SampledDistancesTests {
    /// The header's worked example: a 3 × 3 window, skeleton = the middle row, map 1, 2, 1 there.
    @Test func workedExample() {
        let skeleton = BinaryMask(rows: ["...",
                                         "###",
                                         "..."])
        let map = Image<Float>(width: 3, height: 3, pixels: [9, 9, 9,
                                                            1, 2, 1,
                                                            9, 9, 9])
        let d = SampledDistances(sampling: map, at: skeleton)
        #expect(d.count == 3)
        #expect(d[3] == 1 && d[4] == 2 && d[5] == 1)
        // Pixels not sampled read 0, whatever the map held there.
        #expect(d[0] == 0 && d[8] == 0)
    }

    /// Every pixel of a 67 × 3 raster (three 64-bit words and a partial one, rows crossing word
    /// boundaries) reads back its own value where sampled and 0 elsewhere, and its rank.
    @Test func everyPixelAcrossWordBoundaries() {
        let w = 67, h = 3
        var skeleton = BinaryMask(width: w, height: h)
        var map = Image<Float>(width: w, height: h)
        for i in 0 ..< w * h {
            map.pixels[i] = Float(i) + 0.5
            // Sampled: multiples of 3 and 7, and both ends of each word (63, 64, 127, 128).
            if i % 3 == 0 || i % 7 == 0 || [63, 64, 127, 128].contains(i) { skeleton.bits[i] = 1 }
        }
        let d = SampledDistances(sampling: map, at: skeleton)
        #expect(d.count == skeleton.area)
        for i in 0 ..< w * h {
            #expect(d[i] == (skeleton.bits[i] != 0 ? Float(i) + 0.5 : 0), "pixel \(i)")
        }
        // rank(of:) numbers the sampled pixels 0, 1, 2, … in raster order; nil elsewhere.
        var next = 0
        for i in 0 ..< w * h {
            if skeleton.bits[i] != 0 {
                #expect(d.rank(of: i) == next, "pixel \(i)")
                next += 1
            } else {
                #expect(d.rank(of: i) == nil, "pixel \(i)")
            }
        }
        #expect(next == d.count)
    }

    /// The sampled transform equals the full map at every marked pixel, value for value: random
    /// masks of several densities (isolated pixels to nearly full, so columns without background
    /// occur), every pixel marked, and unit spacing.
    @Test(arguments: [5, 40, 75, 97] as [UInt64])
    func sampledEqualsTheFullMap(percent: UInt64) throws {
        for (seed, (w, h)) in [(1, (23, 17)), (2, (64, 9)), (3, (7, 70)), (4, (130, 31))] as [(UInt64, (Int, Int))] {
            let mask = randomMask(seed: seed &* 31 &+ percent, width: w, height: h, percent: percent)
            let full = try distanceTransform(mask)
            let every = BinaryMask(width: w, height: h, bits: [UInt8](repeating: 1, count: w * h))
            let sampled = try distanceTransform(mask, sampledAt: every)
            #expect(sampled.count == w * h)
            for i in 0 ..< w * h {
                #expect(sampled[i] == full.pixels[i], "\(w)×\(h) at \(percent) %, pixel \(i)")
            }
        }
    }

    /// Anisotropic pixels: the same Double terms as the row envelope, so the same values.
    @Test func anisotropicSpacing() throws {
        let mask = randomMask(seed: 77, width: 41, height: 29, percent: 70)
        let full = try distanceTransform(mask, spacingX: 0.5, spacingY: 1.25)
        let every = BinaryMask(width: 41, height: 29, bits: [UInt8](repeating: 1, count: 41 * 29))
        let sampled = try distanceTransform(mask, sampledAt: every, spacingX: 0.5, spacingY: 1.25)
        for i in 0 ..< 41 * 29 { #expect(sampled[i] == full.pixels[i], "pixel \(i)") }
    }

    /// The doc comment's example; a mask without background gives +infinity, as the full map;
    /// a sampled background pixel is 0; a sampling mask of another shape is refused.
    @Test func edgeCases() throws {
        let square = BinaryMask(rows: [".....", ".###.", ".###.", ".###.", "....."])
        let centre = BinaryMask(rows: [".....", ".....", "..#..", ".....", "....."])
        #expect(try distanceTransform(square, sampledAt: centre)[12] == 2)
        let corner = BinaryMask(rows: ["#....", ".....", ".....", ".....", "....."])
        #expect(try distanceTransform(square, sampledAt: corner)[0] == 0)
        let solid = BinaryMask(rows: ["###", "###"])
        #expect(try distanceTransform(solid, sampledAt: solid)[4] == .infinity)
        #expect(throws: SegmentationError.self) { try distanceTransform(square, sampledAt: solid) }
    }
}
