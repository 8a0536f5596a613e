// Orientation of the dendrite structure relative to the local interface
// direction (docs/REFERENCE.md §4): the structure tensor of the dendrite mask
// (gradient scale σ, integration scale ρ, ``AnalysisParameters/Orientation``)
// gives a direction per pixel; subtracting the interface's local direction
// gives 0° lateral (parallel to the interface) … 90° vertical. Doubled angles
// average axial data. Example: a stripe running along a 5°-tilted interface at
// 5° on screen has relative angle 0° (lateral); a needle at 95° is vertical.
//
// The per-pixel angles are never stored: the tensor streams row piece by row
// piece, and each piece's pixels go straight into the running sums of every
// region that holds them (``OrientationTally``). The weighted sums are kept in
// fixed point (``FixedPointSum``), so they add in any order to the same value:
// the statistics do not depend on the number of threads or on which thread
// took which piece, and a dense 4096² field needs no 16 bytes per dendrite pixel.

import DendrometerCore
import DendrometerFilters
import DendrometerGeometry
import Foundation

extension DendriteAnalysis {
    /// One dendrite pixel with a defined orientation.
    struct OrientedPixel {
        /// Raster index of the pixel in the window the angles were computed in:
        /// (y − window.y) × window.width + (x − window.x).
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

    /// A sum of reals kept as an integer count of 2⁻⁴⁰ steps (128 bits), so that it is the same
    /// whatever the order of the additions. Each term is truncated to a whole step (≤ 1e-12 each:
    /// three million terms move a sum by less than 3e-6, far below what the statistics print as
    /// meaningful); terms beyond ±2²² (weights are coherence × tensor energy, below 1 for a 0/1
    /// mask) are clamped there and NaN counts as 0, so no input traps.
    struct FixedPointSum: Equatable {
        static let scale = 0x1p40
        static let limit = 0x1p62
        private(set) var steps: Int128 = 0

        /// `x` in whole steps, truncated toward zero and clamped (NaN: 0).
        @inline(__always) static func steps(_ x: Double) -> Int64 {
            let q = x * scale
            return Int64(q.magnitude < limit ? q : q > 0 ? limit : q < 0 ? -limit : 0)
        }

        @inline(__always) mutating func add(_ x: Double) { add(steps: Self.steps(x)) }
        @inline(__always) mutating func add(steps: Int64) { self.steps &+= Int128(steps) }
        @inline(__always) mutating func add(_ other: FixedPointSum) { steps &+= other.steps }

        var value: Double { Double(steps) / Self.scale }
    }

    /// What one oriented pixel adds to a tally, computed once however many regions hold it.
    struct PixelContribution {
        /// Field column, px.
        var x: Int
        var bin: Int
        var lateral: Bool, vertical: Bool
        /// weight × cos 2θ, weight × sin 2θ, weight × coherence and weight, in ``FixedPointSum`` steps.
        var weightedCos: Int64, weightedSin: Int64, weightedCoherence: Int64, weight: Int64

        /// `p` with lateral / vertical `tolerance` in degrees; its field column is its window
        /// index plus `columnOffset` (window.x minus the index where its row starts).
        @inline(__always) init(_ p: OrientedPixel, columnOffset: Int, tolerance: Double) {
            x = Int(p.index) + columnOffset
            let d = Double(p.degrees)
            bin = OrientationHistogram.bin(degrees: d)
            lateral = d <= tolerance || d >= 180 - tolerance
            vertical = d >= 90 - tolerance && d <= 90 + tolerance
            let w = Double(p.weight), a = p.doubledAngle
            weightedCos = FixedPointSum.steps(w * Double(a.cos))
            weightedSin = FixedPointSum.steps(w * Double(a.sin))
            weightedCoherence = FixedPointSum.steps(w * Double(p.coherence))
            weight = FixedPointSum.steps(w)
        }
    }

    /// Running sums of the oriented pixels of one region (no heap storage: a row piece keeps one
    /// per region on the stack).
    struct OrientationTally: Equatable {
        /// Pixels per bin of ``OrientationHistogram`` (its `binCount`, 18, as a compile-time size:
        /// an inline array needs a literal; a test checks the two agree).
        var histogram = InlineArray<18, Int>(repeating: 0)
        var pixels = 0, lateral = 0, vertical = 0
        var weightedCos = FixedPointSum(), weightedSin = FixedPointSum()
        var weightedCoherence = FixedPointSum(), weight = FixedPointSum()

        static func == (a: Self, b: Self) -> Bool {
            a.histogram.indices.allSatisfy { a.histogram[$0] == b.histogram[$0] } && a.pixels == b.pixels && a.lateral == b.lateral
                && a.vertical == b.vertical && a.weightedCos == b.weightedCos && a.weightedSin == b.weightedSin
                && a.weightedCoherence == b.weightedCoherence && a.weight == b.weight
        }

        @inline(__always) mutating func add(_ c: PixelContribution) {
            pixels += 1
            histogram[c.bin] += 1
            if c.lateral { lateral += 1 }
            if c.vertical { vertical += 1 }
            weightedCos.add(steps: c.weightedCos); weightedSin.add(steps: c.weightedSin)
            weightedCoherence.add(steps: c.weightedCoherence); weight.add(steps: c.weight)
        }

        mutating func add(_ other: OrientationTally) {
            for k in histogram.indices { histogram[k] += other.histogram[k] }
            pixels += other.pixels; lateral += other.lateral; vertical += other.vertical
            weightedCos.add(other.weightedCos); weightedSin.add(other.weightedSin)
            weightedCoherence.add(other.weightedCoherence); weight.add(other.weight)
        }

        func statistics(sigma: Double, rho: Double) -> OrientationStatistics {
            let c2 = weightedCos.value, s2 = weightedSin.value, wsum = weight.value
            var dominant = atan2(s2, c2) * 90 / .pi
            if dominant < 0 { dominant += 180 }
            let n = Double(pixels)
            return OrientationStatistics(
                dominantDegrees: pixels > 0 ? dominant : 0, coherence: wsum > 0 ? weightedCoherence.value / wsum : 0,
                lateralFraction: pixels > 0 ? Double(lateral) / n : 0, verticalFraction: pixels > 0 ? Double(vertical) / n : 0,
                histogram: histogram.indices.map { pixels > 0 ? Double(histogram[$0]) / n : 0 }, sigmaPx: sigma, rhoPx: rho, pixels: pixels)
        }
    }

    /// Adds the oriented pixels of one row piece (`pixels`, indices in `window`, all on field row
    /// `y`) to the tally of every region that holds them (`nil`: every pixel); `tallies` has one
    /// per region.
    static func tally(_ pixels: UnsafeBufferPointer<OrientedPixel>, row y: Int, window: PixelRect, regions: [RegionMask?],
                      tolerance: Double, into tallies: UnsafeMutableBufferPointer<OrientationTally>) {
        let columnOffset = window.x - (y - window.y) * window.width
        withUnsafeTemporaryAllocation(of: PixelContribution.self, capacity: pixels.count) { terms in
            for (k, p) in pixels.enumerated() {
                terms.initializeElement(at: k, to: PixelContribution(p, columnOffset: columnOffset, tolerance: tolerance))
            }
            for (r, region) in regions.enumerated() {
                guard let region else {
                    for c in terms { tallies[r].add(c) }
                    continue
                }
                let box = region.bbox
                // A box without columns (a grid finer than the field) holds no pixel and no words.
                guard y >= box.y, y < box.y + box.height, box.width > 0 else { continue }
                region.local.words.withUnsafeBufferPointer { words in
                    let row = words.baseAddress! + (y - box.y) * region.local.wordsPerRow
                    for c in terms where c.x >= box.x && c.x < box.x + box.width {
                        let x = c.x - box.x
                        if row[x >> 6] >> UInt64(x & 63) & 1 != 0 { tallies[r].add(c) }
                    }
                }
            }
            _ = terms.deinitialize()
        }
    }

    /// Orientation statistics relative to the interface of the dendrite pixels in each of
    /// `regions` (`nil`: all of them), from one streaming pass of the structure tensor over
    /// `work` (a sub-rectangle holding every dendrite pixel with a ≥ 3ρ margin). `crop`, when
    /// given, is `dendrites.cropped(to: work)` already made by the caller.
    static func relativeOrientationStatistics(_ dendrites: BinaryMask, interface: Interface?, parameters p: AnalysisParameters.Orientation,
                                              within work: PixelRect, crop: BinaryMask? = nil,
                                              regions: [RegionMask?]) throws(AnalysisError) -> [OrientationStatistics] {
        let lock = NSLock()
        var total = [OrientationTally](repeating: OrientationTally(), count: regions.count)
        try forEachOrientedRowPiece(dendrites, interface: interface, parameters: p, within: work, crop: crop) { y, pixels in
            withUnsafeTemporaryAllocation(of: OrientationTally.self, capacity: regions.count) { piece in
                piece.initialize(repeating: OrientationTally())
                tally(pixels, row: y, window: work, regions: regions, tolerance: p.toleranceDegrees, into: piece)
                lock.lock()
                for r in total.indices { total[r].add(piece[r]) }
                lock.unlock()
            }
        }
        return total.map { $0.statistics(sigma: p.sigmaPx, rho: p.rhoPx) }
    }

    /// Per-pixel relative orientation, streamed: the structure tensor of the mask is evaluated
    /// on `work` row piece by row piece (``forEachStructureTensorRow``, never as full planes),
    /// and `body(y, pixels)` receives each piece's oriented dendrite pixels (field row `y`,
    /// indices in `work`, raster order; energy above ``AnalysisParameters/Orientation/energyFloor``).
    /// Pieces of different rows arrive concurrently from several threads; `body` must guard
    /// what it shares. `crop`, when given, is `dendrites.cropped(to: work)` already made by the caller.
    static func forEachOrientedRowPiece(_ dendrites: BinaryMask, interface: Interface?, parameters p: AnalysisParameters.Orientation,
                                        within work: PixelRect, crop: BinaryMask? = nil,
                                        _ body: (Int, UnsafeBufferPointer<OrientedPixel>) -> Void) throws(AnalysisError) {
        let w = dendrites.width, h = dendrites.height
        let sub = crop ?? dendrites.cropped(to: work)
        precondition(sub.width == work.width && sub.height == work.height, "the crop is not the work window's")
        // Interface direction per position along it.
        let side = interface?.side ?? .bottom
        let length = side.length(width: w, height: h)
        let direction: [Double] = (0 ..< length).map { u in interface?.localDirectionDegrees(atU: Double(u)) ?? 0 }
        let energyFloor = Float(p.energyFloor)
        let alongRows = side == .bottom || side == .top   // u = x; otherwise u = y
        let sw = work.width
        // Pixels are named by their raster index in the window (32 bits; images are capped far below).
        guard sw * work.height <= Int(UInt32.max) else {
            throw .kernel("orientation window of \(sw) × \(work.height) px exceeds 2³² pixels")
        }
        let mask = Image<UInt8>(width: sub.width, height: sub.height, pixels: sub.bits, bitDepth: 1)
        var failure: FilterError?
        sub.bits.withUnsafeBufferPointer { bits in
            direction.withUnsafeBufferPointer { direction in
                do throws(FilterError) {
                    try forEachStructureTensorRow(mask, sigma: p.sigmaPx, rho: p.rhoPx) { sy, x0, count, orientation, coherence, energy in
                        withUnsafeTemporaryAllocation(of: OrientedPixel.self, capacity: count) { piece in
                            let y = sy + work.y
                            var n = 0
                            for i in 0 ..< count {
                                let sx = x0 + i, j = sy * sw + sx
                                guard bits[j] != 0, energy[i] > energyFloor else { continue }
                                // Both angles are in [0, 180] (a Float orientation just below 0 can
                                // round up to 180), so the difference is in (−180, 180] and one
                                // half turn brings it into [0, 180): the remainder modulo 180.
                                var rel = Double(orientation[i]) - direction[alongRows ? sx + work.x : y]
                                if rel < 0 { rel += 180 } else if rel >= 180 { rel -= 180 }
                                piece.initializeElement(at: n, to: OrientedPixel(
                                    index: UInt32(truncatingIfNeeded: j), degrees: Float(rel), coherence: coherence[i],
                                    weight: coherence[i] * energy[i]))
                                n += 1
                            }
                            body(y, UnsafeBufferPointer(rebasing: piece[..<n]))
                        }
                    }
                } catch { failure = error }
            }
        }
        if let failure { throw .kernel(failure.description) }
    }
}
