import Foundation
import Testing
import DendrometerCore
@testable import DendrometerFilters

@Suite("Median filter")
struct MedianFilterTests {
    // M8 = np.random.default_rng(1).integers(0, 256, size=(7, 6)).astype(np.uint8)
    static let m8 = Image<UInt8>(width: 6, height: 7, pixels: [
        121, 131, 193, 243, 8, 36, 210, 242, 63, 79, 222, 108, 69, 211, 65, 104, 164, 140, 21, 7, 221,
        192, 214, 137, 209, 84, 115, 201, 31, 77, 31, 116, 250, 34, 98, 103, 231, 52, 128, 67, 5, 192])

    @Test("UInt8 equals scipy.ndimage.median_filter(M8, size=2r+1, mode='reflect')")
    func scipyU8() throws {
        // scipy.ndimage.median_filter(M8, size=3, mode='reflect')
        let s3: [UInt8] = [131, 131, 193, 193, 79, 36, 131, 131, 131, 104, 108, 108, 69, 69, 104, 164, 140, 140, 69, 84, 115,
                           164, 140, 137, 31, 115, 116, 192, 103, 103, 116, 116, 115, 98, 77, 98, 116, 128, 67, 67, 67, 103]
        // scipy.ndimage.median_filter(M8, size=5, mode='reflect')
        let s5: [UInt8] = [131, 131, 131, 131, 108, 108, 131, 121, 131, 137, 137, 137, 121, 121, 131, 131, 115, 137, 115, 104, 115,
                           115, 108, 108, 84, 104, 104, 115, 128, 104, 115, 116, 98, 103, 128, 98, 116, 116, 98, 98, 103, 98]
        // scipy.ndimage.median_filter(M8, size=7, mode='reflect')   (window wider than the 6-px rows)
        let s7: [UInt8] = [131, 131, 121, 131, 137, 137, 131, 131, 121, 121, 115, 108, 121, 121, 121, 115, 108, 108, 121, 116, 116,
                           115, 108, 108, 115, 104, 115, 115, 108, 108, 115, 98, 103, 104, 103, 103, 116, 98, 103, 103, 98, 103]
        // scipy.ndimage.median_filter(M8, size=9, mode='reflect')
        let s9: [UInt8] = [131, 131, 131, 131, 137, 137, 121, 121, 121, 116, 115, 115, 121, 121, 121, 116, 108, 108, 121, 121, 121,
                           116, 108, 115, 116, 116, 115, 108, 104, 108, 115, 115, 108, 104, 103, 104, 115, 115, 103, 103, 104, 115]
        for (r, expected) in [(1, s3), (2, s5), (3, s7), (4, s9)] {
            #expect(try medianFilter(Self.m8, radius: r).pixels == expected, "r = \(r)")
            #expect(try medianFilter(Self.m8, radius: r, algorithm: .scalarReference).pixels == expected, "reference r = \(r)")
        }
    }

    @Test("UInt16 and Float equal scipy.ndimage.median_filter")
    func scipyU16Float() throws {
        // M16 = np.random.default_rng(1) after M8: .integers(0, 65536, size=(6, 5)).astype(np.uint16)
        let m16 = Image<UInt16>(width: 5, height: 6, pixels: [
            4064, 18376, 32652, 31797, 7663, 64273, 49093, 63023, 6036, 47499, 19211, 35469, 60616, 18146, 47570,
            10528, 21140, 63565, 27598, 33821, 19199, 7593, 27826, 40861, 29858, 50900, 23779, 40173, 50645, 60116])
        // scipy.ndimage.median_filter(M16, size=3 / 5 / 7, mode='reflect')
        let s3: [UInt16] = [18376, 32652, 31797, 31797, 7663, 19211, 35469, 32652, 32652, 31797, 21140, 49093, 35469, 47499, 33821,
                            19199, 21140, 27826, 33821, 33821, 19199, 23779, 27826, 40173, 33821, 23779, 27826, 40173, 40861, 50645]
        let s5: [UInt16] = [35469, 31797, 32652, 32652, 31797, 21140, 21140, 31797, 32652, 31797, 21140, 21140, 29858, 32652, 31797,
                            27826, 27826, 35469, 40173, 40861, 23779, 27826, 35469, 40173, 40861, 23779, 27826, 29858, 33821, 40861]
        let s7: [UInt16] = [32652, 31797, 32652, 31797, 32652, 31797, 27826, 29858, 31797, 32652, 27826, 27598, 29858, 31797, 32652,
                            32652, 31797, 33821, 33821, 40173, 27826, 29858, 35469, 40173, 40173, 27598, 27598, 29858, 33821, 35469]
        #expect(try medianFilter(m16, radius: 1).pixels == s3)
        #expect(try medianFilter(m16, radius: 2).pixels == s5)
        #expect(try medianFilter(m16, radius: 3).pixels == s7)
        // MF = np.round(rng.normal(size=(5, 6)), 3).astype(np.float32) (same rng, next draw)
        let mf = Image<Float>(width: 6, height: 5, pixels: [
            0.663, -0.514, -1.648, 0.167, 0.109, -1.227, -0.683, -0.072, -0.945, -0.098, 0.095, 0.036, -0.506, 0.594, 0.891,
            0.321, -0.818, 0.732, -0.501, 0.879, -1.072, 0.914, -0.020, -1.249, -0.314, 0.054, 0.273, -0.982, -1.107, 0.200])
        // scipy.ndimage.median_filter(MF, size=3 / 5, mode='reflect')
        let f3: [Float] = [-0.072, -0.514, -0.514, 0.095, 0.095, 0.036, -0.506, -0.506, -0.072, 0.095, 0.095, 0.036, -0.501, -0.501,
                           0.321, -0.020, 0.036, 0.036, -0.314, 0.054, 0.321, -0.020, -0.020, -0.020, -0.314, 0.054, 0.054, -0.982, -0.982, -0.020]
        let f5: [Float] = [-0.506, -0.098, -0.072, -0.072, 0.036, 0.095, -0.501, -0.098, -0.020, -0.020, -0.020, 0.036, -0.314, -0.314,
                           -0.072, 0.036, 0.036, 0.036, -0.072, -0.314, -0.098, 0.054, 0.036, -0.020, 0.054, -0.314, -0.020, 0.054, -0.020, -0.020]
        #expect(try medianFilter(mf, radius: 1).pixels == f3)
        #expect(try medianFilter(mf, radius: 2).pixels == f5)
    }

    @Test("every fast path equals the scalar reference on random images", arguments: [1, 2, 3, 5])
    func fastMatchesReference(radius: Int) throws {
        for seed: UInt64 in 1 ... 6 {
            let w = 1 + Int(seed * 5 % 17), h = 1 + Int(seed * 3 % 13)
            let a: Image<UInt8> = randomImage(width: w, height: h, seed: seed) { UInt8.random(in: 0 ... 255, using: &$0) }
            #expect(try medianFilter(a, radius: radius) == medianReference(a, radius: radius))
            // Narrow value range → many ties.
            let t: Image<UInt8> = randomImage(width: w, height: h, seed: seed + 50) { UInt8.random(in: 0 ... 3, using: &$0) }
            #expect(try medianFilter(t, radius: radius) == medianReference(t, radius: radius))
            let b: Image<UInt16> = randomImage(width: w, height: h, seed: seed) { UInt16.random(in: 0 ... 65535, using: &$0) }
            #expect(try medianFilter(b, radius: radius) == medianReference(b, radius: radius))
            // UInt16 with ≤ 256 distinct values takes the rank-compressed UInt8 path.
            let few: Image<UInt16> = randomImage(width: w, height: h, seed: seed + 9) { UInt16.random(in: 0 ... 199, using: &$0) * 300 }
            #expect(try medianFilter(few, radius: radius) == medianReference(few, radius: radius))
            let c: Image<Float> = randomImage(width: w, height: h, seed: seed) { Float.random(in: -5 ... 5, using: &$0) }
            #expect(try medianFilter(c, radius: radius) == medianReference(c, radius: radius))
        }
    }

    @Test("UInt16 with more than 256 distinct values uses the three-level histogram, exactly")
    func manyDistinctU16() throws {
        let none = Image<UInt16>(width: 257, height: 1, pixels: (0 ..< 257).map { UInt16($0 * 3) })
        #expect(rankCompressed(none) == nil)
        let some = Image<UInt16>(width: 256, height: 1, pixels: (0 ..< 256).reversed().map { UInt16($0 * 3) })
        #expect(rankCompressed(some)?.values.count == 256)
        #expect(rankCompressed(some)?.ranks.pixels.first == 255)
        for seed: UInt64 in 1 ... 3 {
            let img: Image<UInt16> = randomImage(width: 29, height: 23, seed: seed) { UInt16.random(in: 0 ... 65535, using: &$0) }
            #expect(rankCompressed(img) == nil)
            for r in [3, 6] { #expect(try medianFilter(img, radius: r) == medianReference(img, radius: r)) }
        }
    }

    @Test("edge cases: empty, 1×1, 1-px-wide, constant, r = 0, input untouched, idempotent on constant")
    func edgeCases() throws {
        for (w, h) in [(0, 0), (0, 4), (4, 0)] {
            let e = Image<UInt8>(width: w, height: h)
            #expect(try medianFilter(e, radius: 2) == e)
        }
        #expect(try medianFilter(Image<UInt16>(width: 1, height: 1, pixels: [7]), radius: 3).pixels == [7])
        // 1×3 row [1, 5, 2], r = 1: windows {1,1,1,1,1,1,5,5,5}, {1,1,1,5,5,5,2,2,2}, {5,5,5,2,2,2,2,2,2}.
        #expect(try medianFilter(Image<UInt8>(width: 3, height: 1, pixels: [1, 5, 2]), radius: 1).pixels == [1, 2, 2])
        // Single bright pixel is removed.
        let spike = Image<Float>(width: 3, height: 3, pixels: [0, 0, 0, 0, 9, 0, 0, 0, 0])
        #expect(try medianFilter(spike, radius: 1).pixels == [Float](repeating: 0, count: 9))
        let column: Image<UInt8> = randomImage(width: 1, height: 9, seed: 4) { UInt8.random(in: 0 ... 255, using: &$0) }
        for r in 1 ... 4 { #expect(try medianFilter(column, radius: r) == medianReference(column, radius: r)) }
        for r in 0 ... 4 {
            let c = Image<UInt16>(width: 7, height: 5, fill: 1234, bitDepth: 12)
            #expect(try medianFilter(c, radius: r) == c)
        }
        let img: Image<UInt8> = randomImage(width: 8, height: 8, seed: 9) { UInt8.random(in: 0 ... 255, using: &$0) }
        let copy = img
        _ = try medianFilter(img, radius: 3)
        #expect(img == copy)
        #expect(try medianFilter(img, radius: 0) == img)
        #expect(throws: FilterError.invalidRadius(-1)) { try medianFilter(img, radius: -1) }
    }

    // MARK: Small-window fast path (MedianVectorised.swift)

    @Test("3×3 selection from sorted columns is exact on all 512 0-1 inputs (0-1 principle)")
    func median9NetworkExhaustive() {
        for bits in 0 ..< 512 {
            let v = (0 ..< 9).map { UInt8((bits >> $0) & 1) }
            // Three columns of three, each sorted (any correct sort; the kernel uses 3 compare-swaps).
            let c = (0 ..< 3).map { j in [v[j], v[j + 3], v[j + 6]].sorted() }
            let m = median9Presorted(lo: (c[0][0], c[1][0], c[2][0]), mid: (c[0][1], c[1][1], c[2][1]),
                                     hi: (c[0][2], c[1][2], c[2][2]))
            #expect(m == (v.reduce(0, +) > 4 ? 1 : 0), "input bits \(bits)")
        }
    }

    @Test("sort5 sorts all 32 0-1 inputs; 5×5 selection is exact on all 7776 column-sorted 0-1 inputs")
    func median25NetworkExhaustive() {
        for bits in 0 ..< 32 {
            let v = (0 ..< 5).map { UInt8((bits >> $0) & 1) }
            var (a, b, c, d, e) = (v[0], v[1], v[2], v[3], v[4])
            sort5(&a, &b, &c, &d, &e)
            #expect([a, b, c, d, e] == v.sorted(), "input bits \(bits)")
        }
        // A column-sorted 0-1 column is fixed by its number of ones k (0 ... 5): levels 5−k ... 4 are 1.
        // Together with sort5 this covers every 0-1 input of the full 5×5 network (0-1 principle).
        var buffer = [UInt8](repeating: 0, count: 25)
        var failures = 0
        for code in 0 ..< 7776 {
            var k = code, ones = 0
            for j in 0 ..< 5 {
                let kj = k % 6; k /= 6; ones += kj
                for i in 0 ..< 5 { buffer[i * 5 + j] = i >= 5 - kj ? 1 : 0 }   // level i of column j at [i·pitch + j]
            }
            let m = buffer.withUnsafeBufferPointer { median25Presorted($0.baseAddress!, 5) }
            if m != (ones > 12 ? 1 : 0) { failures += 1 }
        }
        #expect(failures == 0)
    }

    @Test("3×3 and 5×5 fast paths equal the sorting reference on odd shapes, UInt8 and UInt16, with every kernel set this CPU runs",
          arguments: [(1, 1), (1, 9), (9, 1), (2, 2), (7, 5), (5, 7), (33, 17), (17, 33), (3, 70), (64, 3),
                      (15, 4), (16, 4), (31, 5), (32, 5), (63, 3), (65, 6), (130, 4), (200, 3)])
    func smallWindowShapes(width: Int, height: Int) throws {
        for seed: UInt64 in 1 ... 3 {
            let a: Image<UInt8> = randomImage(width: width, height: height, seed: seed) { UInt8.random(in: 0 ... 255, using: &$0) }
            let ties: Image<UInt8> = randomImage(width: width, height: height, seed: seed + 20) { UInt8.random(in: 254 ... 255, using: &$0) }
            let b: Image<UInt16> = randomImage(width: width, height: height, seed: seed + 40) { UInt16.random(in: 0 ... 65535, using: &$0) }
            for r in 1 ... 2 {
                #expect(try medianFilter(a, radius: r) == medianReference(a, radius: r), "u8 \(width)×\(height) r = \(r)")
                #expect(try medianFilter(ties, radius: r) == medianReference(ties, radius: r), "ties \(width)×\(height) r = \(r)")
                #expect(try medianFilter(b, radius: r) == medianReference(b, radius: r), "u16 \(width)×\(height) r = \(r)")
                for k in VectorKernels.supported {
                    #expect(medianSmallVectorised(a, radius: r, kernels: k) == medianReference(a, radius: r), "u8 \(k) \(width)×\(height) r = \(r)")
                    #expect(medianSmallVectorised(ties, radius: r, kernels: k) == medianReference(ties, radius: r), "ties \(k) \(width)×\(height) r = \(r)")
                    #expect(medianSmallVectorised(b, radius: r, kernels: k) == medianReference(b, radius: r), "u16 \(k) \(width)×\(height) r = \(r)")
                }
            }
        }
    }

    @Test("Every kernel set's selection is exact on all column-sorted 0-1 inputs (3×3: 64, 5×5: 7776), UInt8 and UInt16")
    func selectionNetworksEveryKernelSet() {
        // Input k occupies columns side·k ..< side·k + side of the level lines, so
        // output x = side·k sees exactly its window while the kernels run on full vectors.
        func check<T: PixelSample & FixedWidthInteger>(_: T.Type, side: Int, kernels: VectorKernels) -> Int {
            let columnsPerInput = side + 1   // ones per column: 0 ... side
            var inputs = 1
            for _ in 0 ..< side { inputs *= columnsPerInput }
            let n = side * inputs, pitch = n + side - 1
            var levels = [T](repeating: 0, count: side * pitch)
            var expected = [T](repeating: 0, count: inputs)
            for code in 0 ..< inputs {
                var k = code, ones = 0
                for j in 0 ..< side {
                    let kj = k % columnsPerInput; k /= columnsPerInput; ones += kj
                    for i in 0 ..< side where i >= side - kj { levels[i * pitch + side * code + j] = 1 }
                }
                expected[code] = ones > side * side / 2 ? 1 : 0
            }
            var out = [T](repeating: 7, count: n)
            levels.withUnsafeBufferPointer { lb in
                out.withUnsafeMutableBufferPointer { ob in
                    selectMedians(lb.baseAddress!, pitch, side: side, count: n, out: ob.baseAddress!,
                                  using: WideMedianRows<T>(kernels, width: n))
                }
            }
            return (0 ..< inputs).filter { out[side * $0] != expected[$0] }.count
        }
        for k in VectorKernels.supported {
            for side in [3, 5] {
                #expect(check(UInt8.self, side: side, kernels: k) == 0, "UInt8 \(side)×\(side) \(k)")
                #expect(check(UInt16.self, side: side, kernels: k) == 0, "UInt16 \(side)×\(side) \(k)")
            }
        }
    }

    @Test("DENDROMETER_VECTORS: valid names (any case) are followed, others are reported")
    func vectorKernelsRequest() {
        #expect(VectorKernels.problem(withRequest: nil) == nil)
        #expect(VectorKernels.problem(withRequest: "portable") == nil)
        #expect(VectorKernels.problem(withRequest: "AVX2") == nil)
        #expect(VectorKernels.problem(withRequest: "avx3")
            == "DENDROMETER_VECTORS=avx3 is not one of portable, avx2, avx512bw; using \(VectorKernels.active.rawValue)")
        #expect(VectorKernels.supported.first == .portable && VectorKernels.supported.last == VectorKernels.widest)
    }

    @Test("The C kernels' 5×5 network is the Swift network, op for op")
    func cNetworkMatchesSwift() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let swift = try String(contentsOf: root.appendingPathComponent("Sources/DendrometerFilters/MedianVectorised.swift"), encoding: .utf8)
        let c = try String(contentsOf: root.appendingPathComponent("Sources/CVectorKernels/Median25Network.h"), encoding: .utf8)
        let swiftOps = swift.matches(of: #/let (t\d+) = (min|max)\((\w+), (\w+)\)/#)
            .map { "\($0.1) \($0.2 == "min" ? "MN" : "MX") \($0.3) \($0.4)" }
        let cOps = c.matches(of: #/V (t\d+) = (MN|MX)\((\w+), (\w+)\);/#).map { "\($0.1) \($0.2) \($0.3) \($0.4)" }
        #expect(swiftOps.count == 100)
        #expect(cOps == swiftOps)
    }

    @Test("3×3 / 5×5 on a tall image split into several row bands; bitDepth kept; input untouched")
    func smallWindowBands() throws {
        let img: Image<UInt16> = randomImage(width: 19, height: 150, seed: 5) { UInt16.random(in: 0 ... 4095, using: &$0) }
        let tall = Image<UInt16>(width: 19, height: 150, pixels: img.pixels, bitDepth: 12)
        let copy = tall
        #expect(Concurrency.bandCount(for: 150, minimumPerBand: 16) > 1 || Concurrency.maximumThreads == 1)
        for r in 1 ... 2 {
            let out = try medianFilter(tall, radius: r)
            #expect(out == medianReference(tall, radius: r))
            #expect(out.bitDepth == 12)
        }
        #expect(tall == copy)
    }
}
