// Deflate of palette-index scanlines: literals and runs of one byte, in dynamic
// Huffman blocks.
//
// Method (RFC 1951, "DEFLATE Compressed Data Format Specification 1.3", §§ 3.2.3–3.2.7).
// The input is cut into tokens, as zlib's Z_RLE strategy cuts it: a run of 3–258 bytes equal
// to the byte before them is one match at distance 1, every other byte a literal. Each block
// of up to ``tokensPerBlock`` tokens gets Huffman codes of its own, built from its symbol
// counts (at most 15 bits; the code-length code at most 7), and is written as a dynamic
// block, or stored when that is no longer (noise the codes cannot shorten). Bits leave a
// 64-bit accumulator 32 at a time. A piece ends byte-aligned: with an empty stored block
// (BFINAL clear: a sync flush, so pieces written on their own concatenate into one stream),
// or, for the last piece, an empty final block with the fixed codes, as zlib ends a stream
// after a flush.
//
// Why not zlib. An overlay of a micrograph is mostly the micrograph's own grey, noise that
// only the Huffman stage shortens, and zlib spends ~8 ns per byte there whatever its strategy
// (level 1; Z_RLE and Z_HUFFMAN_ONLY within 10 % of each other; libdeflate level 1 only a
// fifth faster on such data, and it cannot end a piece with a sync flush), in a symbol buffer
// of 3 bytes per token and a 16-bit bit writer. Here
// the tokens are 2 bytes, the symbols' counts are kept four-fold (neighbouring equal bytes
// do not wait on each other), each block's codes sit in one table and two literals go out in
// one write. Measured on the dense 4096² overlay, a run of 128 rows (524 416 bytes) at a
// time, both in the same process: zlib 3.7–4.5 ms per run, this encoder 2.0–2.3 ms; the
// whole overlay 11.31 MB against zlib's 11.35 MB.
//
// Worked example. The 8 bytes 05 07 07 07 07 07 07 01 are 4 tokens: literal 5, literal 7, a
// run of 5 (the 07s after the first: length symbol 259, no extra bits, distance code 0) and
// literal 1, then the end of block (symbol 256). Five lit/len symbols occur once each;
// Huffman merges literals 1 and 5, then 7 and 256, then 259 with {1, 5}, so 7, 256 and 259
// get 2 bits and 1 and 5 get 3: 12 bits of lit/len codes and 1 distance bit (the two distance
// codes get 1 bit each, code 0 alone used). zlib inflates the block to the 8 bytes again.

/// Deflate (RFC 1951) for palette-index scanlines: runs of one byte and Huffman codes (see the
/// file's header).
enum RunLengthDeflate {
    /// Tokens per dynamic block: codes adapt to each stretch of the image, and a block's header
    /// (≈ 60–100 bytes) stays small against its data.
    static let tokensPerBlock = 1 << 16
    /// Longest and shortest run a match can code (RFC 1951 § 3.2.5).
    static let longestRun = 258, shortestRun = 3
    /// Longest stored block, bytes.
    static let storedBlockBytes = 65_535
    /// Lit/len symbols: 256 literals, the end of block (256) and 29 length codes (257–285).
    static let litLenSymbols = 286, endOfBlock = 256
    /// Longest Huffman code of the lit/len and distance alphabets, and of the code-length code, bits.
    static let longestCode = 15, longestCodeLengthCode = 7

    /// Raw deflate of `data` (no zlib header). A non-final piece ends with a sync flush, so
    /// pieces compressed on their own and joined in order form one deflate stream; `final`
    /// closes the stream.
    static func compress(_ data: UnsafeBufferPointer<UInt8>, final: Bool) -> [UInt8] {
        // Worst case: every block stored (a block is written dynamic only when shorter), at most
        // 6 bytes of header and alignment per stored piece, plus the closing flush or final block.
        let blocks = data.count / tokensPerBlock + 1
        let capacity = data.count + 6 * (data.count / storedBlockBytes + 2 * blocks + 2) + 32
        // Written through a pointer and copied out at its exact length: the bound is never
        // zero-filled (only the bytes written are touched), nor kept while the pieces wait.
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var writer = BitWriter(buffer)
        let tokens = UnsafeMutablePointer<UInt16>.allocate(capacity: tokensPerBlock)
        defer { tokens.deallocate() }
        var start = 0
        while start < data.count {
            var block = Block(tokens: tokens)
            let end = block.tokenize(data, from: start)
            block.write(data, start ..< end, to: &writer)
            start = end
        }
        if final {
            writer.put(1, 1); writer.put(1, 2); writer.put(0, 7)   // BFINAL, fixed codes, end of block
            writer.alignToByte()
        } else {
            writer.put(0, 3)                                       // empty stored block: the sync flush
            writer.alignToByte()
            writer.putBytes([0x00, 0x00, 0xFF, 0xFF])
        }
        precondition(writer.position <= capacity, "deflate output beyond its bound")
        return Array(UnsafeBufferPointer(start: buffer, count: writer.position))
    }

    // MARK: - Tokens

    /// Lit/len symbol, extra bits and their value for each run length 0…258 (0–2 unused).
    static let runCodes: [(symbol: UInt16, extraBits: UInt8, extra: UInt16)] = {
        let bases = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
        let extras: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
        var table = [(symbol: UInt16, extraBits: UInt8, extra: UInt16)](repeating: (0, 0, 0), count: longestRun + 1)
        for length in shortestRun ... longestRun {
            // The last base whose range holds `length`; 258 has a code of its own (285).
            let k = bases.lastIndex { $0 <= length }!
            table[length] = (UInt16(257 + k), extras[k], UInt16(length - bases[k]))
        }
        return table
    }()

    /// One block's tokens (a literal byte < 256, or 256 + the length of a run) and symbol counts.
    struct Block {
        let tokens: UnsafeMutablePointer<UInt16>
        var count = 0
        /// Counts of lit/len symbols 0…285 (256: the end of block, once).
        var litLen = [Int](repeating: 0, count: litLenSymbols)
        var runs = 0
        /// Extra bits of all runs' lengths.
        var extraBits = 0

        init(tokens: UnsafeMutablePointer<UInt16>) { self.tokens = tokens }

        /// Tokenizes `data` from `start` until the block is full or the data ends; returns the
        /// end. A run only repeats a byte of this piece (the first byte is always a literal).
        mutating func tokenize(_ data: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
            // Locals in the loop (the struct's fields would be read and written through memory),
            // and four interleaved counts per symbol: neighbouring bytes of an image often share a
            // value, and one count would make each increment wait for the one before.
            let n = data.count, src = data.baseAddress!, out = tokens
            var i = start, k = count, runs = self.runs, extraBits = self.extraBits
            let symbols = litLenSymbols
            var counts = [Int32](repeating: 0, count: 4 * symbols)
            counts.withUnsafeMutableBufferPointer { counts in
                let counts = counts.baseAddress!
                runCodes.withUnsafeBufferPointer { runCodes in
                    while i < n && k < tokensPerBlock {
                        let byte = src[i]
                        if i > 0 && src[i - 1] == byte {
                            var run = 1
                            let limit = min(n - i, longestRun)
                            while run < limit && src[i + run] == byte { run += 1 }
                            if run >= shortestRun {
                                out[k] = UInt16(256 + run)
                                let code = runCodes[run]
                                counts[(k & 3) * symbols + Int(code.symbol)] &+= 1
                                k += 1
                                extraBits += Int(code.extraBits)
                                runs += 1
                                i += run
                                continue
                            }
                        }
                        out[k] = UInt16(byte)
                        counts[(k & 3) * symbols + Int(byte)] &+= 1
                        k += 1
                        i += 1
                    }
                }
            }
            for symbol in 0 ..< symbols {
                litLen[symbol] += (0 ..< 4).reduce(0) { $0 + Int(counts[$1 * symbols + symbol]) }
            }
            litLen[endOfBlock] = 1
            count = k
            self.runs = runs
            self.extraBits = extraBits
            return i
        }

        /// Writes the block, dynamic or stored, whichever is shorter; `bytes` are the input it covers.
        func write(_ data: UnsafeBufferPointer<UInt8>, _ bytes: Range<Int>, to writer: inout BitWriter) {
            let lit = HuffmanCode(counts: litLen, limit: longestCode)
            // Two distance codes of 1 bit (a complete code): distance 1 is code 0, written as a 0 bit.
            let distanceLengths: [UInt8] = [1, 1]
            let hlit = max(257, (lit.lengths.lastIndex { $0 != 0 } ?? 0) + 1)
            let header = CodeLengthHeader(lengths: Array(lit.lengths[0 ..< hlit]) + distanceLengths)
            var dataBits = runs + extraBits
            for symbol in 0 ..< litLenSymbols where litLen[symbol] != 0 { dataBits += litLen[symbol] * Int(lit.lengths[symbol]) }
            let dynamicBits = 3 + 5 + 5 + header.bits + dataBits
            let pieces = max(1, (bytes.count + storedBlockBytes - 1) / storedBlockBytes)
            let storedBits = pieces * (3 + 7 + 32) + 8 * bytes.count
            guard dynamicBits < storedBits else {
                writeStored(data, bytes, to: &writer)
                return
            }
            writer.put(0, 1)                                  // BFINAL clear
            writer.put(2, 2)                                  // BTYPE 10: dynamic Huffman codes
            writer.put(UInt64(hlit - 257), 5)
            writer.put(UInt64(distanceLengths.count - 1), 5)
            header.write(to: &writer)
            // Each symbol's code and length in one word; runs add their extra bits and the 0 bit
            // of distance 1. The writer's state stays in registers through the loop.
            let table = (0 ..< litLenSymbols).map { UInt64(lit.codes[$0]) | UInt64(lit.lengths[$0]) << 32 }
            table.withUnsafeBufferPointer { table in
                runCodes.withUnsafeBufferPointer { runCodes in
                    var bits = writer.takeState()
                    let tokens = self.tokens
                    var k = 0
                    while k < count {
                        let token = Int(tokens[k])
                        if token < 256 {
                            // Two literals in one write when both are (≤ 30 bits): half the flushes.
                            let entry = table[token], length = Int(entry >> 32)
                            if k + 1 < count && tokens[k + 1] < 256 {
                                let next = table[Int(tokens[k + 1])]
                                bits.put(entry & 0xFFFF_FFFF | (next & 0xFFFF_FFFF) << length, length + Int(next >> 32))
                                k += 2
                            } else {
                                bits.put(entry & 0xFFFF_FFFF, length)
                                k += 1
                            }
                        } else {
                            let run = runCodes[token - 256], entry = table[Int(run.symbol)], length = Int(entry >> 32)
                            bits.put(entry & 0xFFFF_FFFF | UInt64(run.extra) << length, length + Int(run.extraBits) + 1)
                            k += 1
                        }
                    }
                    bits.put(table[endOfBlock] & 0xFFFF_FFFF, Int(table[endOfBlock] >> 32))
                    writer.restoreState(bits)
                }
            }
        }

        /// `bytes` of `data` as stored blocks of at most 65 535 bytes.
        func writeStored(_ data: UnsafeBufferPointer<UInt8>, _ bytes: Range<Int>, to writer: inout BitWriter) {
            var at = bytes.lowerBound
            repeat {
                let n = min(storedBlockBytes, bytes.upperBound - at)
                writer.put(0, 3)                              // BFINAL clear, BTYPE 00
                writer.alignToByte()
                writer.putBytes([UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)])
                writer.putBytes(UnsafeBufferPointer(rebasing: data[at ..< at + n]))
                at += n
            } while at < bytes.upperBound
        }
    }

    // MARK: - Huffman codes

    /// Canonical Huffman code of an alphabet from its symbol counts (RFC 1951 § 3.2.2), lengths
    /// limited to `limit` bits; codes bit-reversed, ready to be written first bit first.
    struct HuffmanCode {
        var lengths: [UInt8]
        var codes: [UInt16]

        init(counts: [Int], limit: Int) {
            // At least two symbols get a code, so every code is complete (as zlib's trees).
            var counts = counts
            var used = counts.filter { $0 > 0 }.count, k = 0
            while used < 2 && k < counts.count {
                if counts[k] == 0 { counts[k] = 1; used += 1 }
                k += 1
            }
            var lengths = Self.optimalLengths(counts)
            // Too deep: flatten the counts (halved, kept ≥ 1) until the code fits; equal counts
            // give a balanced tree, so this ends.
            while let deepest = lengths.max(), Int(deepest) > limit {
                counts = counts.map { $0 == 0 ? 0 : max(1, $0 >> 1) }
                lengths = Self.optimalLengths(counts)
            }
            self.lengths = lengths
            codes = Self.canonicalCodes(lengths)
        }

        /// Huffman code lengths of the symbols with a count (0 for the others): two-queue
        /// construction over the leaves sorted by (count, symbol).
        static func optimalLengths(_ counts: [Int]) -> [UInt8] {
            let leaves = counts.indices.filter { counts[$0] > 0 }.sorted { (counts[$0], $0) < (counts[$1], $1) }
            var lengths = [UInt8](repeating: 0, count: counts.count)
            guard leaves.count > 1 else {
                for s in leaves { lengths[s] = 1 }
                return lengths
            }
            // Nodes 0..<leaves.count are the leaves, the rest merged nodes in creation order.
            var weight = leaves.map { counts[$0] }
            var parent = [Int](repeating: -1, count: 2 * leaves.count - 1)
            var nextLeaf = 0, nextMerged = leaves.count
            func takeSmallest() -> Int {
                if nextLeaf < leaves.count && (nextMerged >= weight.count || weight[nextLeaf] <= weight[nextMerged]) {
                    nextLeaf += 1
                    return nextLeaf - 1
                }
                nextMerged += 1
                return nextMerged - 1
            }
            for _ in 0 ..< leaves.count - 1 {
                let a = takeSmallest(), b = takeSmallest()
                parent[a] = weight.count
                parent[b] = weight.count
                weight.append(weight[a] + weight[b])
            }
            // Depths, root last: a node's depth is its parent's plus one.
            var depth = [Int](repeating: 0, count: weight.count)
            for node in stride(from: weight.count - 2, through: 0, by: -1) { depth[node] = depth[parent[node]] + 1 }
            for (node, symbol) in leaves.enumerated() { lengths[symbol] = UInt8(depth[node]) }
            return lengths
        }

        /// Canonical codes for `lengths` (shorter codes first, then by symbol), bit-reversed.
        static func canonicalCodes(_ lengths: [UInt8]) -> [UInt16] {
            var perLength = [Int](repeating: 0, count: 16)
            for l in lengths where l > 0 { perLength[Int(l)] += 1 }
            var next = [Int](repeating: 0, count: 16), code = 0
            for bits in 1 ..< 16 {
                code = (code + perLength[bits - 1]) << 1
                next[bits] = code
            }
            return lengths.map { l in
                guard l > 0 else { return 0 }
                let c = next[Int(l)]
                next[Int(l)] += 1
                var reversed = 0
                for bit in 0 ..< Int(l) where c >> bit & 1 != 0 { reversed |= 1 << (Int(l) - 1 - bit) }
                return UInt16(reversed)
            }
        }
    }

    /// The code lengths of a dynamic block, run-length coded with symbols 16–18 and Huffman
    /// coded with the code-length code (RFC 1951 § 3.2.7).
    struct CodeLengthHeader {
        /// The order the code-length code's lengths are sent in.
        static let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        /// (symbol 0–18, its extra bits' value) in order.
        var symbols: [(symbol: Int, extra: Int)] = []
        var code: HuffmanCode
        /// HCLEN: code-length code lengths sent (4–19).
        var sent: Int
        /// Bits of HCLEN, the code-length code and the coded lengths.
        var bits: Int

        static let extraBits = [16: 2, 17: 3, 18: 7]

        init(lengths: [UInt8]) {
            var i = 0
            while i < lengths.count {
                let l = Int(lengths[i])
                var run = 1
                while i + run < lengths.count && lengths[i + run] == lengths[i] { run += 1 }
                i += run
                if l == 0 {
                    while run >= 11 {
                        let k = min(run, 138)
                        symbols.append((18, k - 11))
                        run -= k
                    }
                    if run >= 3 {
                        symbols.append((17, run - 3))
                        run = 0
                    }
                } else {
                    symbols.append((l, 0))
                    run -= 1
                    while run >= 3 {
                        let k = min(run, 6)
                        symbols.append((16, k - 3))
                        run -= k
                    }
                }
                for _ in 0 ..< run { symbols.append((l, 0)) }
            }
            var counts = [Int](repeating: 0, count: 19)
            for s in symbols { counts[s.symbol] += 1 }
            let code = HuffmanCode(counts: counts, limit: RunLengthDeflate.longestCodeLengthCode)
            self.code = code
            sent = max(4, (Self.order.lastIndex { code.lengths[$0] != 0 } ?? 0) + 1)
            bits = 4 + 3 * sent
            for s in symbols { bits += Int(code.lengths[s.symbol]) + (Self.extraBits[s.symbol] ?? 0) }
        }

        func write(to writer: inout BitWriter) {
            writer.put(UInt64(sent - 4), 4)
            for k in 0 ..< sent { writer.put(UInt64(code.lengths[Self.order[k]]), 3) }
            for s in symbols {
                writer.put(UInt64(code.codes[s.symbol]), Int(code.lengths[s.symbol]))
                if let extra = Self.extraBits[s.symbol] { writer.put(UInt64(s.extra), extra) }
            }
        }
    }

    // MARK: - Bits

    /// Writes bits first bit first (deflate's order) into a buffer the caller sized.
    struct BitWriter {
        let out: UnsafeMutablePointer<UInt8>
        private(set) var position = 0
        private var accumulator: UInt64 = 0
        private var pending = 0

        init(_ out: UnsafeMutablePointer<UInt8>) { self.out = out }

        /// Appends the low `count` bits of `value` (count ≤ 32).
        @inline(__always) mutating func put(_ value: UInt64, _ count: Int) {
            accumulator |= value << pending
            pending += count
            if pending >= 32 {
                UnsafeMutableRawPointer(out + position).storeBytes(of: UInt32(truncatingIfNeeded: accumulator).littleEndian, as: UInt32.self)
                position += 4
                accumulator >>= 32
                pending -= 32
            }
        }

        /// A copy to write a long stretch with (a local the optimiser keeps in registers); give
        /// it back with ``restoreState(_:)``.
        func takeState() -> BitWriter { self }

        /// Continues from `copy`, made by ``takeState()`` and written to since.
        mutating func restoreState(_ copy: BitWriter) { self = copy }

        /// Pads with zero bits to a whole byte and writes out what is pending.
        mutating func alignToByte() {
            while pending > 0 {
                out[position] = UInt8(truncatingIfNeeded: accumulator)
                position += 1
                accumulator >>= 8
                pending = max(0, pending - 8)
            }
            accumulator = 0
        }

        /// Appends whole bytes (the writer must be byte-aligned).
        mutating func putBytes<C: Collection>(_ bytes: C) where C.Element == UInt8 {
            precondition(pending == 0, "bytes written between bits")
            for b in bytes {
                out[position] = b
                position += 1
            }
        }
    }
}
