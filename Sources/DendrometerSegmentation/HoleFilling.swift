// Hole filling and removal of small objects / small holes.
// Method: run-based connected-component labelling (see
// ConnectedComponents.swift). A hole is a 4-connected background component
// that does not touch the image border (outside the image is background),
// as `scipy.ndimage.binary_fill_holes`; objects are 8-connected phase
// components, as `skimage.morphology.remove_small_objects(connectivity=2)`.
import DendrometerCore

/// Fills every hole of the phase: background regions (4-connected) that do
/// not touch the image border.
///
/// - Parameter mask: shape (rows, cols).
/// - Returns: the mask with its holes set to phase; equals
///   `scipy.ndimage.binary_fill_holes(mask)`.
/// - Complexity: O(pixels).
///
/// ```swift
/// let ring = BinaryMask(rows: ["###", "#.#", "###"])
/// fillHoles(ring).rows   // ["###", "###", "###"]
/// ```
public func fillHoles(_ mask: BinaryMask) -> BinaryMask {
    fillHoles(mask, smallerThan: Int.max)
}

/// Fills holes (background regions, 4-connected, not touching the border)
/// whose area is below `minimumArea` px²; larger holes stay open.
///
/// - Parameters:
///   - mask: shape (rows, cols).
///   - minimumArea: px² (a caller converts µm² with the pixel area); holes of
///     area `< minimumArea` are filled.
/// - Note: unlike `skimage.morphology.remove_small_holes`, background regions
///   touching the border are never filled: they are not holes (docs/REFERENCE.md §4).
/// - Throws: ``SegmentationError/invalidParameter(name:expected:got:)`` for a negative area.
/// - Complexity: O(pixels).
public func removeSmallHoles(_ mask: consuming BinaryMask, minimumArea: Int) throws(SegmentationError) -> BinaryMask {
    guard minimumArea >= 0 else {
        throw .invalidParameter(name: "minimum hole area", expected: "≥ 0 px²", got: "\(minimumArea)")
    }
    return fillHoles(mask, smallerThan: minimumArea)
}

/// Removes 8-connected phase components whose area is below `minimumArea` px².
///
/// - Parameters:
///   - mask: shape (rows, cols).
///   - minimumArea: px²; components of area `< minimumArea` are removed
///     (= `skimage.morphology.remove_small_objects(mask, max_size=minimumArea - 1, connectivity=2)`).
/// - Throws: ``SegmentationError/invalidParameter(name:expected:got:)`` for a negative area.
/// - Complexity: O(pixels).
///
/// ```swift
/// let mask = BinaryMask(rows: ["##..#", "##..."])
/// try removeSmallObjects(mask, minimumArea: 2).rows   // ["##...", "##..."]
/// ```
public func removeSmallObjects(_ mask: BinaryMask, minimumArea: Int) throws(SegmentationError) -> BinaryMask {
    guard minimumArea >= 0 else {
        throw .invalidParameter(name: "minimum object area", expected: "≥ 0 px²", got: "\(minimumArea)")
    }
    let forest = RunForest(mask, value: 1, connectivity: .eight)
    var area = [Int](repeating: 0, count: forest.componentCount + 1)
    var out = mask
    forest.runs.withUnsafeBufferPointer { runs in
        forest.componentOfRun.withUnsafeBufferPointer { component in
            area.withUnsafeMutableBufferPointer { area in
                for i in 0 ..< runs.count { area[Int(component[i])] += Int(runs[i].x1 - runs[i].x0) }
            }
            guard area[1...].contains(where: { $0 < minimumArea }) else { return }
            out.bits.withUnsafeMutableBufferPointer { b in
                area.withUnsafeBufferPointer { area in
                    for y in 0 ..< mask.height {
                        let row = y * mask.width
                        for i in forest.rowStart[y] ..< forest.rowStart[y + 1] where area[Int(component[i])] < minimumArea {
                            (b.baseAddress! + row + Int(runs[i].x0)).update(repeating: 0, count: Int(runs[i].x1 - runs[i].x0))
                        }
                    }
                }
            }
        }
    }
    return out
}

/// `mask` is consumed: a caller passing its last use has the holes filled in its buffer, without
/// a copy of the mask.
private func fillHoles(_ mask: consuming BinaryMask, smallerThan limit: Int) -> BinaryMask {
    let height = mask.height, width = mask.width
    let forest = RunForest(copy mask, value: 0, connectivity: .four)   // reads it; the buffer is not copied
    let n = forest.componentCount
    var area = [Int](repeating: 0, count: n + 1)
    var touches = [Bool](repeating: false, count: n + 1)
    let w = Int32(width), lastRow = height - 1
    for y in 0 ..< height {
        for i in forest.rowStart[y] ..< forest.rowStart[y + 1] {
            let r = forest.runs[i], c = Int(forest.componentOfRun[i])
            area[c] += Int(r.x1 - r.x0)
            if r.x0 == 0 || r.x1 == w || y == 0 || y == lastRow { touches[c] = true }
        }
    }
    var out = consume mask
    out.bits.withUnsafeMutableBufferPointer { b in
        for y in 0 ..< height {
            for i in forest.rowStart[y] ..< forest.rowStart[y + 1] {
                let c = Int(forest.componentOfRun[i])
                guard !touches[c], area[c] < limit else { continue }
                let r = forest.runs[i], row = y * width
                for x in Int(r.x0) ..< Int(r.x1) { b[row + x] = 1 }
            }
        }
    }
    return out
}
