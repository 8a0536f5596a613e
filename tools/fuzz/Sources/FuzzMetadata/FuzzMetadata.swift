// libFuzzer harness: any bytes as the text of every vendor metadata block Dendrometer reads
// (FEI tag 34682, Zeiss 34118, ImageJ ImageDescription, TESCAN .hdr, JEOL/Hitachi .txt), with
// the first bytes choosing the image size and the TIFF resolution, then calibrate().
import Dendrometer
import FuzzDriver
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMetadata(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 8 else { return 0 }
    let width = Int(data[0]) << 8 | Int(data[1]), height = Int(data[2]) << 8 | Int(data[3])
    let resolution = Double(UInt32(data[4]) << 24 | UInt32(data[5]) << 16 | UInt32(data[6]) << 8 | UInt32(data[7]))
    let text = String(decoding: UnsafeBufferPointer(start: data + 8, count: size - 8), as: UTF8.self)
    var meta = SourceMetadata(format: .tiff, path: "fuzz.tif", width: width, height: height)
    for tag in [34682, 34118, 270] { meta.textTags[tag] = text }
    meta.sidecars["txt"] = text
    meta.sidecars["hdr"] = text
    meta.resolution = TIFFResolution(x: resolution, y: resolution, unit: Int(data[4] % 4))
    _ = calibrate(meta, options: CalibrationOptions(trustTIFFResolution: data[5] & 1 == 1))
    return 0
}

// SwiftPM links an executable target's entry point as `FuzzMetadata_main`.
@_cdecl("FuzzMetadata_main")
public func fuzzMetadataMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzMetadata)
}
