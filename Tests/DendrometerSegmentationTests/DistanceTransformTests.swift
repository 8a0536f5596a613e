import Testing
import DendrometerCore
@testable import DendrometerSegmentation

@Suite struct DistanceTransformTests {
    @Test(arguments: maskReferences.indices)
    func matchesScipy(_ i: Int) throws {
        let ref = maskReferences[i]
        let m = mask(for: ref)
        // np.rint(distance_transform_edt(m) ** 2)
        let d = try distanceTransform(m)
        for k in d.pixels.indices {
            #expect(abs(Double(d.pixels[k]) - Double(ref.edtSquared[k]).squareRoot()) < 1e-5)
        }
        // distance_transform_edt(m, sampling=(1.5, 0.5)): rows 1.5, columns 0.5
        let a = try distanceTransform(m, spacingX: 0.5, spacingY: 1.5)
        #expect(abs(a.pixels.reduce(0.0) { $0 + Double($1) } - ref.anisotropicSum) < 1e-4)
        #expect(abs(Double(a.pixels.max()!) - ref.anisotropicMax) < 1e-5)
    }

    @Test func fastMatchesBruteForce() throws {
        for seed in UInt64(1) ... 8 {
            var rng = SplitMix64(seed: seed)
            let w = 1 + Int(rng.next() % 40), h = 1 + Int(rng.next() % 90)
            let m = randomMask(seed: seed &* 77, width: w, height: h, percent: 60 + rng.next() % 39)
            let sx = [1.0, 0.5, 2.0][Int(seed % 3)], sy = [1.0, 1.25, 0.3][Int(seed % 3)]
            let fast = try distanceTransform(m, spacingX: sx, spacingY: sy)
            let slow = squaredDistanceReference(m, target: 0, sx: sx, sy: sy)
            for k in slow.indices {
                #expect(abs(Double(fast.pixels[k]) - slow[k].squareRoot()) < 1e-4 || (fast.pixels[k].isInfinite && slow[k].isInfinite))
            }
            #expect(squaredDistanceToPhase(m) == squaredDistanceReference(m, target: 1))
        }
    }

    /// Wide and tall masks run the column pass and the row pass in several
    /// parallel bands (bands of ≥ 256 columns / ≥ 16 rows); a few sparse
    /// background pixels make long envelopes, denser background many short
    /// runs (the row pass solves each run of phase pixels separately), runs
    /// touching both image edges included. Checked against brute force.
    @Test func parallelBandsMatchBruteForce() throws {
        for (seed, w, h, percent) in [(UInt64(11), 700, 3, UInt64(97)), (12, 3, 120, 97), (13, 530, 5, 97),
                                      (14, 300, 9, 30), (15, 41, 37, 70)] {
            let m = randomMask(seed: seed, width: w, height: h, percent: percent)
            let fast = try distanceTransform(m)
            let slow = squaredDistanceReference(m, target: 0)
            for k in slow.indices {
                #expect(fast.pixels[k] == Float(slow[k]).squareRoot())
            }
            #expect(squaredDistanceToPhase(m) == squaredDistanceReference(m, target: 1))
        }
    }

    @Test func handChecked() throws {
        let square = BinaryMask(rows: [".....", ".###.", ".###.", ".###.", "....."])
        let d = try distanceTransform(square)
        #expect(d.pixels[12] == 2)
        #expect(d.pixels[6] == 1 && d.pixels[7] == 1 && d.pixels[0] == 0)
        // Outside the image is not background (scipy): a bar along the top edge.
        let bar = BinaryMask(rows: ["###", "...", "..."])
        #expect(try distanceTransform(bar).pixels == [1, 1, 1, 0, 0, 0, 0, 0, 0])
        // Diagonal distance √2.
        let corner = BinaryMask(rows: ["##", "#."])
        #expect(try distanceTransform(corner).pixels == [Float(2).squareRoot(), 1, 1, 0])
        #expect(squaredDistanceToPhase(BinaryMask(rows: ["#.."])) == [0, 1, 4])
    }

    @Test func edgeCases() throws {
        // Full mask: no background at all -> +infinity (documented).
        let full = BinaryMask(rows: ["###", "###"])
        #expect(try distanceTransform(full).pixels.allSatisfy { $0 == .infinity })
        // Empty mask: zeros; squared distance to an absent phase is +infinity.
        let empty = BinaryMask(width: 4, height: 3)
        #expect(try distanceTransform(empty).pixels.allSatisfy { $0 == 0 })
        #expect(squaredDistanceToPhase(empty).allSatisfy { $0 == .infinity })
        // Single pixel, 1-px-wide column, 0×0.
        #expect(try distanceTransform(BinaryMask(rows: ["#"])).pixels == [.infinity])
        let column = BinaryMask(rows: ["#", "#", "#", ".", "#"])
        #expect(try distanceTransform(column).pixels == [3, 2, 1, 0, 1])
        #expect(try distanceTransform(BinaryMask(width: 0, height: 0)).pixels.isEmpty)
        #expect(throws: SegmentationError.self) { try distanceTransform(column, spacingX: 0) }
        // Input not modified.
        let m = blobMask(seed: 3), copy = m
        _ = try distanceTransform(m)
        #expect(m == copy)
    }

    @Test func symmetricUnderTransposeAndFlip() throws {
        for seed in UInt64(1) ... 10 {
            let m = randomMask(seed: seed, width: 23, height: 17, percent: 80)
            let d = try distanceTransform(m)
            let t = transpose(m), fx = flipX(m)
            let dt = try distanceTransform(t), df = try distanceTransform(fx)
            for y in 0 ..< m.height {
                for x in 0 ..< m.width {
                    #expect(d[x, y] == dt[y, x])
                    #expect(d[x, y] == df[m.width - 1 - x, y])
                }
            }
        }
    }
}

func transpose(_ m: BinaryMask) -> BinaryMask {
    var t = BinaryMask(width: m.height, height: m.width)
    for y in 0 ..< m.height { for x in 0 ..< m.width { t[y, x] = m[x, y] } }
    return t
}

func flipX(_ m: BinaryMask) -> BinaryMask {
    var t = BinaryMask(width: m.width, height: m.height)
    for y in 0 ..< m.height { for x in 0 ..< m.width { t[m.width - 1 - x, y] = m[x, y] } }
    return t
}
