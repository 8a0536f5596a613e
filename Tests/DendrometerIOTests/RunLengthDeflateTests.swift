import CZlibSystem
import DendrometerCore
@testable import DendrometerIO
import Testing

/// The deflate encoder of palette scanlines, checked by zlib's own inflate (an independent decoder).
@Suite("Run-length deflate of palette scanlines")
struct RunLengthDeflateTests {
    /// `pieces` compressed one by one (the last closing the stream) and joined, as the PNG encoder joins its runs.
    static func compressed(_ pieces: [[UInt8]]) -> [UInt8] {
        var stream = [UInt8]()
        for (k, piece) in pieces.enumerated() {
            stream += piece.withUnsafeBufferPointer { RunLengthDeflate.compress($0, final: k == pieces.count - 1) }
        }
        return stream
    }

    /// zlib's inflate of a raw deflate `stream` (wrapped as RFC 1950 so `uncompress` reads it, the
    /// trailer being the Adler-32 of `expected`); nil when zlib rejects it or its length differs.
    static func inflated(_ stream: [UInt8], expected: [UInt8]) -> [UInt8]? {
        let adler = expected.withUnsafeBufferPointer { UInt32(truncatingIfNeeded: adler32(1, $0.baseAddress, uInt($0.count))) }
        let wrapped: [UInt8] = [0x78, 0x01] + stream + [UInt8(adler >> 24), UInt8((adler >> 16) & 0xFF), UInt8((adler >> 8) & 0xFF), UInt8(adler & 0xFF)]
        var out = [UInt8](repeating: 0, count: expected.count + 1)
        var length = uLongf(out.count)
        guard uncompress(&out, &length, wrapped, uLong(wrapped.count)) == Z_OK else { return nil }
        return Array(out[0 ..< Int(length)])
    }

    @Test("the header's worked example: 05 07 07 07 07 07 07 01 is literals 5 and 7, a run of 5, literal 1; 12 bits of lit/len codes")
    func workedExample() {
        let data: [UInt8] = [5, 7, 7, 7, 7, 7, 7, 1]
        let tokens = UnsafeMutablePointer<UInt16>.allocate(capacity: RunLengthDeflate.tokensPerBlock)
        defer { tokens.deallocate() }
        var block = RunLengthDeflate.Block(tokens: tokens)
        let end = data.withUnsafeBufferPointer { block.tokenize($0, from: 0) }
        #expect(end == 8)
        #expect(Array(UnsafeBufferPointer(start: tokens, count: block.count)) == [5, 7, 256 + 5, 1])
        #expect(Self.runCode(5) == [259, 0, 0])
        // Five symbols once each: Huffman merges (1, 5), (7, 256), (259, {1, 5}), then the two halves.
        let code = RunLengthDeflate.HuffmanCode(counts: block.litLen, limit: 15)
        #expect([1, 5, 7, 256, 259].map { Int(code.lengths[$0]) } == [3, 3, 2, 2, 2])
        #expect(code.lengths.enumerated().filter { ![1, 5, 7, 256, 259].contains($0.offset) }.allSatisfy { $0.element == 0 })
        #expect([1, 5, 7, 256, 259].reduce(0) { $0 + Int(code.lengths[$1]) } == 12)
        #expect(Self.inflated(Self.compressed([data]), expected: data) == data)
    }

    @Test("run lengths follow RFC 1951 § 3.2.5: 3…10 one symbol each, 11 = 265 + 0, 12 = 265 + 1, 227 = 284 + 0, 257 = 284 + 30, 258 = 285")
    func runCodes() {
        for length in 3 ... 10 { #expect(Self.runCode(length) == [254 + length, 0, 0]) }
        #expect(Self.runCode(11) == [265, 1, 0])
        #expect(Self.runCode(12) == [265, 1, 1])
        #expect(Self.runCode(227) == [284, 5, 0])
        #expect(Self.runCode(257) == [284, 5, 30])
        #expect(Self.runCode(258) == [285, 0, 0])
    }

    /// Symbol, extra bits and extra value of a run of `length`.
    static func runCode(_ length: Int) -> [Int] {
        let code = RunLengthDeflate.runCodes[length]
        return [Int(code.symbol), Int(code.extraBits), Int(code.extra)]
    }

    @Test("zlib inflates every run length 1…600 after another byte, and runs across the 258-byte limit")
    func runsOfEveryLength() {
        for length in 1 ... 600 {
            let data = [UInt8(9)] + [UInt8](repeating: 200, count: length) + [3, 3]
            #expect(Self.inflated(Self.compressed([data]), expected: data) == data, "run of \(length)")
        }
    }

    @Test("empty, one byte, one value, all 256 values, and noise (stored: 200 000 bytes in at most 200 064) inflate exactly")
    func edgeCases() {
        var rng = SplitMix64(seed: 11)
        let noise = (0 ..< 200_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let cases: [[UInt8]] = [[], [42], [UInt8](repeating: 0, count: 70_000), (0 ..< 2048).map { UInt8(truncatingIfNeeded: $0) }, noise]
        for data in cases {
            let stream = Self.compressed([data])
            #expect(Self.inflated(stream, expected: data) == data, "\(data.count) bytes")
        }
        #expect(Self.compressed([noise]).count <= noise.count + 64)
        #expect(Self.compressed([[UInt8](repeating: 0, count: 70_000)]).count < 200)
    }

    @Test("blocks of 65 536 tokens and pieces compressed apart join into one stream zlib inflates")
    func blocksAndPieces() {
        var rng = SplitMix64(seed: 5)
        // Noise over 40 palette entries with runs now and then: several blocks per piece.
        func piece(_ n: Int) -> [UInt8] {
            var out = [UInt8]()
            while out.count < n {
                let value = UInt8(rng.next() % 40)
                out += [UInt8](repeating: value, count: rng.next() % 9 == 0 ? Int(rng.next() % 300) + 1 : 1)
            }
            return out
        }
        let pieces = [piece(150_000), [], piece(1), piece(200_000)]
        let joined = pieces.flatMap { $0 }
        #expect(Self.inflated(Self.compressed(pieces), expected: joined) == joined)
        // Each non-final piece ends with the sync flush's empty stored block.
        let first = pieces[0].withUnsafeBufferPointer { RunLengthDeflate.compress($0, final: false) }
        #expect(Array(first.suffix(4)) == [0x00, 0x00, 0xFF, 0xFF])
    }

    @Test("a code deeper than 15 bits is flattened to at most 15 bits, complete (Kraft sum 1)")
    func lengthLimit() {
        // Fibonacci counts: the optimal code is a chain 29 deep.
        var counts = [Int](repeating: 0, count: 286)
        var (a, b) = (1, 1)
        for s in 0 ..< 30 {
            counts[s] = a
            (a, b) = (b, a + b)
        }
        #expect(RunLengthDeflate.HuffmanCode.optimalLengths(counts).max() == 29)
        let code = RunLengthDeflate.HuffmanCode(counts: counts, limit: 15)
        #expect(code.lengths.max()! <= 15)
        #expect(code.lengths.reduce(0.0) { $0 + ($1 == 0 ? 0 : 1 / Double(1 << Int($1))) } == 1)
        let data = (0 ..< 30).flatMap { s in [UInt8](repeating: UInt8(s), count: 1) }
        #expect(Self.inflated(Self.compressed([data]), expected: data) == data)
    }

    @Test("an overlay-like field (noisy grey indices, tinted runs) compresses within 1 % of zlib level 1 with Z_RLE")
    func sizeAgainstZlib() {
        var rng = SplitMix64(seed: 3)
        let (w, h) = (1024, 128)
        var scanlines = [UInt8]()
        for y in 0 ..< h {
            scanlines.append(0)
            for x in 0 ..< w {
                // A grey ramp with noise, and a band of one tint (a drawn dendrite outline) every 64 columns.
                let grey = 40 + (x + y) / 16 + Int(rng.next() % 24)
                scanlines.append(x % 64 < 6 ? 250 : UInt8(min(229, grey)))
            }
        }
        let ours = Self.compressed([scanlines])
        let zlib = ParallelPNGEncoder.deflateRaw(scanlines, level: 1, strategy: Z_RLE, final: true)!
        #expect(Self.inflated(ours, expected: scanlines) == scanlines)
        #expect(Double(ours.count) <= 1.01 * Double(zlib.count), "ours \(ours.count) bytes, zlib \(zlib.count)")
    }
}
