// Finding the cathode composite when it is in view.
//
// In a full cross-section the far side of the electrolyte is the cathode
// composite (NCM + electrolyte), speckled in BSE: its particles fall in the
// same phase as the dendrites, so without this step they would count as the
// deepest "dendrites". Method: bin the electrolyte-side pixels by their offset
// above the interface (v − g(u), px) and compute the phase fraction of every
// offset bin. The cathode is the run of bins, starting at the far end of the
// image, whose phase fraction (5-bin running mean) stays at or above
// `minimumFraction`; it must be at least `minimumThickness` px thick. Dendrites
// grow from the anode and thin out toward the front, so their bins do not
// reach that fraction next to the far edge unless the cell is shorted through
// a dense phase, which then reads as contact with the far boundary anyway.

import DendrometerCore

/// Where the cathode composite begins, as an offset above the interface.
public struct CathodeLayer: Sendable, Equatable {
    /// Offset above the interface (v − g(u), px) at which the cathode begins.
    public var offsetPx: Double
    /// Thickness of the cathode band in view, px.
    public var thicknessPx: Double
    /// Mean phase fraction inside the band.
    public var phaseFraction: Double
}

/// Detects a speckled cathode band on the far side of the electrolyte.
public enum CathodeDetector {
    /// Tuning parameters.
    public struct Parameters: Sendable, Equatable, Codable {
        /// Phase fraction (running mean over 5 offsets) a cathode band keeps.
        public var minimumFraction = 0.3
        /// Thinnest band accepted, px.
        public var minimumThickness = 8.0
        /// Thinnest band accepted as a fraction of the image extent.
        public var minimumThicknessFraction = 0.02
        /// Texture search: a uniform layer at the far end whose mean grey differs from the
        /// electrolyte's by at least this many times the electrolyte's grey spread is another
        /// material behind the cathode (its current collector, the mount), and the band is sought
        /// beneath it. The electrolyte itself is never skipped this way.
        public var backingContrast = 4.0
        /// A dendrite pixel within this distance below the cathode's near edge touches the
        /// cathode (a short circuit), and a component reaching that close is cut by the band's
        /// edge (the fringe test), px. The edge is read from phase fractions averaged over 5
        /// offsets, so it is known to about ±2 px: nearer than that, touching and not touching
        /// cannot be told apart.
        public var contactPx = 3.0

        /// Defaults.
        public init() {}
    }

    /// Fixed choices of the estimators below (resolution and robustness, not physics: a band's
    /// position does not depend on them beyond a px or two).
    enum Estimation {
        /// Offsets (distances above the interface) are averaged over ± this many neighbours (a
        /// running window of 5): one offset line holds too few pixels for a stable fraction or spread.
        static let offsetWindowRadius = 2
        /// An offset line covering less than this share of the interface's length (the far
        /// corners of a tilted interface) is too sparse to judge and is ignored.
        static let minimumLineShare = 0.25
        /// Fewest well-covered offsets for a texture search: fewer give no electrolyte reference.
        static let minimumPopulatedOffsets = 16
        /// The electrolyte's reference spread and grey are medians over the middle half of the
        /// offsets (between the dendrites near the anode and the far side).
        static let referenceQuantiles = (lower: 0.25, upper: 0.75)
        /// The running mean starts a speckle band a couple of offsets late; the band's edge moves
        /// on toward the anode while the raw phase fraction is still this share of the limit.
        static let bandEdgeShareOfLimit = 0.5
    }

    /// The cathode band found from texture: offsets (above the interface) whose
    /// intensity spread exceeds `spreadRatio` × the electrolyte's, in a run that
    /// starts at the far end of the image, or beneath a uniform layer of another
    /// material there (the cathode's current collector or the mount in a view of the
    /// whole cell: its mean grey lies `backingContrast` electrolyte spreads or more
    /// from the electrolyte's). A speckled composite is found this way even when none
    /// of its particles falls in the dendrite phase.
    ///
    /// Example: far end a steel collector (grey 174, uniform), then a composite whose grey
    /// spreads 3 times as much as the electrolyte's (grey 99 ± 10): the collector's bins are
    /// skipped (|174 − 99| ≥ 4 × 10), and the band begins where the spread falls back — at the
    /// step's halfway point, spread 20 (of 30 and 10), not where it last reaches 2.5 × 10 = 25.
    ///
    /// - Parameters:
    ///   - image: the denoised micrograph (same shape as the interface's image).
    ///   - interface: the anode interface.
    ///   - spreadRatio: how much rougher than the electrolyte (median spread over the middle half) the band must be.
    ///   - fringe: how far the near edge may move from where the spread ratio is last met, px: at
    ///     most max(`minimumPx`, `fraction` × that offset). The edge is read at the 50 % point of
    ///     the texture step — where the spread has fallen halfway from the band's (median) to the
    ///     electrolyte's, as a layer's edge is read on a profile: a composite's particles thin out
    ///     toward the electrolyte over about a particle's size, and a fixed ratio stops inside that
    ///     ramp, the later the noisier the image (noise raises the electrolyte's spread more than
    ///     the band's). The bound is that particle scale, the pipeline's cathode fringe. The band's
    ///     minimum thickness is judged from the edge so read.
    public static func detect(texture image: Image<Float>, interface: Interface, spreadRatio: Double = 2.5,
                              fringe: (minimumPx: Double, fraction: Double) = (10, 0.04),
                              parameters p: Parameters = Parameters()) -> CathodeLayer? {
        let side = interface.side
        let w = image.width, h = image.height
        let length = side.length(width: w, height: h), extent = side.extent(width: w, height: h)
        let sums = image.pixels.withUnsafeBufferPointer { px in
            let p = px.baseAddress!
            return interface.offsetSums(of: p, extent: extent)
        }
        let sum = sums.sum, sum2 = sums.sumOfSquares, n = sums.count
        let populated = n.indices.filter { n[$0] >= Estimation.minimumLineShare * Double(length) }
        guard populated.count >= Estimation.minimumPopulatedOffsets, let last = populated.last else { return nil }
        let r = Estimation.offsetWindowRadius
        func spread(_ k: Int) -> Double {
            var a = 0.0, b = 0.0, c = 0.0
            for j in max(0, k - r) ... min(last, k + r) { a += sum[j]; b += sum2[j]; c += n[j] }
            guard c > 1 else { return 0 }
            let mean = a / c
            return max(0, b / c - mean * mean).squareRoot()
        }
        func mean(_ k: Int) -> Double { n[k] > 0 ? sum[k] / n[k] : .nan }
        let q = Estimation.referenceQuantiles
        let inner = populated[Int(Double(populated.count) * q.lower) ..< Int(Double(populated.count) * q.upper)]
        let middle = inner.map(spread).sorted()
        guard let reference = middle.isEmpty ? nil : middle[middle.count / 2], reference > 0 else { return nil }
        let means = inner.map(mean).sorted()
        let electrolyteMean = means[means.count / 2]
        // A uniform layer of another material behind the cathode (collector, mount) is skipped.
        var k = last
        while k >= 0, spread(k) < spreadRatio * reference, abs(mean(k) - electrolyteMean) >= p.backingContrast * reference { k -= 1 }
        let far = k
        var start = far + 1
        while k >= 0, spread(k) >= spreadRatio * reference { start = k; k -= 1 }
        guard far >= start else { return nil }
        // The edge at the 50 % point of the texture step, at most a fringe away (see `fringe`); the
        // band is then judged by its thickness from that edge.
        let band = (start ... far).map(spread).sorted()
        let halfway = 0.5 * (reference + band[band.count / 2])
        let limit = Double(start) - max(fringe.minimumPx, fringe.fraction * Double(start))
        while start > 1, Double(start - 1) >= limit, spread(start - 1) >= halfway { start -= 1 }
        let thickness = Double(far + 1 - start)
        guard thickness >= max(p.minimumThickness, p.minimumThicknessFraction * Double(extent)), start > 0 else { return nil }
        return CathodeLayer(offsetPx: Double(start), thicknessPx: thickness, phaseFraction: .nan)
    }

    /// The cathode band in `phase` (raw phase mask, same shape as the interface's image; only
    /// its pixels on the electrolyte side are counted), or nil.
    public static func detect(in phase: BinaryMask, interface: Interface, parameters p: Parameters = Parameters()) -> CathodeLayer? {
        let extent = interface.side.extent(width: phase.width, height: phase.height)
        let sums = phase.bits.withUnsafeBufferPointer { bits in
            interface.offsetSums(of: bits.baseAddress!, extent: extent)
        }
        return band(in: sums, interface: interface, width: phase.width, height: phase.height, parameters: p)
    }

    /// ``detect(in:interface:parameters:)`` for the phase a grey threshold cuts from `grey` (the
    /// pixels above `threshold` when `bright`, else at or below it; NaN is never phase, as
    /// `segment(_:threshold:polarity:)` decides), without making that mask: the same band.
    public static func detect(greyPassing threshold: Double, bright: Bool, in grey: Image<Float>, interface: Interface,
                              parameters p: Parameters = Parameters()) -> CathodeLayer? {
        let extent = interface.side.extent(width: grey.width, height: grey.height)
        let sums = grey.pixels.withUnsafeBufferPointer { values in
            interface.offsetSums(of: ThresholdIndicator(values: values.baseAddress!, threshold: threshold, bright: bright), extent: extent)
        }
        return band(in: sums, interface: interface, width: grey.width, height: grey.height, parameters: p)
    }

    /// The band of phase speckle from per-offset phase counts (``detect(in:interface:parameters:)``).
    static func band(in sums: OffsetSums, interface: Interface, width w: Int, height h: Int, parameters p: Parameters) -> CathodeLayer? {
        let side = interface.side
        let length = side.length(width: w, height: h), extent = side.extent(width: w, height: h)
        let hits = sums.sum, totals = sums.count
        // Ignore sparsely populated far bins (a tilted interface leaves few pixels there).
        let populated = totals.indices.filter { totals[$0] >= Estimation.minimumLineShare * Double(length) }
        guard let last = populated.last else { return nil }
        let r = Estimation.offsetWindowRadius
        func smoothed(_ k: Int) -> Double {
            var a = 0.0, b = 0.0
            for j in max(0, k - r) ... min(last, k + r) { a += hits[j]; b += totals[j] }
            return b > 0 ? a / b : 0
        }
        var start = last + 1
        var sum = 0.0, n = 0.0
        var k = last
        while k >= 0, smoothed(k) >= p.minimumFraction {
            start = k
            sum += totals[k] > 0 ? hits[k] / totals[k] : 0
            n += 1
            k -= 1
        }
        // The running mean starts the band a couple of bins late: walk on toward
        // the anode while the raw fraction still reads as speckle (≥ half the limit).
        while start > 1, totals[start - 1] > 0, hits[start - 1] / totals[start - 1] >= Estimation.bandEdgeShareOfLimit * p.minimumFraction {
            start -= 1
        }
        let thickness = Double(last + 1 - start)
        guard thickness >= max(p.minimumThickness, p.minimumThicknessFraction * Double(extent)), start > 0 else { return nil }
        return CathodeLayer(offsetPx: Double(start), thicknessPx: thickness, phaseFraction: n > 0 ? sum / n : 0)
    }
}

extension CathodeLayer {
    /// Share of this band's pixels (offsets ``offsetPx`` ..< ``offsetPx`` + ``thicknessPx`` above
    /// the interface) that are phase in `mask` (same shape as the interface's image); 0 when the
    /// band holds no pixel.
    public func phaseShare(of mask: BinaryMask, interface: Interface) -> Double {
        let extent = interface.side.extent(width: mask.width, height: mask.height)
        let sums = mask.bits.withUnsafeBufferPointer { interface.offsetSums(of: $0.baseAddress!, extent: extent) }
        let lo = max(0, Int(saturating: offsetPx)), hi = min(extent, Int(saturating: offsetPx + thicknessPx))
        var phase = 0.0, all = 0.0
        for k in lo ..< max(lo, hi) { phase += sums.sum[k]; all += sums.count[k] }
        return all > 0 ? phase / all : 0
    }

    /// Share of the phase pixels of `mask` in this band (offset ≥ ``offsetPx``) that belong to
    /// 8-connected components of `mask` reaching within `rootTolerancePx` of the interface, given
    /// `labels` of `mask` and the components' nearest offsets (``Interface/componentOffsets(labels:componentCount:)``).
    /// 0 when the band holds no phase.
    public func rootedShare(labels: [Int32], nearestOffsets: [Double], interface: Interface, rootTolerancePx: Double) -> Double {
        let side = interface.side, w = interface.width, h = interface.height
        let g = (0 ..< side.length(width: w, height: h)).map { interface.height(atU: Double($0)) }
        var inBand = 0, rooted = 0
        for y in 0 ..< h {
            for x in 0 ..< w {
                let l = Int(labels[y * w + x])
                guard l > 0 else { continue }
                let (u, v) = side.framePosition(x: x, y: y, width: w, height: h)
                guard Double(v) - g[u] >= offsetPx else { continue }
                inBand += 1
                if nearestOffsets[l] <= rootTolerancePx { rooted += 1 }
            }
        }
        return inBand > 0 ? Double(rooted) / Double(inBand) : 0
    }
}

extension BinaryMask {
    /// Removes the cathode's fringe: components that touch the cathode boundary
    /// (within `contactPx` below `offsetPx`, ``CathodeDetector/Parameters/contactPx``) but lie
    /// entirely within `fringePx` of it — particles of the composite cut off by the boundary,
    /// not dendrites that grew there from the anode.
    public func removingCathodeFringe(offsetPx: Double, fringePx: Double, interface: Interface,
                                      labels: [Int32], componentCount: Int,
                                      contactPx: Double = CathodeDetector.Parameters().contactPx) -> BinaryMask {
        let (nearest, farthest) = interface.componentOffsets(labels: labels, componentCount: componentCount)
        let touches = farthest.map { $0 >= offsetPx - contactPx }
        var out = self
        out.bits.withUnsafeMutableBufferPointer { bits in
            labels.withUnsafeBufferPointer { lb in
                for i in 0 ..< bits.count {
                    let l = Int(lb[i])
                    if l > 0, touches[l], nearest[l] > offsetPx - fringePx { bits[i] = 0 }
                }
            }
        }
        return out
    }

    /// The mask without the pixels at or beyond `offsetPx` above `interface`.
    public func removingOffsets(atOrBeyond offsetPx: Double, from interface: Interface) -> BinaryMask {
        let side = interface.side
        let length = side.length(width: width, height: height)
        // First removed v at each position; then one row-major pass.
        let first = (0 ..< length).map { u in max(0, Int(saturating: (interface.height(atU: Double(u)) + offsetPx).rounded(.up))) }
        var out = self
        out.bits.withUnsafeMutableBufferPointer { bits in
            for y in 0 ..< height {
                for x in 0 ..< width {
                    let (u, v) = side.framePosition(x: x, y: y, width: width, height: height)
                    if v >= first[u] { bits[y * width + x] = 0 }
                }
            }
        }
        return out
    }
}

/// Per-offset sums over the electrolyte-side pixels of an image: index k is
/// the whole px above the interface, ⌊v − g(u)⌋, capped at the image extent.
struct OffsetSums {
    /// Pixels per offset.
    var count: [Double]
    /// Sum of the values per offset.
    var sum: [Double]
    /// Sum of the squared values per offset.
    var sumOfSquares: [Double]

    init(bins: Int) {
        count = [Double](repeating: 0, count: bins)
        sum = count
        sumOfSquares = count
    }
}

/// What ``Interface/offsetSums(of:extent:)`` sums at a pixel: a sample value, or a phase
/// indicator (1 or 0); spans of one row are summed by ``spanSums(_:_:)`` in one tight loop.
protocol OffsetSampleReader {
    /// The value at raster index `i`.
    func value(_ i: Int) -> Double
    /// Whether the values are small whole numbers, so that a span's sums can be taken apart
    /// (in integers) and then added: the same Doubles as adding pixel by pixel.
    static var wholeNumbers: Bool { get }
    /// The sum of the values and of their squares over raster indices `start ..< end` (used
    /// when ``wholeNumbers``).
    func spanSums(_ start: Int, _ end: Int) -> (sum: Double, sumOfSquares: Double)
}

/// The samples of a row-major image.
struct SampleReader<P: PixelSample>: OffsetSampleReader {
    let values: UnsafePointer<P>

    @inline(__always) func value(_ i: Int) -> Double { Double(values[i].floatValue) }

    /// Bytes: their sums and the sums of their squares are exact in integers.
    static var wholeNumbers: Bool { P.self == UInt8.self }

    /// Only for bytes (``wholeNumbers``).
    @inline(__always) func spanSums(_ start: Int, _ end: Int) -> (sum: Double, sumOfSquares: Double) {
        precondition(Self.wholeNumbers, "span sums are for byte samples")
        let bytes = UnsafeRawPointer(values).assumingMemoryBound(to: UInt8.self)
        var t = 0, t2 = 0
        for i in start ..< end { let b = Int(bytes[i]); t += b; t2 += b * b }
        return (Double(t), Double(t2))
    }
}

/// 1 where a grey threshold keeps the pixel (above `threshold` when `bright`, else at or below
/// it; NaN never), 0 elsewhere: the phase mask's values, read without making the mask.
struct ThresholdIndicator: OffsetSampleReader {
    let values: UnsafePointer<Float>
    let bright: Bool
    /// The largest Float at or below the threshold: for every Float v, v > cut exactly when
    /// Double(v) > threshold (the test of `segment(_:threshold:polarity:)`), so the test runs
    /// in Float; NaN fails both v > cut and v ≤ cut.
    let cut: Float

    init(values: UnsafePointer<Float>, threshold: Double, bright: Bool) {
        self.values = values
        self.bright = bright
        let nearest = Float(threshold)
        cut = Double(nearest) > threshold ? nearest.nextDown : nearest
    }

    @inline(__always) func passes(_ i: Int) -> Bool { bright ? values[i] > cut : values[i] <= cut }

    @inline(__always) func value(_ i: Int) -> Double { passes(i) ? 1 : 0 }

    static var wholeNumbers: Bool { true }

    @inline(__always) func spanSums(_ start: Int, _ end: Int) -> (sum: Double, sumOfSquares: Double) {
        // Counts of ones: their sum and the sum of their squares are the same whole number.
        var t = 0
        if bright {
            for i in start ..< end { t += values[i] > cut ? 1 : 0 }
        } else {
            for i in start ..< end { t += values[i] <= cut ? 1 : 0 }
        }
        return (Double(t), Double(t))
    }
}

extension Interface {
    /// Sums the samples of the row-major image at `pixels` over every pixel on
    /// the electrolyte side (v > g(u)) by offset ⌊v − g(u)⌋ (capped at `extent`):
    /// row-major parallel bands, each with its own sums, merged at the end.
    func offsetSums<P: PixelSample>(of pixels: UnsafePointer<P>, extent: Int) -> OffsetSums {
        offsetSums(of: SampleReader(values: pixels), extent: extent)
    }

    /// ``offsetSums(of:extent:)`` of what `reader` reads at each pixel.
    func offsetSums<R: OffsetSampleReader>(of reader: R, extent: Int) -> OffsetSums {
        let w = width, h = height, side = side
        let length = side.length(width: w, height: h)
        let g = (0 ..< length).map { height(atU: Double($0)) }
        let partials = g.withUnsafeBufferPointer { gb in
            parallelBandResults(h, minimumPerBand: 32, initial: { OffsetSums(bins: extent + 1) }) { rows, acc in
                acc.count.withUnsafeMutableBufferPointer { n in
                    acc.sum.withUnsafeMutableBufferPointer { s in
                        acc.sumOfSquares.withUnsafeMutableBufferPointer { s2 in
                            @inline(__always) func add(_ i: Int, _ d: Double) {
                                let k = min(extent, Int(saturating: d)), x = reader.value(i)
                                n[k] += 1; s[k] += x; s2[k] += x * x
                            }
                            for y in rows {
                                let row = y * w
                                switch side {
                                case .bottom, .top:
                                    // Along a row the offset changes only every few hundred px.
                                    // Each span of one offset is found by comparing v − g(x) with
                                    // the offset's bounds (k ≤ v − g < k + 1 is ⌊v − g⌋ = k; the cap
                                    // has no upper bound) and summed in a tight loop. A run of one
                                    // offset goes on over anode-side pixels as one running sum and is
                                    // flushed when the offset changes: every sum is the one a
                                    // pixel-by-pixel pass in x order takes, to the last bit.
                                    let v = Double(side == .bottom ? h - 1 - y : y)
                                    var run = -1, rn = 0.0, rs = 0.0, rs2 = 0.0
                                    var x = 0
                                    while x < w {
                                        let d = v - gb[x]
                                        guard d > 0 else { x += 1; continue }   // v > g(x), exactly
                                        let k = min(extent, Int(saturating: d))
                                        let lo = Double(k), hi = k == extent ? Double.infinity : Double(k + 1)
                                        var end = x + 1
                                        while end < w {
                                            let e = v - gb[end]
                                            guard e > 0, e >= lo, e < hi else { break }
                                            end += 1
                                        }
                                        if k != run {
                                            if run >= 0 { n[run] += rn; s[run] += rs; s2[run] += rs2 }
                                            run = k; rn = 0; rs = 0; rs2 = 0
                                        }
                                        rn += Double(end - x)
                                        if R.wholeNumbers {
                                            let span = reader.spanSums(row + x, row + end)
                                            rs += span.sum; rs2 += span.sumOfSquares
                                        } else {
                                            for i in row + x ..< row + end {
                                                let value = reader.value(i)
                                                rs += value; rs2 += value * value
                                            }
                                        }
                                        x = end
                                    }
                                    if run >= 0 { n[run] += rn; s[run] += rs; s2[run] += rs2 }
                                case .left:
                                    let gy = gb[y]
                                    for x in 0 ..< w where Double(x) > gy { add(row + x, Double(x) - gy) }
                                case .right:
                                    let gy = gb[y]
                                    for x in 0 ..< w where Double(w - 1 - x) > gy { add(row + x, Double(w - 1 - x) - gy) }
                                }
                            }
                        }
                    }
                }
            }
        }
        var total = OffsetSums(bins: extent + 1)
        for part in partials {
            for k in 0 ... extent {
                total.count[k] += part.count[k]
                total.sum[k] += part.sum[k]
                total.sumOfSquares[k] += part.sumOfSquares[k]
            }
        }
        return total
    }
}

extension Interface {
    /// The nearest and farthest offset above the interface (v − g(u), px) of every labelled
    /// component (`labels` row-major over this interface's image, 0 = background, components
    /// 1…`componentCount`); index 0 of both arrays is unused (±∞).
    public func componentOffsets(labels: [Int32], componentCount: Int) -> (nearest: [Double], farthest: [Double]) {
        let length = side.length(width: width, height: height)
        let g = (0 ..< length).map { height(atU: Double($0)) }
        var nearest = [Double](repeating: .infinity, count: componentCount + 1)
        var farthest = [Double](repeating: -.infinity, count: componentCount + 1)
        // Row-major (cache friendly on every side); min and max do not depend on the order.
        labels.withUnsafeBufferPointer { lb in
            for y in 0 ..< height {
                for x in 0 ..< width {
                    let l = Int(lb[y * width + x])
                    guard l > 0 else { continue }
                    let (u, v) = side.framePosition(x: x, y: y, width: width, height: height)
                    let offset = Double(v) - g[u]
                    nearest[l] = min(nearest[l], offset)
                    farthest[l] = max(farthest[l], offset)
                }
            }
        }
        return (nearest, farthest)
    }
}
