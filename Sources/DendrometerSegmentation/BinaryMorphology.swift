// Binary dilation, erosion, opening and closing by a disk, in time
// independent of the radius, through the exact Euclidean distance transform
// (Felzenszwalb & Huttenlocher 2012; see DistanceTransform.swift).
// The disk is scikit-image's `disk(r)`: offsets (dx, dy) with dx² + dy² ≤ r²,
// so "within the disk" is exactly "squared distance ≤ r²" (integers).
//
// Border convention (scikit-image `binary_dilation` / `binary_erosion`,
// default mode='ignore', checked against scikit-image 0.26): for dilation
// pixels outside the image are background (they never add phase); for
// erosion they are phase (they never remove phase) — erosion only eats from
// background pixels inside the image. Opening and closing compose these, as
// `binary_opening` / `binary_closing` do.
import DendrometerCore

/// Binary dilation by the disk of radius `radius` px (skimage `disk(radius)`).
///
/// - Parameters:
///   - mask: shape (rows, cols).
///   - radius: px, ≥ 0 (0 returns the mask unchanged).
/// - Returns: pixels whose squared distance to the phase is ≤ radius²;
///   outside the image counts as background.
/// - Throws: ``SegmentationError/invalidParameter(name:expected:got:)`` for a negative radius.
/// - Complexity: O(pixels), independent of the radius; parallel bands.
///
/// ```swift
/// let dot = BinaryMask(rows: [".....", ".....", "..#..", ".....", "....."])
/// try dilation(dot, radius: 1).rows   // [".....", "..#..", ".###.", "..#..", "....."]
/// ```
public func dilation(_ mask: BinaryMask, radius: Int) throws(SegmentationError) -> BinaryMask {
    try validateRadius(radius)
    var out = [UInt8](repeating: 0, count: mask.count)
    out.withUnsafeMutableBufferPointer { o in
        guard let base = o.baseAddress else { return }
        squaredDistanceKernel(mask, target: 1, sx: 1, sy: 1, output: .within(Double(radius * radius), base))
    }
    return BinaryMask(width: mask.width, height: mask.height, bitsUnchecked: out)
}

/// Binary erosion by the disk of radius `radius` px (skimage `disk(radius)`).
///
/// - Parameters:
///   - mask: shape (rows, cols).
///   - radius: px, ≥ 0.
/// - Returns: phase pixels whose squared distance to the nearest background
///   pixel inside the image is > radius²; outside the image counts as phase,
///   so a full mask stays full.
/// - Throws: ``SegmentationError/invalidParameter(name:expected:got:)`` for a negative radius.
/// - Complexity: O(pixels), independent of the radius.
///
/// ```swift
/// let square = BinaryMask(rows: ["....", ".##.", ".##.", "...."])
/// try erosion(square, radius: 1).area   // 0
/// ```
public func erosion(_ mask: BinaryMask, radius: Int) throws(SegmentationError) -> BinaryMask {
    try validateRadius(radius)
    var out = [UInt8](repeating: 0, count: mask.count)
    out.withUnsafeMutableBufferPointer { o in
        guard let base = o.baseAddress else { return }
        squaredDistanceKernel(mask, target: 0, sx: 1, sy: 1, output: .beyond(Double(radius * radius), base))
    }
    return BinaryMask(width: mask.width, height: mask.height, bitsUnchecked: out)
}

/// Binary opening (erosion then dilation) by the disk of radius `radius` px:
/// removes parts of the phase narrower than the disk.
/// Same border rules and complexity as ``erosion(_:radius:)`` and ``dilation(_:radius:)``.
public func opening(_ mask: BinaryMask, radius: Int) throws(SegmentationError) -> BinaryMask {
    try dilation(erosion(mask, radius: radius), radius: radius)
}

/// Binary closing (dilation then erosion) by the disk of radius `radius` px:
/// fills gaps and notches narrower than the disk.
/// Same border rules and complexity as ``dilation(_:radius:)`` and ``erosion(_:radius:)``.
public func closing(_ mask: BinaryMask, radius: Int) throws(SegmentationError) -> BinaryMask {
    try erosion(dilation(mask, radius: radius), radius: radius)
}

private func validateRadius(_ radius: Int) throws(SegmentationError) {
    guard radius >= 0, radius < 1 << 24 else {
        throw .invalidParameter(name: "disk radius", expected: "0 ≤ radius < 2^24 px", got: "\(radius)")
    }
}

/// Offsets of skimage's `disk(radius)`.
func diskOffsets(_ radius: Int) -> [(dx: Int, dy: Int)] {
    var out: [(dx: Int, dy: Int)] = []
    for dy in -radius ... radius { for dx in -radius ... radius where dx * dx + dy * dy <= radius * radius { out.append((dx, dy)) } }
    return out
}

/// Direct dilation by the disk (scalar reference for tests, O(pixels · r²)).
func dilationReference(_ mask: BinaryMask, radius: Int) -> BinaryMask {
    var out = BinaryMask(width: mask.width, height: mask.height)
    let disk = diskOffsets(radius)
    for y in 0 ..< mask.height {
        for x in 0 ..< mask.width {
            for (dx, dy) in disk {
                let u = x + dx, v = y + dy
                if u >= 0, u < mask.width, v >= 0, v < mask.height, mask.bits[v * mask.width + u] != 0 {
                    out.bits[y * mask.width + x] = 1
                    break
                }
            }
        }
    }
    return out
}

/// Direct erosion by the disk, outside = phase (scalar reference for tests).
func erosionReference(_ mask: BinaryMask, radius: Int) -> BinaryMask {
    var out = BinaryMask(width: mask.width, height: mask.height)
    let disk = diskOffsets(radius)
    for y in 0 ..< mask.height {
        for x in 0 ..< mask.width where mask.bits[y * mask.width + x] != 0 {
            var keep: UInt8 = 1
            for (dx, dy) in disk {
                let u = x + dx, v = y + dy
                if u >= 0, u < mask.width, v >= 0, v < mask.height, mask.bits[v * mask.width + u] == 0 {
                    keep = 0
                    break
                }
            }
            out.bits[y * mask.width + x] = keep
        }
    }
    return out
}
