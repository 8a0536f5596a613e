// Thresholding an image into a binary mask with a global or a local (per
// pixel) threshold. Convention as scikit-image: "above" means value > t.
import DendrometerCore

/// Which side of the threshold is the phase of interest.
public enum Polarity: String, Sendable, Codable, CaseIterable {
    /// Phase = pixels with value `> t` (e.g. Li-In in BSE).
    case bright
    /// Phase = pixels with value `≤ t` (e.g. Li in BSE).
    case dark
}

/// Binarises an image with a global threshold.
///
/// - Parameters:
///   - image: any shape (rows, cols); UInt8, UInt16 or Float.
///   - threshold: image units (e.g. from an Otsu or Li threshold); not NaN
///     (precondition). May be fractional or outside the sample range.
///   - polarity: `.bright` keeps `value > threshold`, `.dark` keeps
///     `value ≤ threshold` (NaN pixels are background for both).
/// - Returns: a mask with the image's shape.
/// - Complexity: O(pixels), parallel over row bands.
///
/// ```swift
/// let image = Image<UInt8>(width: 4, height: 1, pixels: [10, 12, 200, 202])
/// segment(image, threshold: 12, polarity: .bright).rows   // ["..##"]
/// ```
public func segment<P: PixelSample>(_ image: Image<P>, threshold: Double, polarity: Polarity) -> BinaryMask {
    precondition(!threshold.isNaN, "segment: expected a threshold value, got NaN")
    var bits = [UInt8](repeating: 0, count: image.count)
    let bright = polarity == .bright
    image.pixels.withUnsafeBytes { raw in
        bits.withUnsafeMutableBufferPointer { dst in
            guard let rb = raw.baseAddress else { return }
            let d = SendablePointer(dst.baseAddress!)
            let w = image.width
            // Integer samples: v > t  ⟺  v > ⌊t⌋, an integer compare that vectorises.
            let cut = threshold.rounded(.down)
            if P.self == UInt8.self {
                let s = SendablePointer(UnsafeMutablePointer(mutating: rb.assumingMemoryBound(to: UInt8.self)))
                if cut < 0 || cut >= 255 {
                    let all: UInt8 = ((cut < 0) == bright) ? 1 : 0
                    parallelBands(image.height, minimumPerBand: 64) { band in
                        for i in band.lowerBound * w ..< band.upperBound * w { d.base[i] = all }
                    }
                } else {
                    let c = UInt8(saturating: cut)
                    parallelBands(image.height, minimumPerBand: 64) { band in
                        if bright {
                            for i in band.lowerBound * w ..< band.upperBound * w { d.base[i] = s.base[i] > c ? 1 : 0 }
                        } else {
                            for i in band.lowerBound * w ..< band.upperBound * w { d.base[i] = s.base[i] > c ? 0 : 1 }
                        }
                    }
                }
            } else if P.self == UInt16.self {
                let s = SendablePointer(UnsafeMutablePointer(mutating: rb.assumingMemoryBound(to: UInt16.self)))
                parallelBands(image.height, minimumPerBand: 64) { band in
                    for i in band.lowerBound * w ..< band.upperBound * w {
                        d.base[i] = (Double(s.base[i]) > threshold) == bright ? 1 : 0
                    }
                }
            } else {
                let s = SendablePointer(UnsafeMutablePointer(mutating: rb.assumingMemoryBound(to: Float.self)))
                parallelBands(image.height, minimumPerBand: 64) { band in
                    for i in band.lowerBound * w ..< band.upperBound * w {
                        let v = Double(s.base[i])
                        d.base[i] = v.isNaN ? 0 : ((v > threshold) == bright ? 1 : 0)
                    }
                }
            }
        }
    }
    return BinaryMask(width: image.width, height: image.height, normalizedBits: bits)
}

/// Binarises an image with one threshold per pixel (e.g. from
/// ``sauvolaThresholds(_:window:k:r:)``).
///
/// - Parameters:
///   - image: shape (rows, cols).
///   - thresholds: same shape, image units.
///   - polarity: `.bright` keeps `value > t(x, y)`, `.dark` keeps `value ≤ t(x, y)`
///     (compared in `Float`; NaN pixels are background).
/// - Throws: ``SegmentationError/shapeMismatch(expected:got:)``.
/// - Complexity: O(pixels), parallel over row bands.
public func segment<P: PixelSample>(_ image: Image<P>, thresholds: Image<Float>,
                                    polarity: Polarity) throws(SegmentationError) -> BinaryMask {
    guard thresholds.width == image.width, thresholds.height == image.height else {
        throw .shapeMismatch(expected: "\(image.width)×\(image.height)", got: "\(thresholds.width)×\(thresholds.height)")
    }
    let bright = polarity == .bright
    var bits = [UInt8](repeating: 0, count: image.count)
    image.pixels.withUnsafeBytes { raw in
        thresholds.pixels.withUnsafeBufferPointer { tb in
            bits.withUnsafeMutableBufferPointer { db in
                guard let rb = raw.baseAddress else { return }
                let d = SendablePointer(db.baseAddress!), t = SendablePointer(UnsafeMutablePointer(mutating: tb.baseAddress!))
                let w = image.width
                if P.self == UInt8.self {
                    let s = SendablePointer(UnsafeMutablePointer(mutating: rb.assumingMemoryBound(to: UInt8.self)))
                    parallelBands(image.height, minimumPerBand: 64) { band in
                        for i in band.lowerBound * w ..< band.upperBound * w { d.base[i] = (Float(s.base[i]) > t.base[i]) == bright ? 1 : 0 }
                    }
                } else if P.self == UInt16.self {
                    let s = SendablePointer(UnsafeMutablePointer(mutating: rb.assumingMemoryBound(to: UInt16.self)))
                    parallelBands(image.height, minimumPerBand: 64) { band in
                        for i in band.lowerBound * w ..< band.upperBound * w { d.base[i] = (Float(s.base[i]) > t.base[i]) == bright ? 1 : 0 }
                    }
                } else {
                    let s = SendablePointer(UnsafeMutablePointer(mutating: rb.assumingMemoryBound(to: Float.self)))
                    parallelBands(image.height, minimumPerBand: 64) { band in
                        for i in band.lowerBound * w ..< band.upperBound * w {
                            let v = s.base[i]
                            d.base[i] = v.isNaN ? 0 : ((v > t.base[i]) == bright ? 1 : 0)
                        }
                    }
                }
            }
        }
    }
    return BinaryMask(width: image.width, height: image.height, normalizedBits: bits)
}
