import Testing
import Foundation
import DendrometerCore
@testable import DendrometerLearning

/// A deliberately small model (2 features, 3 shallow trees) so every byte can be flipped.
func tinyModel() throws -> PixelClassifier {
    let scene = discScene(seed: 8, size: 24, radius: 6)
    var labels = Image<UInt8>(width: 24, height: 24)
    for x in 10 ..< 14 { labels[x, 12] = 1 }
    for x in 1 ..< 5 { labels[x, 1] = 2; labels[x, 22] = 2 }
    let bank = FeatureBank(features: [.init(kind: .gaussianSmoothing, sigma: 1), .init(kind: .gradientMagnitude, sigma: 1)])
    var params = TrainingParameters(classNames: ["dendrite phase", "electrolyte"], featureBank: bank,
                                    forest: RandomForest.Parameters(treeCount: 3, maximumDepth: 3, seed: 1))
    params.tileRows = 8
    return try PixelClassifier.train([TrainingExample(image: scene.image, labels: labels, pixelSize: PixelSize(micrometres: 0.25))],
                                     parameters: params)
}

/// Overwrites the trailing CRC-32 so that edited bytes pass the checksum (to reach deeper checks).
func resealed(_ bytes: [UInt8]) -> [UInt8] {
    var b = bytes
    let crc = crc32(b[..<(b.count - 4)])
    for i in 0 ..< 4 { b[b.count - 4 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
    return b
}

@Suite("Model file")
struct SerializationTests {
    @Test("CRC-32 check value")
    func crc() {
        #expect(crc32(Array("123456789".utf8)[...]) == 0xCBF4_3926)
    }

    @Test("round trip is bit for bit and predicts identically (default bank)")
    func roundTrip() throws {
        let scene = discScene(seed: 6)
        let model = try PixelClassifier.train([TrainingExample(image: scene.image, labels: discScribbles(),
                                                               pixelSize: PixelSize(micrometres: 0.037))],
                                              parameters: TrainingParameters(classNames: ["dendrite phase", "electrolyte"],
                                                                             forest: .init(treeCount: 8, seed: 3)))
        let bytes = model.serialized()
        #expect(Array(bytes.prefix(4)) == Array("DMPC".utf8))
        let loaded = try PixelClassifier(serialized: bytes)
        #expect(loaded == model)
        #expect(loaded.serialized() == bytes)
        let other = discScene(seed: 7).image
        #expect(try loaded.predict(other, pixelSize: PixelSize(micrometres: 0.05))
                == model.predict(other, pixelSize: PixelSize(micrometres: 0.05)))
        // Same data, same seed → the same file.
        let again = try PixelClassifier.train([TrainingExample(image: scene.image, labels: discScribbles(),
                                                               pixelSize: PixelSize(micrometres: 0.037))],
                                              parameters: TrainingParameters(classNames: ["dendrite phase", "electrolyte"],
                                                                             forest: .init(treeCount: 8, seed: 3)))
        #expect(again.serialized() == bytes)
    }

    @Test("flipping any one byte is an error, never a crash or a different model")
    func everyByteFlip() throws {
        let bytes = try tinyModel().serialized()
        #expect(bytes.count < 8000)
        for i in bytes.indices {
            var damaged = bytes
            damaged[i] ^= 0x5A
            #expect(throws: LearningError.self, "byte \(i)") { try PixelClassifier(serialized: damaged) }
        }
    }

    @Test("truncated at every length is an error")
    func everyTruncation() throws {
        let bytes = try tinyModel().serialized()
        for n in 0 ..< bytes.count {
            #expect(throws: LearningError.self, "length \(n)") { try PixelClassifier(serialized: Array(bytes.prefix(n))) }
        }
        #expect(throws: LearningError.truncatedModel(expectedBytes: bytes.count, gotBytes: bytes.count - 1)) {
            try PixelClassifier(serialized: Array(bytes.dropLast()))
        }
    }

    @Test("wrong magic, newer version, trailing bytes")
    func headerErrors() throws {
        let bytes = try tinyModel().serialized()
        var png = bytes
        png[0 ..< 4] = [0x89, 0x50, 0x4E, 0x47]
        #expect(throws: LearningError.notAModelFile) { try PixelClassifier(serialized: png) }
        #expect(throws: LearningError.notAModelFile) { try PixelClassifier(serialized: []) }
        var v3 = bytes
        v3[4] = 3
        #expect(throws: LearningError.newerModelFormat(found: 3, supported: 2)) { try PixelClassifier(serialized: resealed(v3)) }
        #expect(throws: LearningError.newerModelFormat(found: 3, supported: 2)) { try PixelClassifier(serialized: v3) }
        #expect(throws: LearningError.self) { try PixelClassifier(serialized: bytes + [0]) }
    }

    @Test("format 1 for a bank without a pyramid (as older tools wrote it), format 2 with one; a format-1 file cannot declare a pyramid")
    func formatVersions() throws {
        let pyramid = try tinyModel()
        let bytes = pyramid.serialized()
        #expect(pyramid.formatVersion == 2 && bytes[4] == 2)
        #expect(String(decoding: bytes, as: UTF8.self).contains("\"pyramid\":{\"antiAliasRatio\":0.8,\"maximumFactor\":8,\"minimumLevelSigma\":1.6}"))
        var v1 = bytes
        v1[4] = 1
        #expect(throws: LearningError.damagedModel(reason: "a format-1 file cannot hold a feature pyramid (format 2 and later)")) {
            try PixelClassifier(serialized: resealed(v1))
        }
        // A direct bank: version 1, no "pyramid" key, round trip bit for bit, features by direct convolution.
        let scene = discScene(seed: 8, size: 24, radius: 6)
        var labels = Image<UInt8>(width: 24, height: 24)
        for x in 10 ..< 14 { labels[x, 12] = 1 }
        for x in 1 ..< 5 { labels[x, 1] = 2; labels[x, 22] = 2 }
        let bank = FeatureBank(features: [.init(kind: .gaussianSmoothing, sigma: 4)], pyramid: nil)
        let direct = try PixelClassifier.train([TrainingExample(image: scene.image, labels: labels, pixelSize: nil)],
                                               parameters: TrainingParameters(classNames: ["dendrite phase", "electrolyte"], featureBank: bank,
                                                                              forest: .init(treeCount: 3, seed: 1)))
        let directBytes = direct.serialized()
        #expect(direct.formatVersion == 1 && directBytes[4] == 1)
        #expect(!String(decoding: directBytes, as: UTF8.self).contains("pyramid"))
        let loaded = try PixelClassifier(serialized: directBytes)
        #expect(loaded == direct && loaded.serialized() == directBytes && loaded.featureBank.pyramid == nil)
    }

    /// `bytes` with `old` replaced by `new` in the JSON header, both length fields and the CRC fixed.
    func withHeaderEdit(_ bytes: [UInt8], _ old: String, _ new: String) -> [UInt8] {
        let headerLength = Int(bytes[16]) | Int(bytes[17]) << 8 | Int(bytes[18]) << 16 | Int(bytes[19]) << 24
        let json = String(decoding: bytes[20 ..< 20 + headerLength], as: UTF8.self)
        #expect(json.contains(old), "header has no \(old)")
        let edited = Array(json.replacingOccurrences(of: old, with: new).utf8)
        var out = Array(bytes[0 ..< 16])
        for i in 0 ..< 4 { out.append(UInt8(truncatingIfNeeded: edited.count >> (8 * i))) }
        out += edited + bytes[(20 + headerLength)...]
        for i in 0 ..< 8 { out[8 + i] = UInt8(truncatingIfNeeded: out.count >> (8 * i)) }
        return resealed(out)
    }

    @Test("a model file stating an absurd σ (10⁹ px) is refused before any kernel is made")
    func absurdScale() throws {
        let bytes = try tinyModel().serialized()
        let absurd = withHeaderEdit(bytes, "\"sigma\":1}", "\"sigma\":1000000000}")
        #expect(throws: LearningError.self) { try PixelClassifier(serialized: absurd) }
        do {
            _ = try PixelClassifier(serialized: absurd)
        } catch {
            #expect(error.description.contains("≤ 64 px"), "\(error.description)")
        }
        // The same edit to a σ of 64 px loads.
        #expect(try PixelClassifier(serialized: withHeaderEdit(bytes, "\"sigma\":1}", "\"sigma\":64}")).featureBank.features[0].sigma == 64)
    }

    @Test("trees deeper than the declared maximum depth are a damaged model (the walk's stack is sized by depth)")
    func deeperThanDeclared() throws {
        let model = try tinyModel()
        let bytes = model.serialized()
        #expect(model.forest.predictionDepth >= 2)
        let shallow = withHeaderEdit(bytes, "\"maximumDepth\":3", "\"maximumDepth\":1")
        #expect(throws: LearningError.self) { try PixelClassifier(serialized: shallow) }
        #expect(try PixelClassifier(serialized: withHeaderEdit(bytes, "\"maximumDepth\":3", "\"maximumDepth\":3")) == model)
    }

    @Test("content checks behind a valid checksum: child index, feature index, probability")
    func validatedContent() throws {
        let model = try tinyModel()
        let bytes = model.serialized()
        let k = model.classCount
        let nodesStart = bytes.count - 4 - model.forest.leafCount * k * 4 - model.forest.nodeCount * 16
        let firstInternal = model.forest.nodes.firstIndex { $0.feature >= 0 }!
        func patched(_ offset: Int, _ value: UInt32) -> [UInt8] {
            var b = bytes
            for i in 0 ..< 4 { b[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
            return resealed(b)
        }
        let node = nodesStart + firstInternal * 16
        // Child pointing back to the root (a cycle), child out of range, feature out of range, NaN threshold.
        for (offset, value) in [(node + 8, UInt32(0)), (node + 12, UInt32(9999)), (node, UInt32(2)), (node + 4, Float.nan.bitPattern)] {
            #expect(throws: LearningError.self) { try PixelClassifier(serialized: patched(offset, value)) }
        }
        // A leaf probability of 7.
        #expect(throws: LearningError.self) { try PixelClassifier(serialized: patched(bytes.count - 8, Float(7).bitPattern)) }
        // An absurd tree count, bounded by the bytes left before anything is allocated.
        let treeCountOffset = nodesStart - 4 * model.forest.treeCount - 8
        #expect(throws: LearningError.self) { try PixelClassifier(serialized: patched(treeCountOffset, 0xFFFF_FFFF)) }
        // The untouched file still loads.
        #expect(try PixelClassifier(serialized: resealed(bytes)) == model)
    }
}
