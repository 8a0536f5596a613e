// Ground truth of a synthetic scene, computed from the rendered geometry with
// the definitions of docs/REFERENCE.md §4–5:
// - dendrite pixels: dendrite phase with depth > 0 (the data bar is outside the field);
// - depth: signed distance from the pixel centre to the interface polyline;
// - max; p95 = 95th percentile with linear interpolation between order
//   statistics (numpy.percentile's default: position 0.95 × (n − 1));
// - front_mean: the interface polyline is cut into 1-px arc-length bins; each
//   dendrite pixel falls in the bin of its nearest interface point; the mean
//   over ALL bins of the deepest pixel per bin (0 for empty bins);
// - short_circuit: a dendrite pixel lies beyond the electrolyte thickness
//   (in the cathode) or, with no cathode in view, on the far edge of the field;
// - regions (`auto`): depth 0…max split in three equal bands, `bottom` nearest
//   the anode; label = the morphology that drew most dendrite pixels of the
//   band (`none` below 20 pixels); bbox = bounding box of the band's dendrite
//   pixels in final image coordinates.

import DendrometerCore
import Foundation

/// Truth computed in the canonical frame.
struct TruthCore {
    var dendrite: [UInt8]
    var maxPx = 0.0, p95Px = 0.0, frontMeanPx = 0.0
    var shortCircuit = false
    var area = 0
    /// Per band: canonical bbox (minX, minY, maxX, maxY), label counts by code, lo/hi depth.
    var bands: [(box: (Int, Int, Int, Int)?, counts: [Int], lo: Double, hi: Double)] = []
    var labelCounts = [Int](repeating: 0, count: 5)
}

func computeTruth(material: [UInt8], labels: [UInt8], cw: Int, ch: Int, iface: CanonicalInterface, yCol: [Double],
                  electrolytePx: Double?) -> TruthCore {
    var core = TruthCore(dendrite: [UInt8](repeating: 0, count: cw * ch))
    var depths: [Double] = [], xs: [Int32] = [], ys: [Int32] = [], labs: [UInt8] = []
    let bins = max(1, Int(saturating: iface.length.rounded(.up)))
    var front = [Double](repeating: 0, count: bins)
    for y in 0 ..< ch {
        for x in 0 ..< cw where material[y * cw + x] == Material.dendrite.rawValue {
            let (d, a) = iface.signedDistance(x: Double(x), y: Double(y))
            guard d > 0 else { continue }
            core.dendrite[y * cw + x] = 1
            depths.append(d); xs.append(Int32(x)); ys.append(Int32(y)); labs.append(labels[y * cw + x])
            let b = min(bins - 1, max(0, Int(saturating: a)))
            front[b] = max(front[b], d)
            if let e = electrolytePx { if yCol[x] - Double(y) >= e { core.shortCircuit = true } } else if y == 0 { core.shortCircuit = true }
        }
    }
    core.area = depths.count
    guard !depths.isEmpty else { return core }
    let sorted = depths.sorted()
    core.maxPx = sorted.last!
    let pos = 0.95 * Double(sorted.count - 1)
    let lo = Int(saturating: pos.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
    core.p95Px = sorted[lo] + (pos - Double(lo)) * (sorted[hi] - sorted[lo])
    core.frontMeanPx = front.reduce(0, +) / Double(bins)
    let third = core.maxPx / 3
    core.bands = (0 ..< 3).map { (nil, [Int](repeating: 0, count: 5), Double($0) * third, Double($0 + 1) * third) }
    for k in 0 ..< depths.count {
        let b = min(2, Int(saturating: depths[k] / third))
        let x = Int(xs[k]), y = Int(ys[k])
        core.bands[b].counts[Int(labs[k])] += 1
        core.labelCounts[Int(labs[k])] += 1
        if let bx = core.bands[b].box {
            core.bands[b].box = (min(bx.0, x), min(bx.1, y), max(bx.2, x), max(bx.3, y))
        } else {
            core.bands[b].box = (x, y, x, y)
        }
    }
    return core
}

/// One truth region (docs/REFERENCE.md §5 `auto` band).
public struct TruthRegion: Sendable, Equatable {
    /// `bottom` (nearest the anode), `middle` or `top`.
    public var name: String
    /// Bounding box of the band's dendrite pixels, final image px; nil when the band is empty.
    public var bbox: PixelRect?
    /// Dominant morphology of the band.
    public var label: MorphologyLabel
    /// Depth range of the band, px.
    public var depthRangePixels: ClosedRange<Double>
    /// Share of the band's dendrite pixels drawn by each morphology.
    public var labelFractions: [MorphologyLabel: Double]
    /// Dendrite pixels in the band.
    public var dendritePixels: Int
}

/// Exact truth numbers of a rendered scene (px unless the name says µm).
public struct GroundTruth: Sendable {
    /// Edge the anode lies along.
    public var anodeSide: AnodeSide
    /// Phase polarity (`bright` Li-In, `dark` Li).
    public var phase: PhasePolarity
    /// The pixel size the scene was rendered with, µm/px.
    public var pixelSizeMicrometres: Double
    /// What a reader should find in the file: the vendor source and size (nil for `vendor: none`).
    public var calibrationSource: CalibrationSource
    /// Pixel size the file states, µm/px, or nil when it states none.
    public var statedPixelSizeMicrometres: Double?
    /// Full raster size, px (data bar included).
    public var imageWidth: Int, imageHeight: Int
    /// The scanned field, px (the raster without the data bar).
    public var field: PixelRect
    /// The data bar, px, or nil.
    public var dataBar: PixelRect?
    /// Interface polyline in final image coordinates, px ([x, y] pairs).
    public var interfacePoints: [[Double]]
    /// Direction of the interface chord (first to last vertex), degrees in (−90, 90], from +x with y down.
    public var interfaceAngleDegrees: Double
    /// Max, 95th percentile and front-mean depth of dendrite pixels, px.
    public var maxDepthPixels: Double, p95DepthPixels: Double, frontMeanDepthPixels: Double
    /// Whether dendrites reach the cathode (or the far edge of the field).
    public var shortCircuit: Bool
    /// Number of dendrite pixels.
    public var dendriteAreaPixels: Int
    /// Dendrite area / field area.
    public var areaFraction: Double
    /// `bottom`, `middle`, `top` bands (empty without dendrites).
    public var regions: [TruthRegion]
    /// Morphology that drew most dendrite pixels (`none` without dendrites).
    public var morphology: MorphologyLabel
    /// Remarks about clamps applied while rendering.
    public var notes: [String]

    init(spec: SceneSpec, core: TruthCore, iface: CanonicalInterface, transform: SideTransform, notes: [String]) {
        anodeSide = spec.anodeSide
        phase = spec.polarity
        pixelSizeMicrometres = spec.pixelSizeMicrometres
        switch spec.vendor {
        case .fei: calibrationSource = .fei
        case .zeiss: calibrationSource = .zeiss
        case .imagej: calibrationSource = .imagej
        case .jeol: calibrationSource = .jeol
        case .tescan: calibrationSource = .tescan
        case .hitachi: calibrationSource = .hitachi
        case .none: calibrationSource = .none
        }
        statedPixelSizeMicrometres = spec.vendor == .none ? nil : spec.pixelSizeMicrometres
        imageWidth = spec.width
        imageHeight = spec.height + spec.dataBarRows
        field = PixelRect(x: 0, y: 0, width: spec.width, height: spec.height)
        dataBar = spec.dataBarRows > 0 ? PixelRect(x: 0, y: spec.height, width: spec.width, height: spec.dataBarRows) : nil
        interfacePoints = zip(iface.xs, iface.ys).map { let m = transform.map($0, $1); return [m.x, m.y] }
        let a = interfacePoints.first!, b = interfacePoints.last!
        var ang = atan2(b[1] - a[1], b[0] - a[0]) * 180 / .pi
        while ang > 90 { ang -= 180 }
        while ang <= -90 { ang += 180 }
        interfaceAngleDegrees = ang
        maxDepthPixels = core.maxPx
        p95DepthPixels = core.p95Px
        frontMeanDepthPixels = core.frontMeanPx
        shortCircuit = core.shortCircuit
        dendriteAreaPixels = core.area
        areaFraction = Double(core.area) / Double(spec.width * spec.height)
        let names = spec.anodeSide.depthBandNames
        regions = core.bands.enumerated().map { k, band in
            let total = band.counts.reduce(0, +)
            var fractions: [MorphologyLabel: Double] = [:]
            var best = MorphologyLabel.none, bestCount = 0
            for code in 1 ..< 5 where band.counts[code] > 0 {
                fractions[MorphologyLabel(code: UInt8(code))] = Double(band.counts[code]) / Double(total)
                if band.counts[code] > bestCount { bestCount = band.counts[code]; best = MorphologyLabel(code: UInt8(code)) }
            }
            let box = band.box.map { transform.map(PixelRect(x: $0.0, y: $0.1, width: $0.2 - $0.0 + 1, height: $0.3 - $0.1 + 1)) }
            return TruthRegion(name: names[k], bbox: box, label: total >= 20 ? best : .none,
                               depthRangePixels: band.lo ... band.hi, labelFractions: fractions, dendritePixels: total)
        }
        var best = MorphologyLabel.none, bestCount = 0
        for code in 1 ..< 5 where core.labelCounts[code] > bestCount { bestCount = core.labelCounts[code]; best = MorphologyLabel(code: UInt8(code)) }
        morphology = best
        self.notes = notes
    }

    /// Converts px to µm with the rendered pixel size.
    public func micrometres(_ px: Double) -> Double { px * pixelSizeMicrometres }
}
