// libFuzzer harness: any bytes, read as an image file (TIFF, PNG or BMP, recognised by
// content) and, when that works, calibrated. A crash, a sanitizer report, a timeout or an
// allocation over libFuzzer's -rss_limit_mb is a finding; a thrown error is the expected
// answer to bad input.
import Dendrometer
import FuzzDriver
import Foundation

/// The fuzzer's scratch file: the readers take paths (libtiff opens by name).
nonisolated(unsafe) let scratch = "\(NSTemporaryDirectory())dendrometer-fuzz-image-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard FileManager.default.createFile(atPath: scratch, contents: Data(bytes: data, count: size)) else { return 0 }
    // A modest cap, as a user with a small machine would set it: bombs must fail before it matters.
    let options = ReadOptions(maximumPixels: 1 << 24)
    if let loaded = try? ImageFile.read(scratch, options: options) {
        _ = calibrate(loaded.metadata)
        _ = loaded.image.asFloat().pixels.count
    }
    return 0
}

// SwiftPM links an executable target's entry point as `FuzzImage_main`.
@_cdecl("FuzzImage_main")
public func fuzzImageMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzImage)
}
