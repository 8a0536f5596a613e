// Which axis an image's scan lines run along.
//
// Physics. An SEM scans line by line, and beam-current or detector drift offsets whole lines;
// the microscope writes its lines as the image's rows. An image turned by 90° (a figure rotated
// so that the anode lies at the bottom, a field scanned with the scan rotated) carries its line
// offsets along its columns instead. Correcting rows there removes nothing, and the row offsets
// it subtracts are read from the structure alone: a dark whisker lying along a row shifts that
// row's median difference, and the whole row is brightened or darkened with it.
//
// Rule. Measure the offsets both ways as ``scanLineOffsets(_:)`` does (each line's median
// difference to the mean of its two neighbours), on the same number of samples either way (a
// median of fewer samples scatters more, and pixel noise alone would then make one axis look
// noisier; ``scanLineAxisSizes(_:samples:)``, ~256 lines of ~256 samples), and take each set's size as the mean of their absolute values without the largest and
// smallest tenth (``lineOffsetSize(_:trimmedFraction:)``): line noise makes every line's offset
// non-zero, while structure moves only the few lines it lies along. The scan lines run along the
// columns when the columns' offsets are more than
// ``AnalysisParameters/Preparation/scanColumnsOverRows`` (1.5) times the rows' (without line noise
// on either axis the two are alike); only then are the columns' offsets measured in full
// (``scanColumnOffsets(_:sampledRows:)``). Otherwise, as a microscope writes them, along the rows.
//
// Worked example: the validation scene `v_li_edx_jeol` (8-bit, lines as rows) has row offsets of
// size 1.02 grey levels and column offsets of 0.00: the rows are corrected. Turned by 90° its
// columns measure 1.12 and its rows 0.28 (a few whiskers lie along rows now): the columns are
// corrected, where correcting the rows made a whisker's tip run on into a crack (max depth 727
// against 605 px; 606 with the columns corrected). On the validation split and the project's own
// set as recorded, the columns' size is at most a third of the rows'; on the split turned by 90°,
// at least twice.

import DendrometerCore

/// The scan-line offset of every column of an image of shape (rows, cols): the median over the
/// column (at most ~`sampledRows` evenly spaced rows, as many as ``scanLineOffsets(_:)`` samples
/// along a row, so that both axes' medians scatter alike) of each sample minus the mean of its left
/// and right neighbours, in the image's grey units; columns 0 and cols − 1, and every column of
/// an image with fewer than 3 columns, have offset 0. ``scanLineOffsets(_:)`` along the other axis.
///
/// - Complexity: O(min(rows, `sampledRows`) × cols) and as much scratch memory.
///
/// ```swift
/// // columns [1,1,1], [9,9,9], [1,1,1] (a streak of +8 in the middle column) → offsets [0, 8, 0]
/// ```
public func scanColumnOffsets<P: PixelSample>(_ image: Image<P>, sampledRows: Int = 1024) -> [Float] {
    let w = image.width, h = image.height
    var offsets = [Float](repeating: 0, count: w)
    guard w >= 3, h > 0, sampledRows > 0 else { return offsets }
    let step = max(1, h / sampledRows)
    let rows = Array(stride(from: 0, to: h, by: step))
    let n = rows.count
    // Differences column-major (column x's at x·n ..< (x + 1)·n), filled row by row.
    var diffs = [Float](repeating: 0, count: w * n)
    image.pixels.withUnsafeBufferPointer { p in
        diffs.withUnsafeMutableBufferPointer { d in
            let out = SendablePointer(d.baseAddress!)
            parallelBands(n, minimumPerBand: 8) { band in
                for k in band {
                    let row = rows[k] * w
                    for x in 1 ..< w - 1 {
                        out.base[x * n + k] = p[row + x].floatValue - 0.5 * (p[row + x - 1].floatValue + p[row + x + 1].floatValue)
                    }
                }
            }
        }
    }
    offsets.withUnsafeMutableBufferPointer { off in
        let out = SendablePointer(off.baseAddress!)
        diffs.withUnsafeMutableBufferPointer { d in
            let column = SendablePointer(d.baseAddress!)
            parallelBands(w - 2, minimumPerBand: 64) { band in
                var scratch = [Float](repeating: 0, count: n)
                for k in band {
                    let x = k + 1
                    scratch.withUnsafeMutableBufferPointer { s in
                        s.baseAddress!.update(from: column.base + x * n, count: n)
                    }
                    out.base[x] = selectKth(&scratch, n / 2)
                }
            }
        }
    }
    return offsets
}

/// The sizes (``lineOffsetSize(_:trimmedFraction:)``) of an image's line offsets along its rows
/// and along its columns, each measured as ``scanLineOffsets(_:)`` measures a row's (a line's
/// median difference to the mean of its two neighbours) but on the same number of samples both
/// ways: at most ~`samples` evenly spaced lines, each over at most ~`samples` evenly spaced
/// positions, so that pixel noise scatters both medians alike. Cheap (about 2 × `samples`²
/// differences), for choosing the axis before the full correction is measured.
///
/// ```swift
/// // a 6 × 6 field with a +8 streak on column 2 and nothing on the rows → (rows 0, columns > 0)
/// ```
public func scanLineAxisSizes<P: PixelSample>(_ image: Image<P>, samples: Int = 256) -> (rows: Float, columns: Float) {
    let w = image.width, h = image.height
    guard w >= 3, h >= 3, samples > 0 else { return (0, 0) }
    return image.pixels.withUnsafeBufferPointer { p in
        func size(lines: Int, positions: Int, _ difference: (Int, Int) -> Float) -> Float {
            let lineStep = max(1, (lines - 2) / samples), positionStep = max(1, positions / samples)
            var medians = [Float](), values = [Float]()
            for line in stride(from: 1, to: lines - 1, by: lineStep) {
                values.removeAll(keepingCapacity: true)
                for position in stride(from: 0, to: positions, by: positionStep) { values.append(difference(line, position)) }
                medians.append(selectKth(&values, values.count / 2))
            }
            return lineOffsetSize(medians)
        }
        let rows = size(lines: h, positions: w) { y, x in
            p[y * w + x].floatValue - 0.5 * (p[(y - 1) * w + x].floatValue + p[(y + 1) * w + x].floatValue)
        }
        let columns = size(lines: w, positions: h) { x, y in
            p[y * w + x].floatValue - 0.5 * (p[y * w + x - 1].floatValue + p[y * w + x + 1].floatValue)
        }
        return (rows, columns)
    }
}

/// The size of a set of line offsets: the mean of their absolute values with the largest and the
/// smallest `trimmedFraction` of them left out (0 for none). Line noise offsets every line;
/// structure lying along a line moves only that one, and the largest values are left out. A mean,
/// not a median, because the offsets of integer images are multiples of ½ grey level, which a
/// median of values that small rounds to 0, ½ or 1.
public func lineOffsetSize(_ offsets: [Float], trimmedFraction: Double = 0.1) -> Float {
    let magnitudes = offsets.map(abs).sorted()
    let cut = min(magnitudes.count / 2, Int(trimmedFraction * Double(magnitudes.count)))
    let kept = magnitudes[cut ..< magnitudes.count - cut]
    guard !kept.isEmpty else { return 0 }
    return kept.reduce(0, +) / Float(kept.count)
}

/// Takes column offsets `offsets` out of `image` (the denoised field) as if they had been
/// subtracted before its Gaussian blur of σ `sigma` px: the blur is linear and the offsets are
/// constant down each column, so that is subtracting the offsets blurred along the row (the same
/// kernel, borders reflected as the blur's). In place: one pass, no second image.
public func subtractBlurredColumnOffsets(_ image: inout Image<Float>, offsets: [Float], sigma: Double) {
    let w = image.width, h = image.height
    guard offsets.count == w, w > 0 else { return }
    let kernel = Kernel1D.gaussian(sigma: sigma)
    let r = kernel.radius
    let blurred = (0 ..< w).map { x -> Float in
        var sum = kernel.taps[0] * offsets[x]
        if r > 0 {
            for k in 1 ... r { sum += kernel.taps[k] * (offsets[reflectIndex(x - k, w)] + offsets[reflectIndex(x + k, w)]) }
        }
        return sum
    }
    image.pixels.withUnsafeMutableBufferPointer { px in
        let base = SendablePointer(px.baseAddress!)
        blurred.withUnsafeBufferPointer { b in
            parallelBands(h, minimumPerBand: 32) { rows in
                for y in rows {
                    for x in 0 ..< w { base.base[y * w + x] -= b[x] }
                }
            }
        }
    }
}
