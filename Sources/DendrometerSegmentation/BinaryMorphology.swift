// Binary dilation, erosion, opening and closing by a disk. Radii up to
// `rowDiskMaximumRadius` use the packed-row line decomposition of the disk
// (BinaryMorphologyRows.swift); larger radii run in time independent of the
// radius through the exact Euclidean distance transform (Felzenszwalb &
// Huttenlocher 2012; see DistanceTransform.swift), described below. Both give
// bit-identical results (tested).
// The disk is scikit-image's `disk(r)`: offsets (dx, dy) with dx² + dy² ≤ r²,
// so "within the disk" is exactly "squared distance ≤ r²" (integers).
// Only the threshold of the distance matters, so the row pass is simpler than
// the parabola envelope: with g(q) the column distance from pass 1, pixel x is
// within the disk of a target iff |x − q| ≤ ⌊√(r² − g(q)²)⌋ for some q with
// g(q) ≤ r; two running sweeps (max of q + half-width from the left, min of
// q − half-width from the right) decide it in O(width) per row with integer
// arithmetic only. Exact; cost independent of r.
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
/// - Complexity: O(pixels · r / 64) word operations for r ≤ 32 (packed rows),
///   O(pixels) independent of r above; parallel row bands.
///
/// ```swift
/// let dot = BinaryMask(rows: [".....", ".....", "..#..", ".....", "....."])
/// try dilation(dot, radius: 1).rows   // [".....", "..#..", ".###.", "..#..", "....."]
/// ```
public func dilation(_ mask: BinaryMask, radius: Int) throws(SegmentationError) -> BinaryMask {
    try validateRadius(radius)
    return diskMorphology(mask, target: 1, radius: radius, covered: 1, path: .automatic)
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
/// - Complexity: as ``dilation(_:radius:)`` (erosion is the complement of the
///   dilation of the complement).
///
/// ```swift
/// let square = BinaryMask(rows: ["....", ".##.", ".##.", "...."])
/// try erosion(square, radius: 1).area   // 0
/// ```
public func erosion(_ mask: BinaryMask, radius: Int) throws(SegmentationError) -> BinaryMask {
    try validateRadius(radius)
    return diskMorphology(mask, target: 0, radius: radius, covered: 0, path: .automatic)
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

/// Dispatches to the packed-row kernel (small radii) or the distance-transform
/// kernel (large radii); both give identical results. Unchecked: radius ≥ 0.
func diskMorphology(_ mask: BinaryMask, target: UInt8, radius: Int, covered: UInt8,
                    path: DiskMorphologyPath) -> BinaryMask {
    switch path {
    case .rows:
        return rowDiskKernel(mask, target: target, radius: radius, covered: covered)
    case .distance:
        return diskKernel(mask, target: target, radius: radius, covered: covered)
    case .automatic:
        return radius <= rowDiskMaximumRadius
            ? rowDiskKernel(mask, target: target, radius: radius, covered: covered)
            : diskKernel(mask, target: target, radius: radius, covered: covered)
    }
}

/// Marks the pixels within `disk(radius)` of a pixel whose bit is `target`:
/// they get `covered`, the others `1 - covered`. Dilation is (target 1,
/// covered 1); erosion is (target 0, covered 0), since a phase pixel survives
/// iff no in-image background pixel lies within the disk.
/// Unchecked precondition: radius ≥ 0.
func diskKernel(_ mask: BinaryMask, target: UInt8, radius: Int, covered: UInt8) -> BinaryMask {
    let w = mask.width, h = mask.height
    guard w > 0, h > 0 else { return mask }
    // No two pixels of the image are w + h apart or more: a larger disk acts the same.
    let r = min(radius, w + h)
    let g = columnDistances(mask, target: target)
    // Half-width of the disk at vertical offset dy = 0 ... r; entry r + 1 is a
    // sentinel for "no target within r rows" that never extends a reach.
    let none = 1 << 40
    let half: [Int] = (0 ... r + 1).map { dy in
        if dy > r { return -none }
        var x = Int(saturating: Double(r * r - dy * dy).squareRoot())
        while x * x > r * r - dy * dy { x -= 1 }
        while (x + 1) * (x + 1) <= r * r - dy * dy { x += 1 }
        return x
    }
    var out = [UInt8](repeating: 0, count: w * h)
    let flip: UInt8 = 1 - covered
    g.withUnsafeBufferPointer { gb in
        half.withUnsafeBufferPointer { hb in
            out.withUnsafeMutableBufferPointer { ob in
                let gp = SendablePointer(UnsafeMutablePointer(mutating: gb.baseAddress!))
                let hp = SendablePointer(UnsafeMutablePointer(mutating: hb.baseAddress!))
                let op = SendablePointer(ob.baseAddress!)
                let cap = Int32(r + 1)
                parallelBands(h, minimumPerBand: 16) { rows in
                    let half = hp.base
                    for y in rows {
                        let gRow = gp.base + y * w, oRow = op.base + y * w
                        // Left to right: reach = max over q ≤ x of q + half(g(q)).
                        var reach = -none
                        for x in 0 ..< w {
                            reach = max(reach, x + half[Int(min(gRow[x], cap))])
                            oRow[x] = reach >= x ? 1 : 0
                        }
                        // Right to left: reach = min over q ≥ x of q − half(g(q)).
                        reach = none
                        for x in stride(from: w - 1, through: 0, by: -1) {
                            reach = min(reach, x - half[Int(min(gRow[x], cap))])
                            oRow[x] = (oRow[x] | (reach <= x ? 1 : 0)) ^ flip
                        }
                    }
                }
            }
        }
    }
    return BinaryMask(width: w, height: h, normalizedBits: out)
}

private func validateRadius(_ radius: Int) throws(SegmentationError) {
    guard radius >= 0 else {
        throw .invalidParameter(name: "disk radius", expected: "a radius ≥ 0 px", got: "\(radius)")
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

extension BinaryMask {
    /// This mask grown by `steps` 8-connected steps, but only onto pixels of `limit` (same shape):
    /// a geodesic dilation (morphological reconstruction stopped after `steps`). Pixels of this
    /// mask outside `limit` stay. Breadth-first: the first step starts from whichever is smaller,
    /// this mask's pixels or the pixels it may grow onto (a whisker mask given back its few cut
    /// pixels), the later ones from the pixels just reached.
    public func growing(within limit: BinaryMask, steps: Int) -> BinaryMask {
        precondition(width == limit.width && height == limit.height, "mask sizes differ")
        guard steps > 0 else { return self }
        var out = self
        // How many pixels it starts from and how many it may grow onto (the fewer are listed).
        var seedCount = 0, openCount = 0
        for i in bits.indices {
            if bits[i] != 0 { seedCount += 1 } else if limit.bits[i] != 0 { openCount += 1 }
        }
        // Calls `body` with each 8-neighbour index of p.
        func neighbours(_ p: Int, _ body: (Int) -> Void) {
            let x = p % width, y = p / width
            for ny in max(0, y - 1) ... min(height - 1, y + 1) {
                for nx in max(0, x - 1) ... min(width - 1, x + 1) where nx != x || ny != y { body(ny * width + nx) }
            }
        }
        var front = [Int]()
        if openCount < seedCount {
            // The open pixels with a neighbour in this mask: the first step, read from their side.
            for q in bits.indices where bits[q] == 0 && limit.bits[q] != 0 {
                var touches = false
                neighbours(q) { if bits[$0] != 0 { touches = true } }
                if touches { front.append(q) }
            }
            for q in front { out.bits[q] = 1 }
        } else {
            for p in bits.indices where bits[p] != 0 {
                neighbours(p) { q in if out.bits[q] == 0 && limit.bits[q] != 0 { out.bits[q] = 1; front.append(q) } }
            }
        }
        for _ in 1 ..< steps {
            if front.isEmpty { break }
            var next = [Int]()
            for p in front {
                neighbours(p) { q in if out.bits[q] == 0 && limit.bits[q] != 0 { out.bits[q] = 1; next.append(q) } }
            }
            front = next
        }
        return out
    }
}
