// Zeiss SmartSEM `CZ_SEM` record (TIFF tag 34118, ASCII). Layout, as read
// from the real files with tifffile (`TiffFile.sem_metadata`, raw bytes of tag
// 34118 in test_tiff_Zeiss_SEM_1k.tif, test_tiff_Zeiss_SEM_512pix.tif,
// ZEISS_SEM_multipage.tif, sem_alpha_beta_ti_6al_4v.tif):
//
//   0\r\n0\r\n0\r\n2.614514e-006\r\n ...   unlabelled numeric header (metres, 1024-px reference)
//   724\r\n                                 number of parameters
//   AP_IMAGE_PIXEL_SIZE\r\n                 parameter identifier (upper case)
//   Image Pixel Size = 2.615 µm\r\n         "Label = value unit" (µ is Latin-1 0xB5)
//   ...
//   \0\0                                    one or two trailing NULs
//
// Units seen: nm, µm, mm, fm (and pm in other files). Reference values:
// PROVENANCE.md, tifffile `sem_metadata`.

import DendrometerCore
import Foundation

/// Parser for the Zeiss SmartSEM `CZ_SEM` record (tag 34118).
///
/// Rules (in order):
/// 1. `AP_IMAGE_PIXEL_SIZE` ("Image Pixel Size") — the pixel size of the
///    stored image — when present and a positive length.
/// 2. else `AP_WIDTH` ("Width", the horizontal field of view) ÷ image width.
/// 3. never `AP_PIXEL_SIZE` ("Pixel Size"): it refers to a 1024-px-wide
///    reference and is 2× wrong for 512- and 2048-px images.
///
/// Zeiss does not state the data-bar height (it is burned into the frame);
/// use ``DataBarDetector``.
///
/// Example: `AP_WIDTH` / `Width = 5.965 µm`, no `AP_IMAGE_PIXEL_SIZE`, image
/// 512 px wide → 5.965 / 512 = 0.011650390625 µm/px (not the 0.005825 µm of
/// "Pixel Size").
public enum ZeissMetadata {
    /// One `ID` / `Label = value` parameter.
    public struct Parameter: Sendable, Equatable {
        /// Upper-case identifier, e.g. `AP_IMAGE_PIXEL_SIZE` (empty when absent).
        public var id: String
        /// Display label, e.g. `Image Pixel Size`.
        public var label: String
        /// Value text with its unit, e.g. `2.615 µm`.
        public var value: String
    }

    /// Splits the record into parameters, skipping the numeric header.
    public static func parameters(_ text: String) -> [Parameter] {
        var out: [Parameter] = []
        var pendingID = ""
        for raw in VendorText.lines(text) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if let eq = line.range(of: "=") {
                let label = line[..<eq.lowerBound].trimmingCharacters(in: .whitespaces)
                let value = line[eq.upperBound...].trimmingCharacters(in: .whitespaces)
                out.append(Parameter(id: pendingID, label: label, value: value))
                pendingID = ""
            } else if line.first!.isLetter, line.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }) {
                pendingID = line
            } else {
                pendingID = ""
            }
        }
        return out
    }

    /// Parses a `CZ_SEM` text.
    ///
    /// - Parameters:
    ///   - text: the Latin-1 decoded tag value.
    ///   - imageWidth: stored raster width, px.
    /// - Returns: the pixel size in µm with the key used, or no calibration
    ///   with a reason; never throws.
    public static func parse(_ text: String, imageWidth: Int) -> VendorCalibration {
        let params = parameters(text)
        func find(_ id: String, _ label: String) -> Parameter? {
            params.first { $0.id == id } ?? params.first { $0.id.isEmpty && $0.label == label }
        }
        let imagePixel = find("AP_IMAGE_PIXEL_SIZE", "Image Pixel Size")
        let width = find("AP_WIDTH", "Width")
        let reference = find("AP_PIXEL_SIZE", "Pixel Size")
        var notes: [String] = []
        if let p = imagePixel, let um = VendorText.length(p.value) {
            if let w = width, let fov = VendorText.length(w.value), imageWidth > 0 {
                let derived = fov / Double(imageWidth)
                if abs(derived - um) / um > 0.01 {
                    notes.append("Zeiss Image Pixel Size \(p.value) disagrees with Width \(w.value) / \(imageWidth) px = \(VendorText.format(derived)) µm")
                }
            }
            return VendorCalibration(source: .zeiss, pixelSize: PixelSize(micrometres: um),
                                     key: "AP_IMAGE_PIXEL_SIZE (Image Pixel Size)", rawValue: p.value, notes: notes)
        }
        if let p = imagePixel {
            notes.append("Zeiss Image Pixel Size: expected a positive length, got '\(p.value)'")
        }
        if let w = width, let fov = VendorText.length(w.value), imageWidth > 0 {
            if let r = reference {
                notes.append("Zeiss 'Pixel Size' \(r.value) ignored: it refers to a 1024-px-wide reference")
            }
            return VendorCalibration(source: .zeiss, pixelSize: PixelSize(micrometres: fov / Double(imageWidth)),
                                     key: "AP_WIDTH (Width) / image width", rawValue: "\(w.value) / \(imageWidth) px",
                                     notes: notes)
        }
        var why = "Zeiss CZ_SEM has no usable Image Pixel Size or Width"
        if let w = width { why += " (Width: expected a positive length, got '\(w.value)')" }
        if reference != nil { why += "; 'Pixel Size' is not used (1024-px reference)" }
        var r = VendorCalibration.none(.zeiss, key: "AP_IMAGE_PIXEL_SIZE (Image Pixel Size)", reason: why)
        r.notes = notes
        return r
    }

    /// Parses tag 34118 of `metadata` (text, or raw bytes decoded as Latin-1),
    /// or returns nil when the tag is absent.
    public static func parse(_ metadata: SourceMetadata) -> VendorCalibration? {
        let text = metadata.textTags[MetadataTag.zeissCZSEM]
            ?? metadata.binaryTags[MetadataTag.zeissCZSEM].map(VendorText.latin1)
        guard let text else { return nil }
        return parse(text, imageWidth: metadata.width)
    }
}
