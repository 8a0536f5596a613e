// Image model shared by every stage of the pipeline.
//
// Conventions (decided once, used everywhere):
// - Coordinates: `x` is the column (0 ..< width, left to right), `y` the row
//   (0 ..< height, top to bottom); the origin is the top-left pixel. Pixel
//   centres lie on integer coordinates. Storage is row-major: the sample at
//   (x, y) is `pixels[y * width + x]`. Shapes are written (rows, cols) in
//   documentation, as in scikit-image.
// - Values: samples keep the numbers stored in the file. `UInt8` is 0...255,
//   `UInt16` is 0...(2^bitDepth − 1) (a 12-bit detector stored in 16-bit words
//   keeps values 0...4095 and reports `bitDepth` 12), `Float` is whatever the
//   file holds (no normalisation). Signed integers and float64 are widened or
//   narrowed to `Float` when read.

/// A sample type an ``Image`` can hold: `UInt8`, `UInt16` or `Float` (32-bit).
public protocol PixelSample: Sendable, Equatable, Comparable {
    /// The value as a `Float`, exact for `UInt8` and `UInt16`.
    var floatValue: Float { get }
    /// Bits of one stored sample (8, 16 or 32).
    static var storageBits: Int { get }
    /// The sample-format name used in reports (`uint8`, `uint16`, `float32`).
    static var formatName: String { get }
    /// The zero sample.
    static var zero: Self { get }
}

extension UInt8: PixelSample {
    @inlinable public var floatValue: Float { Float(self) }
    public static var storageBits: Int { 8 }
    public static var formatName: String { "uint8" }
}

extension UInt16: PixelSample {
    @inlinable public var floatValue: Float { Float(self) }
    public static var storageBits: Int { 16 }
    public static var formatName: String { "uint16" }
}

extension Float: PixelSample {
    @inlinable public var floatValue: Float { self }
    public static var storageBits: Int { 32 }
    public static var formatName: String { "float32" }
}

/// A 2-D single-channel image of shape (rows, cols) = (`height`, `width`),
/// stored row-major in one contiguous array.
///
/// ```swift
/// var image = Image<UInt8>(width: 3, height: 2, fill: 0)
/// image[2, 1] = 255          // x = 2 (column), y = 1 (row)
/// image.pixels               // [0, 0, 0, 0, 0, 255]
/// ```
public struct Image<Pixel: PixelSample>: Sendable, Equatable {
    /// Number of columns, in px.
    public let width: Int
    /// Number of rows, in px.
    public let height: Int
    /// Significant bits per sample: 1–8 for `UInt8`, 9–16 for `UInt16`, 32 for `Float`.
    public var bitDepth: Int
    /// Row-major samples, `width * height` of them.
    public var pixels: [Pixel]

    /// Wraps existing row-major samples. `pixels.count` must equal `width * height`.
    public init(width: Int, height: Int, pixels: [Pixel], bitDepth: Int? = nil) {
        precondition(width >= 0 && height >= 0, "image dimensions must be non-negative")
        precondition(pixels.count == width * height,
                     "expected \(width * height) samples for \(width)×\(height), got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
        self.bitDepth = bitDepth ?? Pixel.storageBits
    }

    /// An image of `width × height` px filled with `value`.
    public init(width: Int, height: Int, fill value: Pixel = .zero, bitDepth: Int? = nil) {
        self.init(width: width, height: height,
                  pixels: [Pixel](repeating: value, count: width * height), bitDepth: bitDepth)
    }

    /// Number of pixels (`width * height`).
    @inlinable public var count: Int { width * height }

    /// Whether the image has no pixels.
    @inlinable public var isEmpty: Bool { width == 0 || height == 0 }

    /// The sample at column `x`, row `y` (bounds-checked).
    @inlinable public subscript(x: Int, y: Int) -> Pixel {
        get {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)×\(height)")
            return pixels[y * width + x]
        }
        set {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)×\(height)")
            pixels[y * width + x] = newValue
        }
    }

    /// The largest value a sample can take given `bitDepth` (1.0 range for `Float` is not implied).
    public var maximumValue: Float {
        Pixel.self == Float.self ? .greatestFiniteMagnitude : Float((1 << min(bitDepth, 24)) - 1)
    }

    /// Returns the sub-image inside `rect` (clipped to the image).
    public func cropped(to rect: PixelRect) -> Image<Pixel> {
        let r = rect.clipped(toWidth: width, height: height)
        var out = [Pixel]()
        out.reserveCapacity(r.width * r.height)
        for y in r.y ..< r.y + r.height {
            out.append(contentsOf: pixels[(y * width + r.x) ..< (y * width + r.x + r.width)])
        }
        return Image(width: r.width, height: r.height, pixels: out, bitDepth: bitDepth)
    }

    /// Applies `transform` to every sample, keeping the shape.
    @inlinable
    public func map<T: PixelSample>(bitDepth: Int? = nil, _ transform: (Pixel) -> T) -> Image<T> {
        Image<T>(width: width, height: height, pixels: pixels.map(transform), bitDepth: bitDepth)
    }
}

extension Image {
    /// The image as 32-bit floats (exact for 8- and 16-bit samples).
    @inlinable
    public func asFloat() -> Image<Float> {
        if let same = self as? Image<Float> { return same }
        if isEmpty { return Image<Float>(width: width, height: height, pixels: [], bitDepth: 32) }
        let w = width
        let converted = [Float](unsafeUninitializedCapacity: count) { dst, initialized in
            adviseHugePages(UnsafeMutableRawPointer(dst.baseAddress), byteCount: count * MemoryLayout<Float>.stride)
            let d = SendablePointer(dst.baseAddress!)
            pixels.withUnsafeBufferPointer { src in
                parallelBands(height, minimumPerBand: 64) { rows in
                    for i in rows.lowerBound * w ..< rows.upperBound * w { (d.base + i).initialize(to: src[i].floatValue) }
                }
            }
            initialized = count
        }
        return Image<Float>(width: width, height: height, pixels: converted, bitDepth: 32)
    }
}

/// An image of any supported sample type, as it came out of a file.
public enum AnyImage: Sendable, Equatable {
    case uint8(Image<UInt8>)
    case uint16(Image<UInt16>)
    case float32(Image<Float>)

    /// Number of columns, in px.
    public var width: Int {
        switch self { case .uint8(let i): i.width; case .uint16(let i): i.width; case .float32(let i): i.width }
    }
    /// Number of rows, in px.
    public var height: Int {
        switch self { case .uint8(let i): i.height; case .uint16(let i): i.height; case .float32(let i): i.height }
    }
    /// Significant bits per sample.
    public var bitDepth: Int {
        switch self { case .uint8(let i): i.bitDepth; case .uint16(let i): i.bitDepth; case .float32(let i): i.bitDepth }
    }
    /// `uint8`, `uint16` or `float32`.
    public var sampleFormat: String {
        switch self { case .uint8: "uint8"; case .uint16: "uint16"; case .float32: "float32" }
    }
    /// The samples as 32-bit floats, same shape.
    public func asFloat() -> Image<Float> {
        switch self { case .uint8(let i): i.asFloat(); case .uint16(let i): i.asFloat(); case .float32(let i): i }
    }
    /// The sub-image inside `rect` (clipped), in the same sample type.
    public func cropped(to rect: PixelRect) -> AnyImage {
        switch self {
        case .uint8(let i): .uint8(i.cropped(to: rect))
        case .uint16(let i): .uint16(i.cropped(to: rect))
        case .float32(let i): .float32(i.cropped(to: rect))
        }
    }
}

extension Image where Pixel == Float {
    /// `factor × factor` binning (mean of each block; the last partial blocks are
    /// dropped), as microscopes bin pixels. Shape (rows / factor, cols / factor).
    public func binned(by factor: Int) -> Image<Float> {
        precondition(factor >= 1, "binning factor must be at least 1, got \(factor)")
        if factor == 1 { return self }
        let bw = width / factor, bh = height / factor
        var out = [Float](repeating: 0, count: bw * bh)
        let scale = 1 / Float(factor * factor)
        pixels.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                parallelBands(bh, minimumPerBand: 8) { rows in
                    if factor == 2 {
                        // The general loop's additions in its order (from 0, row by row), on two
                        // rows at a time: a loop the compiler vectorises, the same sums.
                        for by in rows {
                            let upper = p.baseAddress! + 2 * by * width, lower = upper + width
                            let row = o.baseAddress! + by * bw
                            for bx in 0 ..< bw {
                                var s: Float = 0
                                s += upper[2 * bx]; s += upper[2 * bx + 1]
                                s += lower[2 * bx]; s += lower[2 * bx + 1]
                                row[bx] = s * scale
                            }
                        }
                        return
                    }
                    for by in rows {
                        for bx in 0 ..< bw {
                            var s: Float = 0
                            for dy in 0 ..< factor {
                                let row = (by * factor + dy) * width + bx * factor
                                for dx in 0 ..< factor { s += p[row + dx] }
                            }
                            o[by * bw + bx] = s * scale
                        }
                    }
                }
            }
        }
        return Image<Float>(width: bw, height: bh, pixels: out, bitDepth: 32)
    }
}
