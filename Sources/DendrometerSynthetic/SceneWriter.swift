// Writes a rendered scene the way the chosen vendor would, plus EDX maps and
// the ground truth. Metadata layouts follow what DendrometerCalibration
// parses (see Sources/DendrometerCalibration/*.swift):
// - FEI: INI in TIFF tag 34682, `[Scan] PixelWidth` in m, `[Image] ResolutionX/Y`
//   = scanned field, data bar = rows below ResolutionY;
// - Zeiss: `CZ_SEM` text in tag 34118 with `AP_IMAGE_PIXEL_SIZE` /
//   `Image Pixel Size = … nm` and `AP_WIDTH` / `Width = … nm` line pairs;
//   the data bar is in the frame and no metadata states it;
// - ImageJ: `ImageJ=…\nunit=micron` + XResolution (px per µm);
// - JEOL: `<stem>.txt` with `$CM_FULL_SIZE W H`, `$$SM_MICRON_BAR px`,
//   `$$SM_MICRON_MARKER …um` (marker = pixel size × bar, so the ratio is exact);
// - TESCAN: `<stem>.hdr` with `[MAIN] PixelSizeX/Y` in m;
// - Hitachi: `<stem>.txt` with `[SemImageFile] DataSize=WxH`, `PixelSize=` nm.

import DendrometerCore
import DendrometerIO
import Foundation

/// Paths of the files written for one scene.
public struct WrittenScene: Sendable {
    /// The micrograph (`<stem>.tif|png|bmp`).
    public var image: String
    /// The vendor sidecar (`<stem>.txt` / `<stem>.hdr`), if any.
    public var sidecar: String?
    /// EDX maps (`<stem>_<Element>.tif`).
    public var edx: [String]
    /// `<stem>.truth.json`.
    public var truth: String
    /// `<stem>.mask.png` (dendrite pixels 255).
    public var mask: String
    /// `<stem>_labels.png` (training labels, see ``SyntheticScene/trainingLabels()``), when asked for.
    public var labels: String?
}

/// Writes `scene` into `dir` (see ``SceneWriter/write(_:to:stem:truthDirectory:labels:)``).
@discardableResult
public func write(_ scene: SyntheticScene, to dir: String, stem: String, truthDirectory: String? = nil,
                  labels: Bool = false) throws(SyntheticError) -> WrittenScene {
    try SceneWriter.write(scene, to: dir, stem: stem, truthDirectory: truthDirectory, labels: labels)
}

/// Vendor-convention writers.
public enum SceneWriter {
    /// Writes the micrograph with its vendor metadata, the EDX maps (16-bit TIFF),
    /// `<stem>.truth.json` and `<stem>.mask.png`, each atomically.
    ///
    /// - Parameters:
    ///   - scene: a rendered scene.
    ///   - dir: output folder (created if needed).
    ///   - stem: file name without extension.
    ///   - truthDirectory: where `<stem>.truth.json`, `<stem>.mask.png` and `<stem>_labels.png` go
    ///     (default `dir`); a separate folder keeps `dendrometer batch DIR` from analysing the PNGs.
    ///   - labels: also write `<stem>_labels.png`, the 8-bit training label image of
    ///     ``SyntheticScene/trainingLabels()`` (values 0…3, full raster); the truth JSON then names it under `labels`.
    /// - Returns: the paths written.
    /// - Throws: ``SyntheticError/io(_:)`` naming the file that could not be written.
    @discardableResult
    public static func write(_ scene: SyntheticScene, to dir: String, stem: String,
                             truthDirectory: String? = nil, labels: Bool = false) throws(SyntheticError) -> WrittenScene {
        let spec = scene.spec
        let base = (dir as NSString).appendingPathComponent(stem)
        let truthBase = ((truthDirectory ?? dir) as NSString).appendingPathComponent(stem)
        let ext = spec.resolvedFileFormat.rawValue
        let imagePath = "\(base).\(ext)"
        var sidecar: String?
        do {
            switch spec.vendor {
            case .fei:
                try writeTIFF(scene.image, imagePath, options: TIFFWriteOptions(textTags: [MetadataTag.feiHelios: feiINI(spec)]))
            case .zeiss:
                try writeTIFF(scene.image, imagePath, options: TIFFWriteOptions(textTags: [MetadataTag.zeissCZSEM: zeissCZSEM(spec)]))
            case .imagej:
                let cal = Calibration(pixelSize: PixelSize(micrometres: spec.pixelSizeMicrometres), source: .imagej, detail: "synthetic")
                try writeTIFF(scene.image, imagePath, calibration: cal)
            case .none:
                try writeImage(scene.image, imagePath, format: spec.resolvedFileFormat)
            case .jeol, .tescan, .hitachi:
                try writeImage(scene.image, imagePath, format: spec.resolvedFileFormat)
                let (text, sidecarExt) = spec.vendor == .tescan ? (tescanHDR(spec), "hdr")
                    : spec.vendor == .jeol ? (jeolTXT(spec, stem: stem), "txt") : (hitachiTXT(spec, stem: stem), "txt")
                sidecar = "\(base).\(sidecarExt)"
                try AtomicFile.write(text: text, to: sidecar!)
            }
            var edxPaths: [String] = []
            for m in scene.edxMaps {
                let path = "\(base)_\(m.element).tif"
                try TIFFWriter.write(m.image, to: path)
                edxPaths.append(path)
            }
            let maskPath = "\(truthBase).mask.png"
            try PNGWriter.write(scene.dendriteMask.image(), to: maskPath)
            var labelsPath: String?
            if labels {
                labelsPath = "\(truthBase)_labels.png"
                try PNGWriter.write(scene.trainingLabels(), to: labelsPath!)
            }
            let truthPath = "\(truthBase).truth.json"
            let files = WrittenScene(image: imagePath, sidecar: sidecar, edx: edxPaths, truth: truthPath, mask: maskPath,
                                     labels: labelsPath)
            try AtomicFile.write(text: truthJSON(scene, files: files).text(), to: truthPath)
            return files
        } catch {
            throw .io("cannot write \(error.description)")
        }
    }

    private static func writeTIFF(_ image: AnyImage, _ path: String, calibration: Calibration? = nil,
                                  options: TIFFWriteOptions = TIFFWriteOptions()) throws(ImageIOError) {
        switch image {
        case .uint8(let i): try TIFFWriter.write(i, to: path, calibration: calibration, options: options)
        case .uint16(let i): try TIFFWriter.write(i, to: path, calibration: calibration, options: options)
        case .float32(let i): try TIFFWriter.write(i, to: path, calibration: calibration, options: options)
        }
    }

    private static func writeImage(_ image: AnyImage, _ path: String, format: SyntheticFileFormat) throws(ImageIOError) {
        switch (format, image) {
        case (.tif, _): try writeTIFF(image, path)
        case (.png, .uint8(let i)): try PNGWriter.write(i, to: path)
        case (.png, .uint16(let i)): try PNGWriter.write(i, to: path)
        case (.bmp, .uint8(let i)): try AtomicFile.write(bmp8(i), to: path)
        default: throw ImageIOError(.writeFailed("cannot write this sample format as \(format.rawValue)"), path: path)
        }
    }

    /// An uncompressed 8-bit palette BMP (bottom-up rows, grey palette), as JEOL writes.
    static func bmp8(_ image: Image<UInt8>) -> [UInt8] {
        let w = image.width, h = image.height
        let rowBytes = (w + 3) / 4 * 4
        let offset = 14 + 40 + 1024
        let size = offset + rowBytes * h
        var b = [UInt8]()
        b.reserveCapacity(size)
        func u16(_ v: Int) { b.append(UInt8(v & 0xFF)); b.append(UInt8((v >> 8) & 0xFF)) }
        func u32(_ v: Int) { u16(v & 0xFFFF); u16((v >> 16) & 0xFFFF) }
        b.append(0x42); b.append(0x4D); u32(size); u32(0); u32(offset)
        u32(40); u32(w); u32(h); u16(1); u16(8); u32(0); u32(rowBytes * h); u32(2835); u32(2835); u32(256); u32(0)
        for i in 0 ..< 256 { b.append(UInt8(i)); b.append(UInt8(i)); b.append(UInt8(i)); b.append(0) }
        for y in stride(from: h - 1, through: 0, by: -1) {
            b.append(contentsOf: image.pixels[y * w ..< (y + 1) * w])
            for _ in w ..< rowBytes { b.append(0) }
        }
        return b
    }

    // MARK: vendor texts

    private static func g(_ v: Double) -> String { String(format: "%.10g", v) }

    /// FEI / Thermo INI block (tag 34682).
    public static func feiINI(_ spec: SceneSpec) -> String {
        let m = spec.pixelSizeMicrometres * 1e-6
        return """
        [User]\r
        Date=11/24/2026\r
        Time=12:00:00 PM\r
        User=dendrometer-synth\r
        [System]\r
        Type=SEM\r
        Dnumber=SYNTH-\(spec.seed)\r
        [Beam]\r
        HV=5000\r
        Spot=3\r
        [Scan]\r
        InternalScan=1\r
        Dwelltime=3e-06\r
        PixelWidth=\(g(m))\r
        PixelHeight=\(g(m))\r
        HorFieldsize=\(g(m * Double(spec.width)))\r
        VerFieldsize=\(g(m * Double(spec.height)))\r
        [Image]\r
        ResolutionX=\(spec.width)\r
        ResolutionY=\(spec.height)\r
        [Detectors]\r
        Name=CBS\r
        Mode=Z-contrast\r

        """
    }

    /// Zeiss SmartSEM `CZ_SEM` record (tag 34118), lengths in nm (ASCII only).
    public static func zeissCZSEM(_ spec: SceneSpec) -> String {
        let nm = spec.pixelSizeMicrometres * 1000
        let lines = ["0", "0", "0", g(nm * 1e-9), "0", "4",
                     "AP_IMAGE_PIXEL_SIZE", "Image Pixel Size = \(g(nm)) nm",
                     "AP_WIDTH", "Width = \(g(nm * Double(spec.width))) nm",
                     "AP_HEIGHT", "Height = \(g(nm * Double(spec.height))) nm",
                     "DP_DETECTOR_TYPE", "Detector = QBSD"]
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// JEOL `.txt` sidecar.
    public static func jeolTXT(_ spec: SceneSpec, stem: String) -> String {
        let bar = SceneRenderer.scaleBarPixels(spec)
        let marker = spec.pixelSizeMicrometres * Double(bar)
        let mag = Int(saturating: (127_000 / (Double(spec.width) * spec.pixelSizeMicrometres)).rounded())
        return """
        $CM_FORMAT JEOL/SEM\r
        $CM_VERSION 1.0\r
        $CM_INSTRUMENT JSM-IT800 (dendrometer-synth)\r
        $CM_IMAGE_NAME \(stem)\r
        $CM_FULL_SIZE \(spec.width) \(spec.height)\r
        $CM_MAG \(mag)\r
        $CM_SIGNAL BEI\r
        $$SM_MICRON_BAR \(bar)\r
        $$SM_MICRON_MARKER \(g(marker))um\r

        """
    }

    /// TESCAN `.hdr` sidecar.
    public static func tescanHDR(_ spec: SceneSpec) -> String {
        let m = spec.pixelSizeMicrometres * 1e-6
        return "[MAIN]\r\nCompany=TESCAN\r\nDevice=MIRA (dendrometer-synth)\r\nPixelSizeX=\(g(m))\r\nPixelSizeY=\(g(m))\r\n[SEM]\r\nHV=5000\r\nDetector=BSE\r\n"
    }

    /// Hitachi `.txt` sidecar.
    public static func hitachiTXT(_ spec: SceneSpec, stem: String) -> String {
        "[SemImageFile]\r\nInstructName=S-4800\r\nSerialNumber=dendrometer-synth\r\nImageName=\(stem)\r\nDataSize=\(spec.width)x\(spec.height)\r\nPixelSize=\(g(spec.pixelSizeMicrometres * 1000))\r\nSignalName=BSE\r\n"
    }

    // MARK: truth JSON

    private static func rect(_ r: PixelRect?) -> JSONValue {
        guard let r else { return .null }
        return .object(["x": .number(Double(r.x)), "y": .number(Double(r.y)), "w": .number(Double(r.width)), "h": .number(Double(r.height))])
    }

    /// The truth document (keys follow docs/REFERENCE.md §3: `_px` / `_um` units).
    public static func truthJSON(_ scene: SyntheticScene, files: WrittenScene?) -> JSONValue {
        let t = scene.truth, spec = scene.spec
        let um = { (px: Double) -> JSONValue in .rounded(t.micrometres(px)) }
        func name(_ p: String?) -> JSONValue { p.map { .string(($0 as NSString).lastPathComponent) } ?? .null }
        var specJSON = JSONValue.null
        if let data = try? JSONEncoder().encode(spec), let v = try? JSONValue.parse(data) { specJSON = v }
        let regions: [JSONValue] = t.regions.map { r in
            var fr: [String: JSONValue] = [:]
            for (k, v) in r.labelFractions { fr[k.rawValue] = .rounded(v) }
            let box: JSONValue = r.bbox.map { .array([$0.x, $0.y, $0.width, $0.height].map { .number(Double($0)) }) } ?? .null
            return .object([
                "name": .string(r.name), "bbox_px": box, "label": .string(r.label.rawValue),
                "morphology": .object(["label": .string(r.label.rawValue)]),
                "depth_range_px": .array([.rounded(r.depthRangePixels.lowerBound), .rounded(r.depthRangePixels.upperBound)]),
                "label_fractions": .object(fr), "dendrite_px": .number(Double(r.dendritePixels)),
            ])
        }
        let edx: [JSONValue] = scene.edxMaps.enumerated().map { k, m in
            .object(["element": .string(m.element), "factor": .number(Double(m.factor)),
                     "width": .number(Double(m.image.width)), "height": .number(Double(m.image.height)),
                     "counts_per_pixel": .number(spec.edx[k].countsPerPixel),
                     "file": name(files.map { $0.edx[k] })])
        }
        var doc: [String: JSONValue] = [
            "schema_version": .number(1),
            "generator": .string("dendrometer-synth"),
            "file": name(files?.image), "sidecar": name(files?.sidecar), "mask": name(files?.mask),
            "width": .number(Double(t.imageWidth)), "height": .number(Double(t.imageHeight)),
            "sample_format": .string(spec.bitDepth == 8 ? "uint8" : "uint16"), "bit_depth": .number(Double(spec.bitDepth)),
            "vendor": .string(spec.vendor.rawValue),
            "calibration": .object([
                "pixel_size_um": t.statedPixelSizeMicrometres.map { .number($0) } ?? .null,
                "source": .string(t.calibrationSource.rawValue),
                "true_pixel_size_um": .number(t.pixelSizeMicrometres),
            ]),
            "data_bar": rect(t.dataBar), "scanned_field": rect(t.field),
            "phase": .string(t.phase.rawValue), "anode_side": .string(t.anodeSide.rawValue),
            "interface": .object([
                "angle_deg": .rounded(t.interfaceAngleDegrees),
                "tilt_deg": .number(spec.tiltDegrees), "curvature": .number(spec.curvature),
                "points_px": .array(t.interfacePoints.map { .array([.rounded($0[0], 3), .rounded($0[1], 3)]) }),
            ]),
            "penetration": .object([
                "max_px": .rounded(t.maxDepthPixels), "p95_px": .rounded(t.p95DepthPixels),
                "front_mean_px": .rounded(t.frontMeanDepthPixels),
                "max_um": um(t.maxDepthPixels), "p95_um": um(t.p95DepthPixels), "front_mean_um": um(t.frontMeanDepthPixels),
                "short_circuit": .bool(t.shortCircuit),
            ]),
            "area_fraction": .rounded(t.areaFraction, 6), "dendrite_area_px": .number(Double(t.dendriteAreaPixels)),
            "morphology": .object(["label": .string(t.morphology.rawValue)]),
            "regions": .array(regions),
            "edx": .array(edx),
            "notes": .array(t.notes.map { .string($0) }),
            "spec": specJSON,
        ]
        // Only when written, so documents without labels stay byte-identical to earlier versions.
        if let l = files?.labels { doc["labels"] = name(l) }
        return .object(doc)
    }
}
