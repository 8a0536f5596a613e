// Orientation of the dendrite structure relative to the local interface
// direction (docs/REFERENCE.md §4): the structure tensor of the dendrite mask
// (gradient scale σ, integration scale ρ, ``AnalysisParameters/Orientation``)
// gives a direction per pixel; subtracting the interface's local direction
// gives 0° lateral (parallel to the interface) … 90° vertical. Doubled angles
// average axial data. Example: a stripe running along a 5°-tilted interface at
// 5° on screen has relative angle 0° (lateral); a needle at 95° is vertical.

import DendrometerCore
import DendrometerFilters
import DendrometerGeometry
import Foundation

extension DendriteAnalysis {
    /// One dendrite pixel with a defined orientation (16 bytes: a dense 4096² field has three to
    /// five million of them).
    struct OrientedPixel {
        /// Raster index of the pixel in the window the angles were computed in
        /// (``RelativeAngles/window``): (y − window.y) × window.width + (x − window.x).
        var index: UInt32
        /// Angle relative to the local interface direction, degrees in [0, 180).
        var degrees: Float
        var coherence: Float
        /// coherence × energy.
        var weight: Float

        /// cos 2θ and sin 2θ of `degrees` (doubled angles average axial data), Float as the angle.
        var doubledAngle: (cos: Float, sin: Float) {
            let doubled = 2 * degrees * .pi / 180
            return (cos(doubled), sin(doubled))
        }
    }

    /// Orientation of the dendrite structure relative to the interface, per oriented pixel.
    struct RelativeAngles {
        /// The oriented pixels in raster order.
        var pixels: [OrientedPixel]
        /// The window the pixels' indices refer to, field coordinates.
        var window: PixelRect
        var sigma: Double
        var rho: Double
        /// Lateral / vertical tolerance, degrees.
        var tolerance: Double

        /// Field coordinates of `pixel`, px.
        @inline(__always) func position(_ pixel: OrientedPixel) -> (x: Int, y: Int) {
            let i = Int(pixel.index)
            return (window.x + i % window.width, window.y + i / window.width)
        }

        /// Statistics over the oriented pixels, optionally only those of `region`.
        func statistics(in region: RegionMask?) -> OrientationStatistics {
            statistics(in: [region])[0]
        }

        /// Running sums of one set of oriented pixels.
        private struct Sums {
            var hist = [Double](repeating: 0, count: OrientationHistogram.binCount)
            var n = 0, lateral = 0, vertical = 0
            var c2 = 0.0, s2 = 0.0, coh = 0.0, wsum = 0.0
        }

        /// Statistics over the oriented pixels of each of `regions` (nil: all of them): each
        /// pixel's doubled angle is computed once (in parallel), then each region's sums are taken
        /// over its own pixels in raster order (regions in parallel), the order a pass over that
        /// region alone takes, so the sums are the same whatever the regions and threads.
        func statistics(in regions: [RegionMask?]) -> [OrientationStatistics] {
            // Raster order: a region's rows are one contiguous run of pixels.
            let spans = regions.map { region -> Range<Int> in
                guard let b = region?.bbox else { return 0 ..< pixels.count }
                let lo = firstIndex(atOrBelowRow: b.y)
                return lo ..< max(lo, firstIndex(atOrBelowRow: b.y + b.height))
            }
            let first = spans.map(\.lowerBound).min() ?? 0, last = spans.map(\.upperBound).max() ?? 0
            guard first < last else { return regions.map { _ in finished(Sums()) } }
            let doubled = pixels.withUnsafeBufferPointer { px in
                let base = SendableConstPointer(px.baseAddress! + first)
                return [(cos: Float, sin: Float)](unsafeUninitializedCapacity: last - first) { out, initialized in
                    let dst = SendablePointer(out.baseAddress!)
                    parallelBands(last - first, minimumPerBand: 65_536) { range in
                        for k in range { (dst.base + k).initialize(to: base.base[k].doubledAngle) }
                    }
                    initialized = last - first
                }
            }
            return parallelBandResults(regions.count, minimumPerBand: 1, initial: { [OrientationStatistics]() }) { range, out in
                for r in range {
                    var s = Sums()
                    pixels.withUnsafeBufferPointer { px in
                        for k in spans[r] {
                            let p = px[k]
                            if let region = regions[r] {
                                let (x, y) = position(p)
                                if !region.contains(x: x, y: y) { continue }
                            }
                            s.n += 1
                            let d = Double(p.degrees)
                            s.hist[OrientationHistogram.bin(degrees: d)] += 1
                            if d <= tolerance || d >= 180 - tolerance { s.lateral += 1 }
                            if d >= 90 - tolerance && d <= 90 + tolerance { s.vertical += 1 }
                            let w = Double(p.weight), a = doubled[k - first]
                            s.c2 += w * Double(a.cos)
                            s.s2 += w * Double(a.sin)
                            s.coh += w * Double(p.coherence)
                            s.wsum += w
                        }
                    }
                    out.append(finished(s))
                }
            }.flatMap { $0 }
        }

        private func finished(_ s: Sums) -> OrientationStatistics {
            var dominant = atan2(s.s2, s.c2) * 90 / .pi
            if dominant < 0 { dominant += 180 }
            return OrientationStatistics(
                dominantDegrees: s.n > 0 ? dominant : 0, coherence: s.wsum > 0 ? s.coh / s.wsum : 0,
                lateralFraction: s.n > 0 ? Double(s.lateral) / Double(s.n) : 0,
                verticalFraction: s.n > 0 ? Double(s.vertical) / Double(s.n) : 0,
                histogram: s.hist.map { s.n > 0 ? $0 / Double(s.n) : 0 }, sigmaPx: sigma, rhoPx: rho, pixels: s.n)
        }

        /// Index of the first oriented pixel on row `y` or below (`pixels.count` if none).
        func firstIndex(atOrBelowRow y: Int) -> Int {
            let row = min(max(0, y - window.y), window.height)
            let first = row * window.width   // the window's raster index where row `y` begins
            var lo = 0, hi = pixels.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if Int(pixels[mid].index) < first { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
    }

    /// Per-pixel relative orientation; the structure tensor is evaluated on `work`
    /// (a sub-rectangle holding every dendrite pixel with a ≥ 3ρ margin).
    ///
    /// Memory: the tensor streams row piece by row piece (``forEachStructureTensorRow``), never as
    /// full planes. The result array is sized by the mask's pixel count per row piece (an upper
    /// bound: a pixel needs energy above the floor to be oriented); each piece writes its pixels
    /// from its own offset, and one in-place pass then closes the gaps, keeping raster order.
    /// `crop`, when given, is `dendrites.cropped(to: work)` already made by the caller (not copied again).
    static func relativeOrientation(_ dendrites: BinaryMask, interface: Interface?, parameters p: AnalysisParameters.Orientation,
                                    within work: PixelRect, crop: BinaryMask? = nil) throws(AnalysisError) -> RelativeAngles {
        let w = dendrites.width, h = dendrites.height
        let sub = crop ?? dendrites.cropped(to: work)
        precondition(sub.width == work.width && sub.height == work.height, "the crop is not the work window's")
        // Interface direction per position along it.
        let side = interface?.side ?? .bottom
        let length = side.length(width: w, height: h)
        let direction: [Double] = (0 ..< length).map { u in interface?.localDirectionDegrees(atU: Double(u)) ?? 0 }
        let energyFloor = Float(p.energyFloor)
        let alongRows = side == .bottom || side == .top   // u = x; otherwise u = y
        let sw = work.width, rows = work.height
        // Pixels are stored by their raster index in the window (32 bits; images are capped far below).
        guard sw * rows <= Int(UInt32.max) else {
            throw .kernel("orientation window of \(sw) × \(rows) px exceeds 2³² pixels")
        }
        // Row pieces start at multiples of the piece width (or at 0 for a row handed over whole).
        let pieceWidth = structureTensorPieceWidth
        let slots = max(1, (sw + pieceWidth - 1) / pieceWidth)
        // start[k]: first array index of slot k = (row, column slot), from the mask pixels before it.
        var start = [Int](repeating: 0, count: rows * slots + 1)
        sub.bits.withUnsafeBufferPointer { bits in
            start.withUnsafeMutableBufferPointer { st in
                let out = SendablePointer(st.baseAddress!)
                parallelBands(rows, minimumPerBand: 16) { band in
                    for y in band {
                        for s in 0 ..< slots {
                            var n = 0
                            for x in s * pieceWidth ..< min(sw, (s + 1) * pieceWidth) where bits[y * sw + x] != 0 { n += 1 }
                            out.base[y * slots + s + 1] = n
                        }
                    }
                }
            }
        }
        for k in 0 ..< rows * slots { start[k + 1] += start[k] }
        let bound = start[rows * slots]
        // Pixels each piece wrote (−1: no piece starts at that slot).
        var written = [Int](repeating: -1, count: rows * slots)
        var failure: FilterError?
        let mask = Image<UInt8>(width: sub.width, height: sub.height, pixels: sub.bits, bitDepth: 1)
        let pixels = [OrientedPixel](unsafeUninitializedCapacity: bound) { buffer, initialized in
            initialized = 0
            guard bound > 0 else { return }
            let dst = SendablePointer(buffer.baseAddress!)
            sub.bits.withUnsafeBufferPointer { bits in
                start.withUnsafeBufferPointer { st in
                    written.withUnsafeMutableBufferPointer { wr in
                        let counts = SendablePointer(wr.baseAddress!)
                        direction.withUnsafeBufferPointer { direction in
                            do throws(FilterError) {
                                try forEachStructureTensorRow(mask, sigma: p.sigmaPx, rho: p.rhoPx) { sy, x0, count, orientation, coherence, energy in
                                    let piece = sy * slots + x0 / pieceWidth
                                    var o = st[piece]
                                    let y = sy + work.y
                                    for i in 0 ..< count {
                                        let sx = x0 + i, j = sy * sw + sx
                                        guard bits[j] != 0, energy[i] > energyFloor else { continue }
                                        let x = sx + work.x
                                        var rel = Double(orientation[i]) - direction[alongRows ? x : y]
                                        rel = rel.truncatingRemainder(dividingBy: 180)
                                        if rel < 0 { rel += 180 }
                                        let degrees = Float(rel)
                                        (dst.base + o).initialize(to: OrientedPixel(
                                            index: UInt32(truncatingIfNeeded: j), degrees: degrees, coherence: coherence[i],
                                            weight: coherence[i] * energy[i]))
                                        o += 1
                                    }
                                    counts.base[piece] = o - st[piece]
                                }
                            } catch { failure = error }
                        }
                    }
                }
            }
            guard failure == nil else { return }
            // Close the gaps in raster order (regions may overlap: moving toward lower indices).
            var end = 0
            for piece in 0 ..< rows * slots where written[piece] > 0 {
                let from = start[piece], n = written[piece]
                if from != end { (dst.base + end).moveInitialize(from: dst.base + from, count: n) }
                end += n
            }
            initialized = end
        }
        if let failure { throw .kernel(failure.description) }
        return RelativeAngles(pixels: pixels, window: work, sigma: p.sigmaPx, rho: p.rhoPx, tolerance: p.toleranceDegrees)
    }

}
