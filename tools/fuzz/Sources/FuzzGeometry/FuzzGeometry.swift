// libFuzzer harness: any bytes as what a user hands in to describe the scene — an ImageJ ROI
// (`.roi`), a JSON or a CSV polyline (`--interface`) — chosen by the first byte, then used as the
// analysis would: areas rasterised into a 64 × 48 field (`--exclude`), lines turned into an
// interface over a fixed phase mask (anode layer in the bottom rows). No input may crash or hang.
import Dendrometer
import FuzzDriver
import Foundation

/// 64 × 48 phase: a solid layer in rows 40–47 (the anode) and one needle.
let phase: BinaryMask = {
    var m = BinaryMask(width: 64, height: 48)
    for y in 40 ..< 48 { for x in 0 ..< 64 { m.bits[y * 64 + x] = 1 } }
    for y in 20 ..< 40 { m.bits[y * 64 + 30] = 1 }
    return m
}()
let field = PixelRect(x: 0, y: 4, width: 64, height: 48)

func use(_ interface: GivenInterface) {
    var review = [String]()
    for side in [nil, AnodeSide.bottom, .left] {
        _ = try? interface.detection(phase: phase, field: field, side: side, pixelSize: PixelSize(micrometres: 0.5),
                                     minimumAnodePhaseShare: 0.5, review: &review)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGeometry(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 3 {
    case 0:
        guard let roi = try? ImageJROI.decode(bytes, path: "fuzz.roi") else { return 0 }
        _ = try? ExcludedAreas.rois([roi], source: "fuzz.roi").mask(field: field, rasterWidth: 64, rasterHeight: 56)
        if case let .polyline(points) = roi.shape {
            use(GivenInterface(points: points.map { .init(x: $0.x - 0.5, y: $0.y - 0.5) }, source: "fuzz.roi"))
        }
    case 1:
        if let g = try? GivenInterface.parse(Data(bytes), format: .json, path: "fuzz.json") { use(g) }
    default:
        if let g = try? GivenInterface.parse(Data(bytes), format: .csv, path: "fuzz.csv") { use(g) }
    }
    return 0
}

// SwiftPM links an executable target's entry point as `FuzzGeometry_main`.
@_cdecl("FuzzGeometry_main")
public func fuzzGeometryMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzGeometry)
}
