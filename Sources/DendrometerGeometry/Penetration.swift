// Penetration statistics of a dendrite mask relative to the interface
// (docs/REFERENCE.md §4):
// - depth of a pixel: signed perpendicular distance to the interface polyline,
//   positive into the electrolyte (Interface.depth);
// - max / p95: maximum and 95th percentile (linear interpolation, numpy's
//   default) of depth over dendrite pixels;
// - front mean: for each position u along the interface (one per pixel of the
//   interface-frame axis), the depth of the farthest dendrite pixel on that
//   line (0 where none), averaged over all positions;
// - profile: dendrite area fraction in depth bins of equal width, counted over
//   the electrolyte pixels of each bin;
// - short circuit: a dendrite pixel touches the cathode (within
//   CathodeDetector.Parameters.contactPx, 3 px, of where it begins, when it
//   is in view) or lies on the far edge of the field of view (the dendrites
//   cross the whole imaged electrolyte);
// - far edge: a dendrite pixel lies on the far edge of the field of view, so
//   the dendrites may continue outside the image and every depth is a lower
//   bound.

import DendrometerCore
import Foundation

/// One bin of the depth profile.
public struct DepthProfileBin: Sendable, Equatable, Codable {
    /// Centre of the bin, px of depth.
    public var depthPx: Double
    /// Dendrite pixels / electrolyte pixels in the bin, 0…1.
    public var areaFraction: Double
}

/// The depths of a dendrite mask's pixels on the electrolyte side, as ``PenetrationDepth``
/// summarizes them: a caller that visits the pixels anyway (the per-dendrite table does) fills
/// this in the same pass instead of the depths being computed twice.
public struct DepthSamples: Sendable {
    /// Depth (px) of every dendrite pixel with depth > 0, in any grouping (e.g. one array per row band).
    public var depths: [[Float]]
    /// Deepest depth at each position u along the interface, px (0 where none).
    public var front: [Double]
    /// Positions u where a pixel with depth > 0 lies within the contact distance of the cathode's
    /// offset (when in view) or else on the far edge of the field.
    public var reachesFar: [Bool]
    /// Whether a pixel with depth > 0 lies on the far edge of the field.
    public var onFarEdge: Bool

    public init(depths: [[Float]], front: [Double], reachesFar: [Bool], onFarEdge: Bool) {
        self.depths = depths
        self.front = front
        self.reachesFar = reachesFar
        self.onFarEdge = onFarEdge
    }

    /// Adds pixel (u, v) of depth `depth` > 0 and offset `offset` = v − g(u) (px) to `depths`,
    /// `front` and `reachesFar`, and returns whether it lies on the far edge: the one rule both
    /// ``PenetrationDepth/measure(dendrites:interface:binWidthPx:cathodeOffsetPx:cathodeContactPx:)``
    /// and other callers apply. A pixel within `cathodeContactPx` of `cathodeOffsetPx` touches the
    /// cathode (``CathodeDetector/Parameters/contactPx``).
    @inlinable @inline(__always)
    public static func add(u: Int, v: Int, depth: Double, offset: Double, extent: Int, cathodeOffsetPx: Double?,
                           cathodeContactPx: Double = CathodeDetector.Parameters().contactPx,
                           depths: inout [Float], front: inout [Double], reachesFar: inout [Bool]) -> Bool {
        depths.append(Float(depth))
        if depth > front[u] { front[u] = depth }
        if let c = cathodeOffsetPx {
            if offset >= c - cathodeContactPx { reachesFar[u] = true }
        } else if v == extent - 1 {
            reachesFar[u] = true
        }
        return v == extent - 1
    }
}

/// How far dendrites penetrate the electrolyte, in px (convert with the calibration).
public struct PenetrationDepth: Sendable, Equatable {
    /// Deepest dendrite pixel, px.
    public var maxPx: Double
    /// 95th percentile of dendrite-pixel depth, px.
    public var p95Px: Double
    /// Mean over positions along the interface of the farthest dendrite depth (0 where none), px.
    public var frontMeanPx: Double
    /// Farthest dendrite depth at each position u along the interface, px (0 where none).
    public var frontPx: [Double]
    /// Whether dendrites reach the cathode (when in view) or else the far edge of the field of view.
    public var shortCircuit: Bool
    /// Whether a dendrite pixel lies on the far edge of the field of view (the side opposite
    /// the anode): the dendrites may go on beyond the image, so the depths are lower bounds.
    public var reachesFarEdge: Bool
    /// Dendrite area fraction in depth bins.
    public var profile: [DepthProfileBin]
    /// Number of dendrite pixels measured.
    public var dendritePixels: Int

    /// Penetration of `dendrites` (phase pixels on the electrolyte side) from `interface`.
    ///
    /// - Parameters:
    ///   - dendrites: dendrite mask, same shape as the interface's image; pixels with depth ≤ 0 are ignored.
    ///   - interface: the anode/electrolyte interface.
    ///   - binWidthPx: width of the profile bins, px (> 0).
    /// - Complexity: O(dendrite pixels × segments near each pixel) + O(length × bins).
    ///   - cathodeOffsetPx: where the cathode begins (offset above the interface, px), if in view:
    ///     dendrites within `cathodeContactPx` of it count as a short circuit; otherwise the far
    ///     image edge does.
    ///   - cathodeContactPx: ``CathodeDetector/Parameters/contactPx``, px.
    public static func measure(dendrites: BinaryMask, interface: Interface, binWidthPx: Double,
                               cathodeOffsetPx: Double? = nil,
                               cathodeContactPx: Double = CathodeDetector.Parameters().contactPx) -> PenetrationDepth {
        precondition(dendrites.width == interface.width && dendrites.height == interface.height, "mask and interface sizes differ")
        precondition(binWidthPx > 0, "bin width must be positive")
        let side = interface.side
        let w = dendrites.width, h = dendrites.height
        let length = side.length(width: w, height: h), extent = side.extent(width: w, height: h)
        // Row-major scan in bands (cache friendly on every side); each band keeps
        // its own depths, per-position front and far-edge flags, merged after.
        let g = (0 ..< length).map { interface.height(atU: Double($0)) }
        let bandCount = max(1, min(Concurrency.maximumThreads * 4, h / 32))
        var bandDepths = [[Float]](repeating: [], count: bandCount)
        var bandFront = [[Double]](repeating: [], count: bandCount)
        var bandFar = [[Bool]](repeating: [], count: bandCount)
        var bandEdge = [Bool](repeating: false, count: bandCount)
        dendrites.bits.withUnsafeBufferPointer { bits in
            bandDepths.withUnsafeMutableBufferPointer { depthsOut in
                bandFront.withUnsafeMutableBufferPointer { frontOut in
                    bandFar.withUnsafeMutableBufferPointer { farOut in
                      bandEdge.withUnsafeMutableBufferPointer { edgeOut in
                        let shared = (depths: SendablePointer(depthsOut.baseAddress!), front: SendablePointer(frontOut.baseAddress!),
                                      far: SendablePointer(farOut.baseAddress!), edge: SendablePointer(edgeOut.baseAddress!))
                        parallelBands(bandCount, minimumPerBand: 1) { bands in
                            for b in bands {
                                var depths = [Float]()
                                var front = [Double](repeating: 0, count: length)
                                var far = [Bool](repeating: false, count: length)
                                var edge = false
                                for y in (b * h / bandCount) ..< ((b + 1) * h / bandCount) {
                                    for x in 0 ..< w where bits[y * w + x] != 0 {
                                        let (u, v) = side.framePosition(x: x, y: y, width: w, height: h)
                                        // A graph interface: depth > 0 exactly when v > g(u).
                                        guard Double(v) > g[u] else { continue }
                                        let d = interface.depth(u: Double(u), v: Double(v))
                                        guard d > 0 else { continue }
                                        if DepthSamples.add(u: u, v: v, depth: d, offset: Double(v) - g[u], extent: extent,
                                                            cathodeOffsetPx: cathodeOffsetPx, cathodeContactPx: cathodeContactPx,
                                                            depths: &depths,
                                                            front: &front, reachesFar: &far) { edge = true }
                                    }
                                }
                                shared.depths.base[b] = depths
                                shared.front.base[b] = front
                                shared.far.base[b] = far
                                shared.edge.base[b] = edge
                            }
                        }
                      }
                    }
                }
            }
        }
        var front = [Double](repeating: 0, count: length)
        var farEdge = [Bool](repeating: false, count: length)
        for b in 0 ..< bandCount {
            for u in 0 ..< length {
                front[u] = max(front[u], bandFront[b][u])
                if bandFar[b][u] { farEdge[u] = true }
            }
        }
        return measure(samples: DepthSamples(depths: bandDepths, front: front, reachesFar: farEdge, onFarEdge: bandEdge.contains(true)),
                       interface: interface, binWidthPx: binWidthPx)
    }

    /// The statistics of depths already sampled (``DepthSamples``, e.g. by the per-dendrite
    /// table's pass over the same pixels): the same values as
    /// ``measure(dendrites:interface:binWidthPx:cathodeOffsetPx:)`` of the mask they came from.
    ///
    /// - Parameters:
    ///   - samples: the depths; `front` and `reachesFar` have one entry per position along the interface.
    ///   - binWidthPx: width of the profile bins, px (> 0).
    public static func measure(samples: DepthSamples, interface: Interface, binWidthPx: Double) -> PenetrationDepth {
        precondition(binWidthPx > 0, "bin width must be positive")
        let side = interface.side
        let length = side.length(width: interface.width, height: interface.height)
        let extent = side.extent(width: interface.width, height: interface.height)
        precondition(samples.front.count == length && samples.reachesFar.count == length, "samples and interface lengths differ")
        let bandDepths = samples.depths, front = samples.front, farEdge = samples.reachesFar
        let count = bandDepths.reduce(0) { $0 + $1.count }
        var maxDepth = 0.0, p95 = 0.0
        if count > 0 {
            let top = bandDepths.compactMap { $0.max() }.max()!
            maxDepth = Double(top)
            // 95th percentile with numpy's linear interpolation, by selection (no join, no sort).
            let pos = 0.95 * Double(count - 1)
            let lo = Int(saturating: pos)
            let values = orderStatistics(of: bandDepths, ranks: [lo, min(count - 1, lo + 1)], upperBound: top)
            p95 = Double(values[0]) + (pos - Double(lo)) * (Double(values[1]) - Double(values[0]))
        }
        // Profile: dendrite pixels per bin over electrolyte pixels per bin. The
        // electrolyte count on each line uses the local slope of the interface
        // (depth = vertical offset × cos θ), exact for straight segments.
        let farthest = (0 ..< length).map { u in
            Double(extent - 1) - interface.height(atU: Double(u))
        }.max() ?? 0
        let bins = max(1, Int(saturating: (max(maxDepth, min(farthest, maxDepth * 1.2 + binWidthPx)) / binWidthPx).rounded(.up)))
        let perBand = parallelBandResults(bandDepths.count, minimumPerBand: 1, initial: { [Int](repeating: 0, count: bins) }) { range, c in
            for band in range { for d in bandDepths[band] { let b = Int(saturating: Double(d) / binWidthPx); if b < bins { c[b] += 1 } } }
        }
        var dendriteCounts = [Double](repeating: 0, count: bins)
        for c in perBand { for b in 0 ..< bins { dendriteCounts[b] += Double(c[b]) } }
        var electrolyteCounts = [Double](repeating: 0, count: bins)
        for u in 0 ..< length {
            let g = interface.height(atU: Double(u))
            let slope = interface.height(atU: Double(u) + 0.5) - interface.height(atU: Double(u) - 0.5)
            let cosine = 1 / (1 + slope * slope).squareRoot()
            var v = max(0, Int(saturating: g.rounded(.up)))
            if Double(v) == g { v += 1 }
            // The bin index never decreases with v: count each bin's run of v at
            // once, its end estimated analytically and settled with the same formula.
            func bin(_ v: Int) -> Int { Int(saturating: (Double(v) - g) * cosine / binWidthPx) }
            while v < extent {
                let b = bin(v)
                if b >= bins { break }
                let estimate = (g + Double(b + 1) * binWidthPx / cosine).rounded(.up)
                var end = estimate.isFinite ? min(extent, max(v + 1, Int(saturating: min(estimate, Double(extent))))) : extent
                while end > v + 1 && bin(end - 1) > b { end -= 1 }
                while end < extent && bin(end) <= b { end += 1 }
                electrolyteCounts[b] += Double(end - v)
                v = end
            }
        }
        let profile = (0 ..< bins).map { b in
            DepthProfileBin(depthPx: (Double(b) + 0.5) * binWidthPx,
                            areaFraction: electrolyteCounts[b] > 0 ? min(1, dendriteCounts[b] / electrolyteCounts[b]) : 0)
        }
        return PenetrationDepth(maxPx: maxDepth, p95Px: p95,
                                frontMeanPx: length > 0 ? front.reduce(0, +) / Double(length) : 0,
                                frontPx: front, shortCircuit: farEdge.contains(true), reachesFarEdge: samples.onFarEdge, profile: profile,
                                dendritePixels: count)
    }
}

extension Interface {
    /// The phase pixels of `mask` that lie on the electrolyte side (depth > 0).
    ///
    /// The interface is a graph v = g(u), so the sign of a pixel's perpendicular
    /// distance is the sign of v − g(u): one comparison per pixel.
    public func electrolyteSide(of mask: BinaryMask) -> BinaryMask {
        precondition(mask.width == width && mask.height == height, "mask and interface sizes differ")
        let length = side.length(width: width, height: height)
        let g = (0 ..< length).map { height(atU: Double($0)) }
        var out = [UInt8](repeating: 0, count: mask.count)
        let w = width, h = height, side = side
        // Row-major scan (cache friendly on every side); (u, v) from (x, y).
        mask.bits.withUnsafeBufferPointer { bits in
            out.withUnsafeMutableBufferPointer { o in
                parallelBands(h, minimumPerBand: 16) { rows in
                    for y in rows {
                        let row = y * w
                        switch side {
                        case .bottom, .top:
                            let v = Double(side == .bottom ? h - 1 - y : y)
                            for x in 0 ..< w where bits[row + x] != 0 && v > g[x] { o[row + x] = 1 }
                        case .left:
                            let gy = g[y]
                            for x in 0 ..< w where bits[row + x] != 0 && Double(x) > gy { o[row + x] = 1 }
                        case .right:
                            let gy = g[y]
                            for x in 0 ..< w where bits[row + x] != 0 && Double(w - 1 - x) > gy { o[row + x] = 1 }
                        }
                    }
                }
            }
        }
        return BinaryMask(width: width, height: height, normalizedBits: out)
    }
}
