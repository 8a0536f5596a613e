// The pixel-classifier file format (".dmpc"), versions 1 and 2. All integers
// little-endian. Version 2 is version 1 plus the feature bank's "pyramid" (the
// Gaussian pyramid its large scales are computed on, FeatureBank.swift); a bank
// without one is written as version 1, byte for byte as before, so older tools
// read it, and they refuse a version-2 file rather than compute its features
// the wrong way.
//
//   offset  size  content
//   0       4     magic "DMPC"
//   4       4     format version, UInt32 (1 or 2)
//   8       8     total file length in bytes, UInt64 (detects truncation)
//   16      4     header length H, UInt32
//   20      H     header: UTF-8 JSON (sorted keys) with everything except the trees
//                 (class names, feature bank, normalisation, calibration, training
//                 pixel counts, forest parameters, feature names for people)
//   …       16    classCount K, featureCount F, treeCount T, leafCount L (UInt32 each)
//   …       4·T   node count of each tree (UInt32)
//   …       16·N  nodes, tree after tree: feature Int32 (−1 = leaf), threshold Float32 bits,
//                 left Int32, right Int32 (internal: tree-local child indices, both
//                 greater than the node's; leaf: left = forest-wide leaf index, leaves
//                 numbered 0, 1, 2 … in node order, right = 0, threshold = 0)
//   …       4·L·K leaf class probabilities, Float32, K per leaf
//   end−4   4     CRC-32 (IEEE 802.3, as zlib / PNG) of every byte before it
//
// Loading checks, in order: magic, version, length, checksum, then every count
// against the bytes that remain (before allocating) and every node (indices in
// range, children after parents so no cycles, features < F, thresholds and
// probabilities finite), and no tree deeper than the declared maximum depth.
// Any failure is one `LearningError`; nothing traps.

import Foundation

/// File magic of a pixel-classifier model.
let modelMagic: [UInt8] = Array("DMPC".utf8)
/// Bytes before the JSON header: magic, version, length, header length.
let modelPreambleSize = 20
/// Size of the trailing CRC-32.
let modelChecksumSize = 4
/// Bytes per stored node.
let modelNodeSize = 16

/// The JSON header of a model file.
struct ModelHeader: Codable, Equatable {
    var classNames: [String]
    var featureBank: FeatureBank
    var featureCount: Int
    /// For people reading the file; not used when loading.
    var featureNames: [String]
    var normalisation: IntensityNormalisation
    /// For people reading the file; not used when loading.
    var normalisationRule: String
    var referencePixelSizeMicrometres: Double?
    var trainingPixelSizesMicrometres: [Double?]
    var trainingPixelsPerClass: [Int]
    var forestParameters: RandomForest.Parameters
}

extension PixelClassifier {
    /// The model as a `.dmpc` file of version ``formatVersion(for:)`` of its bank (see
    /// ModelSerialization.swift for the layout).
    /// Deterministic: equal models give equal bytes.
    public func serialized() -> [UInt8] {
        let header = ModelHeader(classNames: classNames, featureBank: featureBank, featureCount: featureBank.featureCount,
                                 featureNames: featureNames, normalisation: normalisation, normalisationRule: normalisation.rule,
                                 referencePixelSizeMicrometres: referencePixelSizeMicrometres,
                                 trainingPixelSizesMicrometres: trainingPixelSizesMicrometres,
                                 trainingPixelsPerClass: trainingPixelsPerClass, forestParameters: forest.parameters)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain Codable values of strings and numbers cannot fail.
        let json = [UInt8](try! encoder.encode(header))
        var out = ByteWriter()
        out.bytes += modelMagic
        out.u32(UInt32(Self.formatVersion(for: featureBank)))
        let lengthOffset = out.bytes.count
        out.u64(0)
        out.u32(UInt32(json.count))
        out.bytes += json
        let f = forest
        out.u32(UInt32(f.classCount)); out.u32(UInt32(f.featureCount))
        out.u32(UInt32(f.treeCount)); out.u32(UInt32(f.leafCount))
        for t in 0 ..< f.treeCount { out.u32(UInt32(f.treeStarts[t + 1] - f.treeStarts[t])) }
        for node in f.nodes {
            out.u32(UInt32(bitPattern: node.feature)); out.u32(node.threshold.bitPattern)
            out.u32(UInt32(bitPattern: node.left)); out.u32(UInt32(bitPattern: node.right))
        }
        for p in f.leafProbabilities { out.u32(p.bitPattern) }
        let total = UInt64(out.bytes.count + modelChecksumSize)
        for i in 0 ..< 8 { out.bytes[lengthOffset + i] = UInt8(truncatingIfNeeded: total >> (8 * UInt64(i))) }
        out.u32(crc32(out.bytes[...]))
        return out.bytes
    }

    /// Reads a model written by ``serialized()``, validating every field before use.
    ///
    /// - Throws: ``LearningError/notAModelFile``, ``LearningError/newerModelFormat(found:supported:)``,
    ///   ``LearningError/truncatedModel(expectedBytes:gotBytes:)``, ``LearningError/damagedModel(reason:)``.
    public init(serialized bytes: [UInt8]) throws(LearningError) {
        // Magic and version.
        if bytes.count < modelMagic.count {
            if bytes.elementsEqual(modelMagic.prefix(bytes.count)) && !bytes.isEmpty {
                throw .truncatedModel(expectedBytes: modelPreambleSize, gotBytes: bytes.count)
            }
            throw .notAModelFile
        }
        guard bytes.prefix(modelMagic.count).elementsEqual(modelMagic) else { throw .notAModelFile }
        var r = ByteReader(bytes: bytes, offset: modelMagic.count)
        guard bytes.count >= modelPreambleSize else {
            throw .truncatedModel(expectedBytes: modelPreambleSize, gotBytes: bytes.count)
        }
        let version = Int(try r.u32())
        if version > Self.currentFormatVersion {
            throw .newerModelFormat(found: version, supported: Self.currentFormatVersion)
        }
        guard version >= 1 else { throw .damagedModel(reason: "format version \(version) does not exist") }
        // Length and checksum.
        let declared = try r.u64()
        guard declared >= UInt64(modelPreambleSize + modelChecksumSize) && declared <= UInt64(Int.max) else {
            throw .damagedModel(reason: "the declared length \(declared) bytes is impossible")
        }
        if declared > UInt64(bytes.count) { throw .truncatedModel(expectedBytes: Int(declared), gotBytes: bytes.count) }
        if declared < UInt64(bytes.count) {
            throw .damagedModel(reason: "\(bytes.count - Int(declared)) unexpected bytes after the end of the model")
        }
        let body = bytes.count - modelChecksumSize
        var tail = ByteReader(bytes: bytes, offset: body)
        let stored = try tail.u32(), computed = crc32(bytes[..<body])
        guard stored == computed else {
            throw .damagedModel(reason: "checksum mismatch (stored \(hex(stored)), computed \(hex(computed)))")
        }
        r.end = body

        // JSON header.
        let headerLength = Int(try r.u32())
        let json = try r.take(headerLength, what: "the header")
        let header: ModelHeader
        do {
            header = try JSONDecoder().decode(ModelHeader.self, from: Data(json))
        } catch {
            throw .damagedModel(reason: "unreadable header (\(error))")
        }
        let k = header.classNames.count
        func check(_ ok: Bool, _ reason: @autoclosure () -> String) throws(LearningError) {
            if !ok { throw .damagedModel(reason: reason()) }
        }
        try check(version >= Self.formatVersion(for: header.featureBank),
                  "a format-\(version) file cannot hold a feature pyramid (format 2 and later)")
        try check(k >= 1 && k <= RandomForest.maximumClassCount, "\(k) classes (expected 1 ... \(RandomForest.maximumClassCount))")
        do {
            try header.featureBank.validate()
            try header.normalisation.validate()
            try header.forestParameters.validate(featureCount: header.featureBank.featureCount)
        } catch {
            throw .damagedModel(reason: error.description)
        }
        let nf = header.featureBank.featureCount
        try check(header.featureCount == nf, "the header lists \(header.featureCount) features but its bank has \(nf)")
        try check(header.trainingPixelsPerClass.count == k && header.trainingPixelsPerClass.allSatisfy { $0 >= 0 },
                  "the training pixel counts do not match the \(k) classes")
        func physical(_ v: Double?) -> Bool { v.map { $0.isFinite && $0 > 0 } ?? true }
        try check(physical(header.referencePixelSizeMicrometres), "invalid reference pixel size")
        try check(header.trainingPixelSizesMicrometres.allSatisfy(physical), "invalid training pixel size")

        // Trees.
        try check(Int(try r.u32()) == k, "the tree section disagrees with the header's class count")
        try check(Int(try r.u32()) == nf, "the tree section disagrees with the header's feature count")
        let treeCount = Int(try r.u32())
        let leafCount = Int(try r.u32())
        try check(treeCount == header.forestParameters.treeCount, "\(treeCount) trees stored but \(header.forestParameters.treeCount) declared")
        try check(treeCount * 4 <= r.remaining, "\(treeCount) trees cannot fit in the file")
        var starts = [0]
        starts.reserveCapacity(treeCount + 1)
        for _ in 0 ..< treeCount {
            let c = Int(try r.u32())
            try check(c >= 1 && c <= r.remaining / modelNodeSize, "a tree with \(c) nodes cannot fit in the file")
            starts.append(starts[starts.count - 1] + c)
        }
        let nodeCount = starts[treeCount]
        try check(nodeCount <= r.remaining / modelNodeSize, "\(nodeCount) nodes cannot fit in the file")
        try check(leafCount >= 1 && leafCount <= nodeCount, "\(leafCount) leaves for \(nodeCount) nodes")
        try check(r.remaining == nodeCount * modelNodeSize + leafCount * k * 4,
                  "the tree section has \(r.remaining) bytes, expected \(nodeCount * modelNodeSize + leafCount * k * 4)")
        var nodes = [RandomForest.Node]()
        nodes.reserveCapacity(nodeCount)
        var nextLeaf: Int32 = 0
        for t in 0 ..< treeCount {
            let size = starts[t + 1] - starts[t]
            for j in 0 ..< size {
                let node = RandomForest.Node(feature: Int32(bitPattern: try r.u32()), threshold: Float(bitPattern: try r.u32()),
                                             left: Int32(bitPattern: try r.u32()), right: Int32(bitPattern: try r.u32()))
                if node.feature == RandomForest.leafMarker {
                    try check(node.left == nextLeaf && node.right == 0 && node.threshold.bitPattern == 0,
                              "tree \(t + 1), node \(j): malformed leaf")
                    nextLeaf += 1
                } else {
                    try check(node.feature >= 0 && Int(node.feature) < nf, "tree \(t + 1), node \(j): feature \(node.feature) of \(nf)")
                    try check(node.threshold.isFinite, "tree \(t + 1), node \(j): threshold \(node.threshold)")
                    try check(Int(node.left) > j && Int(node.left) < size && Int(node.right) > j && Int(node.right) < size,
                              "tree \(t + 1), node \(j): child index out of range")
                }
                nodes.append(node)
            }
        }
        try check(Int(nextLeaf) == leafCount, "\(nextLeaf) leaves found, \(leafCount) declared")
        var probabilities = [Float]()
        probabilities.reserveCapacity(leafCount * k)
        for _ in 0 ..< leafCount * k {
            let p = Float(bitPattern: try r.u32())
            try check(p.isFinite && p >= 0 && p <= 1, "leaf probability \(p) outside 0 ... 1")
            probabilities.append(p)
        }
        let forest = RandomForest(featureCount: nf, classCount: k, parameters: header.forestParameters, nodes: nodes,
                                  treeStarts: starts, leafProbabilities: probabilities)
        // The trees may not be deeper than declared (≤ 1000, validated above): prediction sizes
        // its walk's stack by the depth.
        try check(forest.predictionDepth <= max(1, header.forestParameters.maximumDepth),
                  "a tree \(forest.predictionDepth) levels deep, but the declared maximum depth is \(header.forestParameters.maximumDepth)")
        self.init(formatVersion: version, classNames: header.classNames, featureBank: header.featureBank,
                  normalisation: header.normalisation, referencePixelSizeMicrometres: header.referencePixelSizeMicrometres,
                  trainingPixelSizesMicrometres: header.trainingPixelSizesMicrometres,
                  trainingPixelsPerClass: header.trainingPixelsPerClass, forest: forest)
    }
}

private func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16, uppercase: true) }

/// Appends little-endian integers.
struct ByteWriter {
    var bytes = [UInt8]()
    mutating func u32(_ v: UInt32) { for i in 0 ..< 4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
    mutating func u64(_ v: UInt64) { for i in 0 ..< 8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
}

/// Reads little-endian integers, throwing (never trapping) at `end`.
struct ByteReader {
    let bytes: [UInt8]
    var offset: Int
    var end: Int

    init(bytes: [UInt8], offset: Int) {
        self.bytes = bytes
        self.offset = offset
        end = bytes.count
    }

    var remaining: Int { end - offset }

    mutating func take(_ count: Int, what: String) throws(LearningError) -> ArraySlice<UInt8> {
        guard count >= 0 && count <= remaining else {
            throw .damagedModel(reason: "\(what) (\(count) bytes) runs past the end of the model")
        }
        defer { offset += count }
        return bytes[offset ..< offset + count]
    }

    mutating func u32() throws(LearningError) -> UInt32 {
        let b = try take(4, what: "a 4-byte field")
        return b.reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func u64() throws(LearningError) -> UInt64 {
        let b = try take(8, what: "an 8-byte field")
        return b.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// CRC-32 (IEEE 802.3 polynomial 0xEDB88320, reflected, initial and final XOR 0xFFFFFFFF),
/// the checksum of zlib, PNG and `crc32(1)`. `crc32("123456789") == 0xCBF43926`.
func crc32(_ data: ArraySlice<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    data.withUnsafeBufferPointer { b in
        crcTable.withUnsafeBufferPointer { table in
            for byte in b { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }
    }
    return crc ^ 0xFFFF_FFFF
}

/// The byte-wise lookup table of ``crc32(_:)``.
private let crcTable: [UInt32] = (0 ..< 256).map { n in
    var c = UInt32(n)
    for _ in 0 ..< 8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
}
