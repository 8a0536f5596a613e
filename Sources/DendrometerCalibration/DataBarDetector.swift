// SEM data-bar detection from pixels: row-mode statistics.
//
// Algorithm (our own, documented here; no paper): SEM vendors burn an
// annotation strip into the frame — a uniform dark or light background
// (exactly one grey level, often with a 1-px frame line) carrying text and a
// scale bar in the opposite contrast. Quantise the image to 256 levels over
// its own [min, max]; for every row near the bottom and top edges compute the
// share of pixels in the row's most common level (±1 level). A bar is a run of
// such "uniform" rows (share ≥ 0.5) starting within 3 rows of the edge whose
// inner neighbour is not uniform, covering 2–30 % of the height, whose most
// common level covers ≥ 50 % of its pixels, which holds "ink" (pixels at least
// 40 % of the range away from that level: text, scale bar) and whose level is
// rare in the rows just inside it (the sharp change). Measured on the real
// files (PROVENANCE.md): bar rows have share 0.56–1.0, micrograph rows
// 0.02–0.18.

import DendrometerCore

/// Finds a burned-in SEM data bar (annotation strip) from the pixels.
public enum DataBarDetector {
    /// Tunable thresholds; the defaults were chosen on the real Zeiss, JEOL and
    /// FEI files listed in PROVENANCE.md.
    /// A data bar holds a line of text and a scale bar: never fewer than 8 rows.
    /// (Guards tiny images, e.g. a 52×53 test TIFF, from two-row "bars".)
    public static let minimumBarRows = 8

    public struct Parameters: Sendable, Equatable {
        /// Smallest bar height as a fraction of the image height (default 0.02).
        public var minimumHeightFraction: Double = 0.02
        /// Largest bar height as a fraction of the image height (default 0.30).
        public var maximumHeightFraction: Double = 0.30
        /// A row is uniform when its most common level (±1 of 256) covers at
        /// least this share of its pixels (default 0.5).
        public var uniformRowShare: Double = 0.5
        /// Non-uniform rows allowed between the image edge and the bar, px
        /// (Zeiss frames leave a 1-px sliver of micrograph; default 3).
        public var edgeMargin: Int = 3
        /// Minimum share of ink pixels (≥ 40 % of the range from the bar level)
        /// in the bar (default 0.002).
        public var minimumInkShare: Double = 0.002
        /// Maximum share of bar-level pixels in the 4 rows just inside the bar
        /// (default 0.3).
        public var maximumLevelShareInside: Double = 0.3

        /// Default thresholds.
        public init() {}
    }

    /// Detects a data bar at the bottom (preferred) or top edge.
    ///
    /// - Parameters:
    ///   - image: a single-channel image, shape (rows, cols) = (`height`,
    ///     `width`), any sample type; values are only compared with each other.
    ///   - parameters: thresholds (see ``Parameters``).
    /// - Returns: the bar as a full-width rectangle that reaches the image edge
    ///   (px), or nil when there is no bar. Slivers of micrograph between a
    ///   framed bar and the edge (Zeiss: 1–2 px) are included in the rectangle,
    ///   since they are unusable. Images smaller than 8 × 16 px, constant
    ///   images, and images whose uniform region exceeds the maximum height
    ///   (a vertical gradient, an all-zero frame) give nil.
    ///
    /// Complexity: O(width × height) for the range, plus O(width) per scanned
    /// row (at most 2 × (30 % + 3 px) of the rows); one 256-bin histogram.
    ///
    /// Example: a 64 × 100 noisy micrograph (levels 80…180) whose rows 88…99
    /// are 0 with a few 255-valued letters → `PixelRect(x: 0, y: 88,
    /// width: 64, height: 12)`.
    public static func detect<P: PixelSample>(in image: Image<P>, parameters: Parameters = Parameters()) -> PixelRect? {
        let w = image.width, h = image.height
        guard w >= 8, h >= 16 else { return nil }
        // Dispatch on the concrete sample type so the kernel runs specialised
        // (this generic entry is called from other modules).
        return image.pixels.withUnsafeBufferPointer { buf in
            switch buf {
            case let b as UnsafeBufferPointer<UInt8>: detectKernel(b, width: w, height: h, range: integerRange(b), parameters: parameters)
            case let b as UnsafeBufferPointer<UInt16>: detectKernel(b, width: w, height: h, range: integerRange(b), parameters: parameters)
            case let b as UnsafeBufferPointer<Float>: detectKernel(b, width: w, height: h, range: finiteRange(b), parameters: parameters)
            default: detectKernel(buf, width: w, height: h, range: finiteRange(buf), parameters: parameters)
            }
        }
    }

    /// Smallest and largest finite sample as Float.
    private static func finiteRange<P: PixelSample>(_ buf: UnsafeBufferPointer<P>) -> (lo: Float, hi: Float) {
        var lo = Float.greatestFiniteMagnitude, hi = -Float.greatestFiniteMagnitude
        for v in buf {
            let f = v.floatValue
            if f.isFinite { if f < lo { lo = f }; if f > hi { hi = f } }
        }
        return (lo, hi)
    }

    /// ``finiteRange(_:)`` of integer samples (every one finite, exact as Float): a min/max the
    /// compiler vectorises (opening a 4096² 8-bit image took 29 ms with the Float loop, 8 with this).
    private static func integerRange<T: FixedWidthInteger & UnsignedInteger>(_ buf: UnsafeBufferPointer<T>) -> (lo: Float, hi: Float) {
        guard !buf.isEmpty else { return (.greatestFiniteMagnitude, -.greatestFiniteMagnitude) }
        var lo = T.max, hi = T.min
        for v in buf {
            lo = v < lo ? v : lo
            hi = v > hi ? v : hi
        }
        return (Float(lo), Float(hi))
    }

    /// Kernel. Preconditions (unchecked): `buf.count == width * height`,
    /// `width >= 8`, `height >= 16`, `range` the finite samples' range.
    private static func detectKernel<P: PixelSample>(_ buf: UnsafeBufferPointer<P>, width w: Int, height h: Int,
                                                     range: (lo: Float, hi: Float), parameters p: Parameters) -> PixelRect? {
        // `range`: smallest and largest finite sample.
        let (lo, hi) = range
        guard lo < hi else { return nil }
        let scale = 255 / (hi - lo)
        @inline(__always) func level(_ v: P) -> Int {
            let f = v.floatValue
            guard f.isFinite else { return 0 }
            return min(255, max(0, Int(saturating: ((f - lo) * scale).rounded())))
        }

        let maxRows = Int(saturating: Double(h) * p.maximumHeightFraction)
        let minRows = max(Self.minimumBarRows, Int(saturating: (Double(h) * p.minimumHeightFraction).rounded(.up)))
        var hist = [Int](repeating: 0, count: 258)   // index level+1, padded for the ±1 window

        /// Most common level (±1) of a set of rows and its share.
        func mode(rows: ClosedRange<Int>) -> (level: Int, share: Double) {
            for i in hist.indices { hist[i] = 0 }
            for y in rows {
                let base = y * w
                for x in 0..<w { hist[level(buf[base + x]) + 1] += 1 }
            }
            var best = 0, bestCount = -1
            for l in 0..<256 {
                let c = hist[l] + hist[l + 1] + hist[l + 2]
                if c > bestCount { best = l; bestCount = c }
            }
            return (best, Double(bestCount) / Double(rows.count * w))
        }
        func share(ofLevel lv: Int, rows: ClosedRange<Int>) -> Double {
            var n = 0
            for y in rows {
                let base = y * w
                for x in 0..<w where abs(level(buf[base + x]) - lv) <= 1 { n += 1 }
            }
            return Double(n) / Double(rows.count * w)
        }

        /// Tries one edge; `rowAt(i)` maps distance from the edge to a row.
        func tryEdge(_ rowAt: (Int) -> Int) -> PixelRect? {
            let limit = min(h - 1, maxRows + p.edgeMargin)
            var i = 0
            while i <= p.edgeMargin, i < limit, mode(rows: rowAt(i)...rowAt(i)).share < p.uniformRowShare { i += 1 }
            guard i <= p.edgeMargin else { return nil }
            let first = i
            while i < limit, mode(rows: rowAt(i)...rowAt(i)).share >= p.uniformRowShare { i += 1 }
            // i = first non-uniform row (distance from the edge); bar covers 0..<i.
            guard i < limit, i <= maxRows, i >= minRows, i - first >= 2 else { return nil }
            let a = rowAt(first), b = rowAt(i - 1)
            let band = min(a, b)...max(a, b)
            let bg = mode(rows: band)
            guard bg.share >= 0.5 else { return nil }
            // Ink: text and scale bar in the opposite contrast.
            var ink = 0
            for y in band {
                let base = y * w
                for x in 0..<w where abs(level(buf[base + x]) - bg.level) >= 102 { ink += 1 }
            }
            let area = band.count * w
            guard ink >= 3, Double(ink) >= p.minimumInkShare * Double(area) else { return nil }
            // Sharp change: the bar level is rare just inside the bar.
            let insideA = rowAt(i), insideB = rowAt(min(i + 3, h - 1))
            let inside = min(insideA, insideB)...max(insideA, insideB)
            guard share(ofLevel: bg.level, rows: inside) <= p.maximumLevelShareInside else { return nil }
            let y0 = min(rowAt(0), rowAt(i - 1))
            return PixelRect(x: 0, y: y0, width: w, height: i)
        }

        if let r = tryEdge({ h - 1 - $0 }) { return r }
        return tryEdge({ $0 })
    }
}
