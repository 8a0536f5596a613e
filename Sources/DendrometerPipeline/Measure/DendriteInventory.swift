// One record per dendrite: what Fiji's Analyze Particles and scikit-image's
// `regionprops` give per connected component, in the interface's frame
// (u along the interface, v into the electrolyte).
//
// A dendrite is an 8-connected component of the dendrite mask. It is *rooted*
// when some pixel of it lies within the root tolerance of the interface
// (offset v − g(u) ≤ tolerance): dendrites are extruded from the anode, so a
// component that never comes near it is a piece whose connection lies outside
// the section plane, or not a dendrite at all. Unrooted components are
// reported as isolated. Pieces the analysis set aside (isolated fragments
// beyond the front, unrooted dark pieces) get rows too, marked as not counted.
//
// Per dendrite:
// - area: pixels (and µm²);
// - max depth: largest perpendicular depth of its pixels (Interface.depth);
// - base width: positions u along the interface where the dendrite touches it
//   (offset ≤ root tolerance), px; 0 when unrooted;
// - mean width, tortuosity: length-weighted means over the skeleton branches
//   that start inside it (width = 2 × distance transform on the skeleton;
//   tortuosity = branch length / end-to-end distance, as skan);
// - orientation: the major axis of its pixels' second central moments
//   (regionprops' ellipse), as an angle from the interface direction in
//   [0°, 180°): 0° lateral, 90° perpendicular (vertical); nil when the moments
//   are isotropic (a disc or a single pixel has no axis);
// - branches: skeleton branches starting inside it.
//
// Worked example: a 3 px wide, 20 px tall bar standing on a bottom interface
// at v = 0 (offsets 1 … 20) is rooted, area 60 px, base width 3 px, max depth
// 20 px, orientation 90°.

import DendrometerCore
import DendrometerGeometry
import DendrometerSegmentation
import DendrometerSkeleton
import Foundation

/// One dendrite (connected component of the dendrite phase), px in the analysed field.
public struct DendriteRecord: Sendable, Equatable {
    /// 1 … n: counted dendrites first, each group ordered by bounding box (left edge, then top edge).
    public var id: Int
    /// Whether its pixels are among the dendrite pixels measured (false: set aside as an isolated
    /// fragment or an unrooted dark piece, see the warnings).
    public var counted: Bool
    /// Whether it reaches within the root tolerance of the interface.
    public var rooted: Bool
    /// Pixels.
    public var areaPx: Int
    /// Largest perpendicular depth of its pixels, px.
    public var maxDepthPx: Double
    /// Smallest offset above the interface, px (≤ the root tolerance when rooted).
    public var nearestOffsetPx: Double
    /// Positions along the interface where it touches the interface, px (0 when unrooted).
    public var baseWidthPx: Double
    /// Length-weighted mean width of its skeleton branches, px; nil without a skeleton branch.
    public var meanWidthPx: Double?
    /// Length-weighted mean tortuosity of its skeleton branches; nil without a measurable branch.
    public var tortuosity: Double?
    /// Major-axis direction from the interface direction, degrees in [0, 180): 0 lateral, 90 vertical;
    /// nil when isotropic.
    public var orientationDegrees: Double?
    /// Skeleton branches starting inside it.
    public var branches: Int
    /// Bounding box, px in the analysed field.
    public var bbox: PixelRect

    /// Not rooted at the anode (a piece whose connection, if any, is outside the section).
    public var isolated: Bool { !rooted }
}

/// The dendrites of an analysis, one record each, and the depths of those rooted at the anode.
public struct DendriteInventory: Sendable {
    /// Counted dendrites first, each group ordered by bounding box (left edge, then top edge).
    public var records: [DendriteRecord]
    /// Depth of the counted dendrites rooted at the anode alone (nil when none is).
    public var connected: ConnectedDepth?
    /// Pixels of the counted dendrites rooted at the anode.
    public var rootedArea: Int
    /// Whether every counted dendrite is rooted.
    public var allRooted: Bool

    /// Records the dendrites of `counted` (the measured dendrite mask) and of `setAside` (pieces
    /// removed from it), relative to `interface`.
    ///
    /// - Parameters:
    ///   - graph: the skeleton graph of `counted`, whose pixel (x, y) is field pixel
    ///     (x + graphOrigin.x, y + graphOrigin.y).
    ///   - rootTolerancePx: offset above the interface within which a component is rooted, px.
    ///   - cathodeOffsetPx: where the cathode begins (offset above the interface, px), if in view.
    ///   - cathodeContactPx: within this distance of it a dendrite touches the cathode, px
    ///     (``CathodeDetector/Parameters/contactPx``).
    public static func measure(counted: BinaryMask, setAside: BinaryMask?, interface: Interface,
                               graph: SkeletonGraph, graphOrigin: PixelRect, rootTolerancePx: Double,
                               cathodeOffsetPx: Double? = nil,
                               cathodeContactPx: Double = CathodeDetector.Parameters().contactPx) -> DendriteInventory {
        measure(DendriteComponents(counted, interface: interface, rootTolerancePx: rootTolerancePx, cathodeOffsetPx: cathodeOffsetPx,
                                   cathodeContactPx: cathodeContactPx),
                setAside: setAside, graph: graph, graphOrigin: graphOrigin)
    }

    /// ``measure(counted:setAside:interface:graph:graphOrigin:rootTolerancePx:cathodeOffsetPx:)``
    /// with the counted dendrites' components already measured (their pixels' depths also give
    /// the penetration, ``DendriteComponents/depthSamples``).
    public static func measure(_ components: DendriteComponents, setAside: BinaryMask?,
                               graph: SkeletonGraph, graphOrigin: PixelRect) -> DendriteInventory {
        let labels = components.labels, counted = components.mask, interface = components.interface
        let rootTolerancePx = components.rootTolerancePx
        var stats = components.moments
        let connected = stats.depths(of: stats.rooted)
        let rootedArea = (0 ... labels.count).reduce(0) { $0 + (stats.rooted[$1] ? stats.area[$1] : 0) }
        // Skeleton branches, attributed to the component holding their first pixel.
        var weightedWidth = [Double](repeating: 0, count: labels.count + 1)
        var widthLength = [Double](repeating: 0, count: labels.count + 1)
        var weightedTortuosity = [Double](repeating: 0, count: labels.count + 1)
        var tortuosityLength = [Double](repeating: 0, count: labels.count + 1)
        var branches = [Int](repeating: 0, count: labels.count + 1)
        for b in graph.branches {
            guard let first = b.path.first else { continue }
            let p = graph.point(first)
            let x = p.x + graphOrigin.x, y = p.y + graphOrigin.y
            guard x >= 0, y >= 0, x < counted.width, y < counted.height else { continue }
            let l = labels.label(atX: x, y: y)
            guard l > 0 else { continue }
            branches[l] += 1
            if let w = b.meanWidthPx { weightedWidth[l] += w * b.lengthPx; widthLength[l] += b.lengthPx }
            if let t = b.tortuosity, t.isFinite { weightedTortuosity[l] += t * b.lengthPx; tortuosityLength[l] += b.lengthPx }
        }
        var records = [DendriteRecord]()
        var allRooted = true
        for l in stride(from: 1, through: labels.count, by: 1) {
            var r = stats.record(l, counted: true)
            r.branches = branches[l]
            r.meanWidthPx = widthLength[l] > 0 ? weightedWidth[l] / widthLength[l] : nil
            r.tortuosity = tortuosityLength[l] > 0 ? weightedTortuosity[l] / tortuosityLength[l] : nil
            if !r.rooted { allRooted = false }
            records.append(r)
        }
        if let setAside, setAside.area > 0 {
            let asideLabels = componentRuns(setAside, connectivity: .eight)
            stats = ComponentMoments.measure(components: asideLabels, interface: interface, rootTolerancePx: rootTolerancePx).moments
            for l in stride(from: 1, through: asideLabels.count, by: 1) { records.append(stats.record(l, counted: false)) }
        }
        records.sort { a, b in
            a.counted != b.counted ? a.counted : (a.bbox.x, a.bbox.y) < (b.bbox.x, b.bbox.y)
        }
        for i in records.indices { records[i].id = i + 1 }
        return DendriteInventory(records: records, connected: connected, rootedArea: rootedArea, allRooted: allRooted)
    }
}

/// The counted dendrite mask's connected components (8-connected, as runs of pixels: no label
/// image) with their per-component sums in the interface's frame, and the depths of all their
/// pixels: the first half of ``DendriteInventory``, which needs no skeleton, so it can run with
/// the penetration (``depthSamples``) before the skeleton graph is ready.
public struct DendriteComponents: Sendable {
    /// The counted dendrite mask.
    public let mask: BinaryMask
    let labels: ComponentRuns
    let moments: ComponentMoments
    let interface: Interface
    let rootTolerancePx: Double
    /// The depths of every pixel of `mask` with depth > 0, for ``PenetrationDepth/measure(samples:interface:binWidthPx:)``.
    public let depthSamples: DepthSamples

    /// Components of `counted` relative to `interface`; `rootTolerancePx`, `cathodeOffsetPx` and
    /// `cathodeContactPx` as in
    /// ``DendriteInventory/measure(counted:setAside:interface:graph:graphOrigin:rootTolerancePx:cathodeOffsetPx:cathodeContactPx:)``.
    public init(_ counted: BinaryMask, interface: Interface, rootTolerancePx: Double, cathodeOffsetPx: Double? = nil,
                cathodeContactPx: Double = CathodeDetector.Parameters().contactPx) {
        mask = counted
        labels = componentRuns(counted, connectivity: .eight)
        let (moments, samples) = ComponentMoments.measure(components: labels, interface: interface, rootTolerancePx: rootTolerancePx,
                                                          cathodeOffsetPx: cathodeOffsetPx, cathodeContactPx: cathodeContactPx)
        self.moments = moments
        depthSamples = samples
        self.interface = interface
        self.rootTolerancePx = rootTolerancePx
    }
}

/// Depth statistics of a chosen set of dendrites (those rooted at the anode), px.
public struct ConnectedDepth: Sendable, Equatable {
    /// Deepest pixel, px.
    public var maxPx: Double
    /// 95th percentile of pixel depth (linear interpolation), px.
    public var p95Px: Double
    /// Whether one of them reaches the cathode (when in view) or else the far edge of the field.
    public var reachesCathodeOrFarEdge: Bool
}

/// Per-component sums over pixels in the interface frame: area, depth, offsets, contact
/// positions, second moments, and each pixel's depth (for percentiles of chosen components).
struct ComponentMoments {
    var area: [Int]
    var maxDepth: [Double]
    var nearest: [Double]
    var base: [Int]
    var su: [Double], sv: [Double], suu: [Double], svv: [Double], suv: [Double]
    /// The component reaches the cathode (within the contact distance of its offset, when given)
    /// or else the far edge.
    var reachesFar: [Bool]
    var rooted: [Bool]
    var boxes: [PixelRect]
    /// Per row band: the depth of every pixel with depth > 0, and its component, as runs of
    /// consecutive samples of one component (a row run of the mask gives one such run, so the
    /// labels take a few bytes per run instead of four per pixel).
    var sampleComponents: [[SampleRun]], pixelDepths: [[Float]]

    /// `count` consecutive depth samples of component `label`.
    struct SampleRun {
        var label: Int32
        var count: Int32
    }

    /// Isotropy limit: a component whose moment eigenvalues differ by less than this share of
    /// their sum has no major axis (a disc: 0; a 1 × n bar: 1). Numerical, not physical.
    static let isotropicAnisotropy = 1e-9

    /// Accumulators of one row band.
    private struct Band {
        var area: [Int], maxDepth: [Double], nearest: [Double]
        var su: [Double], sv: [Double], suu: [Double], svv: [Double], suv: [Double]
        var reachesFar: [Bool]
        var contacts = [Int]()
        var sampleRuns = [SampleRun](), depths = [Float]()
        /// The penetration's samples (``DepthSamples``): deepest depth and far contact per position.
        var front: [Double], farAt: [Bool], onFarEdge = false
        init(_ n: Int, length: Int) {
            front = .init(repeating: 0, count: length); farAt = .init(repeating: false, count: length)
            area = .init(repeating: 0, count: n + 1); maxDepth = .init(repeating: 0, count: n + 1)
            nearest = .init(repeating: .infinity, count: n + 1)
            su = .init(repeating: 0, count: n + 1); sv = su; suu = su; svv = su; suv = su
            reachesFar = .init(repeating: false, count: n + 1)
        }
    }

    /// The sums of every component of `labels`, and the depths of all their pixels as the
    /// penetration samples them (one ``Interface/depth(u:v:)`` per pixel serves both).
    static func measure(components labels: ComponentRuns, interface: Interface, rootTolerancePx: Double,
                        cathodeOffsetPx: Double? = nil,
                        cathodeContactPx: Double = CathodeDetector.Parameters().contactPx) -> (moments: ComponentMoments, samples: DepthSamples) {
        let n = labels.count, w = labels.width, h = labels.height
        let side = interface.side
        let length = side.length(width: w, height: h), extent = side.extent(width: w, height: h)
        let g = (0 ..< length).map { interface.height(atU: Double($0)) }
        let segments = interface.segmentsOfWholeU(length)
        // Row bands in parallel (the perpendicular depth is the costly part), merged after; every
        // sum is of integers (exact in Double), so the bands do not change any value.
        let runs = labels.runs, labelOfRun = labels.labelOfRun
        let bands = runs.withUnsafeBufferPointer { rb in
            labelOfRun.withUnsafeBufferPointer { lb in
                parallelBandResults(h, minimumPerBand: 16, initial: { Band(n, length: length) }) { rows, b in
                    // Sized once for the band's pixels (an upper bound: depth > 0 only), so the
                    // per-pixel records are not regrown, and their old buffers not left behind.
                    var pixels = 0, runCount = 0
                    for y in rows { for r in labels.runs(inRow: y) { pixels += Int(rb[r].x1) - Int(rb[r].x0); runCount += 1 } }
                    b.sampleRuns.reserveCapacity(runCount)
                    b.depths.reserveCapacity(pixels)
                    for y in rows {
                        for r in labels.runs(inRow: y) {
                            let l = Int(lb[r])
                            for x in Int(rb[r].x0) ..< Int(rb[r].x1) {
                                let (u, v) = side.framePosition(x: x, y: y, width: w, height: h)
                                let offset = Double(v) - g[u]
                                let du = Double(u), dv = Double(v)
                                b.area[l] += 1
                                b.su[l] += du; b.sv[l] += dv
                                b.suu[l] += du * du; b.svv[l] += dv * dv; b.suv[l] += du * dv
                                if offset < b.nearest[l] { b.nearest[l] = offset }
                                let d = interface.depth(u: du, v: dv, onSegment: Int(segments[u]))
                                if d > b.maxDepth[l] { b.maxDepth[l] = d }
                                if d > 0 {
                                    if let last = b.sampleRuns.indices.last, b.sampleRuns[last].label == Int32(l),
                                       b.sampleRuns[last].count < Int32.max {
                                        b.sampleRuns[last].count += 1
                                    } else {
                                        b.sampleRuns.append(SampleRun(label: Int32(l), count: 1))
                                    }
                                    if DepthSamples.add(u: u, v: v, depth: d, offset: offset, extent: extent,
                                                        cathodeOffsetPx: cathodeOffsetPx, cathodeContactPx: cathodeContactPx,
                                                        depths: &b.depths, front: &b.front, reachesFar: &b.farAt) { b.onFarEdge = true }
                                }
                                if let c = cathodeOffsetPx { if offset >= c - cathodeContactPx { b.reachesFar[l] = true } } else if v == extent - 1 { b.reachesFar[l] = true }
                                if offset <= rootTolerancePx { b.contacts.append(l * length + u) }
                            }
                        }
                    }
                }
            }
        }
        var m = ComponentMoments(area: .init(repeating: 0, count: n + 1), maxDepth: .init(repeating: 0, count: n + 1),
                                 nearest: .init(repeating: .infinity, count: n + 1), base: .init(repeating: 0, count: n + 1),
                                 su: .init(repeating: 0, count: n + 1), sv: .init(repeating: 0, count: n + 1),
                                 suu: .init(repeating: 0, count: n + 1), svv: .init(repeating: 0, count: n + 1),
                                 suv: .init(repeating: 0, count: n + 1), reachesFar: .init(repeating: false, count: n + 1),
                                 rooted: .init(repeating: false, count: n + 1),
                                 boxes: [PixelRect(x: 0, y: 0, width: 0, height: 0)] + labels.components.map(\.boundingBox),
                                 sampleComponents: bands.map(\.sampleRuns), pixelDepths: bands.map(\.depths))
        // Contact positions: (component, u) pairs within the tolerance, counted once each.
        var touched = Set<Int>()
        for b in bands {
            for l in 0 ... n {
                m.area[l] += b.area[l]
                m.su[l] += b.su[l]; m.sv[l] += b.sv[l]; m.suu[l] += b.suu[l]; m.svv[l] += b.svv[l]; m.suv[l] += b.suv[l]
                m.nearest[l] = min(m.nearest[l], b.nearest[l])
                m.maxDepth[l] = max(m.maxDepth[l], b.maxDepth[l])
                if b.reachesFar[l] { m.reachesFar[l] = true }
            }
            for key in b.contacts where touched.insert(key).inserted { m.base[key / length] += 1 }
        }
        for l in 0 ... n { m.rooted[l] = m.nearest[l] <= rootTolerancePx }
        var front = [Double](repeating: 0, count: length), farAt = [Bool](repeating: false, count: length)
        for b in bands {
            for u in 0 ..< length {
                front[u] = max(front[u], b.front[u])
                if b.farAt[u] { farAt[u] = true }
            }
        }
        return (m, DepthSamples(depths: m.pixelDepths, front: front, reachesFar: farAt, onFarEdge: bands.contains { $0.onFarEdge }))
    }

    /// Max, p95 (numpy's linear interpolation) and far-side contact over the pixels of the
    /// components `keep` selects; nil when they hold no pixel with depth > 0.
    func depths(of keep: [Bool]) -> ConnectedDepth? {
        var parts = [[Float]]()
        var top: Float = 0
        if keep.indices.allSatisfy({ $0 == 0 || keep[$0] }) {
            // Every component: the records as they are (no copy).
            parts = pixelDepths
            for part in parts { for d in part { top = max(top, d) } }
        } else {
            for (runs, depths) in zip(sampleComponents, pixelDepths) {
                var part = [Float]()
                part.reserveCapacity(runs.reduce(0) { $0 + (keep[Int($1.label)] ? Int($1.count) : 0) })
                var start = 0
                for run in runs {
                    let end = start + Int(run.count)
                    if keep[Int(run.label)] {
                        for d in depths[start ..< end] { part.append(d); top = max(top, d) }
                    }
                    start = end
                }
                parts.append(part)
            }
        }
        let count = parts.reduce(0) { $0 + $1.count }
        guard count > 0 else { return nil }
        let pos = 0.95 * Double(count - 1), lo = Int(saturating: pos)
        let v = orderStatistics(of: parts, ranks: [lo, min(count - 1, lo + 1)], upperBound: top)
        let p95 = Double(v[0]) + (pos - Double(lo)) * (Double(v[1]) - Double(v[0]))
        let far = keep.indices.contains { keep[$0] && reachesFar[$0] }
        return ConnectedDepth(maxPx: Double(top), p95Px: p95, reachesCathodeOrFarEdge: far)
    }

    /// The record of component `l` (skeleton fields empty; `id` 0 until numbered).
    func record(_ l: Int, counted: Bool) -> DendriteRecord {
        let a = Double(area[l])
        let mu = su[l] / a, mv = sv[l] / a
        let cuu = suu[l] / a - mu * mu, cvv = svv[l] / a - mv * mv, cuv = suv[l] / a - mu * mv
        // Eigenvalue gap of the covariance [[cuu, cuv], [cuv, cvv]] over its trace.
        let gap = ((cuu - cvv) * (cuu - cvv) + 4 * cuv * cuv).squareRoot()
        var orientation: Double?
        if cuu + cvv > 0, gap > Self.isotropicAnisotropy * (cuu + cvv) {
            var deg = 0.5 * atan2(2 * cuv, cuu - cvv) * 180 / .pi
            if deg < 0 { deg += 180 }
            orientation = deg >= 180 ? deg - 180 : deg
        }
        return DendriteRecord(id: 0, counted: counted, rooted: rooted[l], areaPx: area[l], maxDepthPx: maxDepth[l],
                              nearestOffsetPx: nearest[l], baseWidthPx: rooted[l] ? Double(base[l]) : 0,
                              meanWidthPx: nil, tortuosity: nil, orientationDegrees: orientation, branches: 0, bbox: boxes[l])
    }
}
