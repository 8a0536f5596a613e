// libFuzzer harness: any bytes as a pixel-classifier model file (`.dmpc`, `--model`), then the
// model applied as `analyze --model` would (class map and probabilities of a small image,
// calibrated and not). A model file ends with a CRC-32, so random bytes would stop at the
// checksum; the harness rewrites the declared length and the CRC of every input first, so the
// content checks behind them (header JSON, feature bank and pyramid, counts, nodes, depth,
// probabilities) and the prediction kernels see the mutations. No input may crash or hang.
import Dendrometer
import FuzzDriver

/// CRC-32 (IEEE 802.3, as zlib), bit by bit: the inputs are small.
func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        c ^= UInt32(b)
        for _ in 0 ..< 8 { c = (c >> 1) ^ (0xEDB8_8320 & (0 &- (c & 1))) }
    }
    return ~c
}

/// 24 × 18: a bright disc on a ramp, a NaN-free field like a normalised micrograph.
let image: Image<Float> = {
    var img = Image<Float>(width: 24, height: 18, fill: 0)
    for y in 0 ..< 18 {
        for x in 0 ..< 24 {
            let dx = Double(x - 12), dy = Double(y - 9)
            img[x, y] = Float(dx * dx + dy * dy < 25 ? 0.8 : 0.2 + 0.02 * Double(x))
        }
    }
    return img
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModel(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if bytes.count >= 24 {
        for i in 0 ..< 8 { bytes[8 + i] = UInt8(truncatingIfNeeded: UInt64(bytes.count) >> (8 * UInt64(i))) }
        let crc = crc32(bytes[..<(bytes.count - 4)])
        for i in 0 ..< 4 { bytes[bytes.count - 4 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
    }
    guard let model = try? PixelClassifier(serialized: bytes) else { return 0 }
    _ = try? model.classification(image, pixelSize: PixelSize(micrometres: 0.1))
    _ = try? model.predict(image, pixelSize: nil)
    return 0
}

// SwiftPM links an executable target's entry point as `FuzzModel_main`.
@_cdecl("FuzzModel_main")
public func fuzzModelMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzModel)
}
