// Regions for per-region statistics (docs/REFERENCE.md §5): depth bands of the
// dendrite zone (`auto`), the whole zone, a grid of tiles, or rectangles from
// a file. Band membership uses the local-slope depth approximation
// (vertical offset × cos θ), exact for straight interface segments.

import DendrometerCore
import DendrometerFilters
import DendrometerGeometry
import DendrometerMorphology
import DendrometerSegmentation
import DendrometerSkeleton
import Foundation

/// A region: a name, its bounding box in the field, and which pixels of that
/// box it covers.
struct RegionMask {
    var name: String
    /// Bounding box, field coordinates (px).
    var bbox: PixelRect
    /// Membership over `bbox` only (`bbox.width × bbox.height`), one bit per pixel: the depth
    /// bands together cover the dendrite zone, 2 MB instead of 16.8 MB at 4096².
    var local: PackedMask

    init(name: String, bbox: PixelRect, local: PackedMask) {
        self.name = name
        self.bbox = bbox
        self.local = local
    }

    /// A region whose membership is given one byte per pixel of `bbox`.
    init(name: String, bbox: PixelRect, local: BinaryMask) {
        self.init(name: name, bbox: bbox, local: PackedMask(local))
    }

    /// Whether field pixel (x, y) belongs to the region.
    func contains(x: Int, y: Int) -> Bool {
        bbox.contains(x: x, y: y) && local[x: x - bbox.x, y: y - bbox.y]
    }
}

enum RegionBuilder {
    static func regions(_ choice: RegionChoice, field: PixelRect, interface: Interface?, maxDepthPx: Double,
                        pixelSize: PixelSize?, warnings: inout [String]) -> [RegionMask] {
        let w = field.width, h = field.height
        switch choice {
        case .auto:
            guard let interface, maxDepthPx > 0 else {
                if interface == nil { warnings.append("regions auto: no interface, using the whole field as one region") }
                return [whole(field: field, interface: interface, maxDepthPx: maxDepthPx)]
            }
            let third = maxDepthPx / 3
            let names = interface.side.depthBandNames
            return [(names[0], 0.0, third), (names[1], third, 2 * third), (names[2], 2 * third, maxDepthPx)].enumerated().map { k, b in
                band(name: b.0, interface: interface, width: w, height: h, from: b.1, to: b.2, includeUpper: k == 2)
            }
        case .whole:
            return [whole(field: field, interface: interface, maxDepthPx: maxDepthPx)]
        case .grid(let rows, let columns):
            let electrolyte = interface.map { DepthBand(interface: $0, width: w, height: h, from: 0, to: .infinity, includeUpper: true) }
            var out = [RegionMask]()
            for r in 0 ..< rows {
                for c in 0 ..< columns {
                    let rect = PixelRect(x: c * w / columns, y: r * h / rows,
                                         width: (c + 1) * w / columns - c * w / columns, height: (r + 1) * h / rows - r * h / rows)
                    out.append(rectangle(name: "r\(r + 1)c\(c + 1)", rect: rect, electrolyte: electrolyte))
                }
            }
            return out
        case .rectangles(let rects):
            let electrolyte = interface.map { DepthBand(interface: $0, width: w, height: h, from: 0, to: .infinity, includeUpper: true) }
            return rects.compactMap { r in
                let scale: Double
                if r.isMicrometres {
                    guard let p = pixelSize else {
                        warnings.append("region \(r.name) is in µm but the image is uncalibrated; skipped")
                        return nil
                    }
                    scale = 1 / p.micrometres
                } else {
                    scale = 1
                }
                // Rectangles are given in full-raster coordinates; shift into the field. Values far
                // outside the raster are clamped before they become integers (a regions file is input).
                let limit = Double(2 * (field.x + field.y + w + h) + 2)
                func px(_ v: Double) -> Int { v.isFinite ? Int(saturating: max(-limit, min(limit, (v * scale).rounded()))) : 0 }
                let x0 = px(r.x), y0 = px(r.y)
                let rect = PixelRect(x: x0 - field.x, y: y0 - field.y, width: px(r.x + r.w) - x0, height: px(r.y + r.h) - y0)
                let clipped = rect.clipped(toWidth: w, height: h)
                if clipped.isEmpty {
                    warnings.append("region \(r.name) lies outside the analysed field; skipped")
                    return nil
                }
                return rectangle(name: r.name, rect: clipped, electrolyte: electrolyte)
            }
        }
    }

    static func whole(field: PixelRect, interface: Interface?, maxDepthPx: Double) -> RegionMask {
        if let interface {
            return band(name: "whole", interface: interface, width: field.width, height: field.height,
                        from: 0, to: maxDepthPx > 0 ? maxDepthPx : .infinity, includeUpper: true)
        }
        let box = PixelRect(x: 0, y: 0, width: field.width, height: field.height)
        return RegionMask(name: "whole", bbox: box, local: PackedMask.full(width: box.width, height: box.height))
    }

    /// Field pixels with depth in (from, to] (or [from, to] for the last band).
    static func band(name: String, interface: Interface, width w: Int, height h: Int,
                     from lo: Double, to hi: Double, includeUpper: Bool) -> RegionMask {
        let band = DepthBand(interface: interface, width: w, height: h, from: lo, to: hi, includeUpper: includeUpper)
        let box = band.boundingBox
        return RegionMask(name: name, bbox: box, local: band.mask(over: box))
    }

    static func rectangle(name: String, rect: PixelRect, electrolyte: DepthBand?) -> RegionMask {
        let local = electrolyte?.mask(over: rect) ?? PackedMask.full(width: rect.width, height: rect.height)
        return RegionMask(name: name, bbox: rect, local: local)
    }
}

/// The field pixels whose depth d below the interface lies in a band: d > max(lo, 0)
/// and d < hi (or d ≤ hi with `includeUpper`), where d = (v − g(u)) · cos θ(u) is the
/// local-slope depth of pixel (u, v) in the interface frame. d grows with v at
/// fixed u, so each position u holds one run of v, found exactly with the same
/// predicate by stepping from the analytic estimate: O(length) to build,
/// O(box) to rasterise, instead of a full-field scan per band.
struct DepthBand {
    let side: AnodeSide
    let width: Int, height: Int
    /// First and last v of the run at each u (first > last: empty).
    private(set) var first: [Int32]
    private(set) var last: [Int32]

    init(interface: Interface, width w: Int, height h: Int, from lo: Double, to hi: Double, includeUpper: Bool) {
        side = interface.side
        width = w; height = h
        let length = side.length(width: w, height: h), extent = side.extent(width: w, height: h)
        first = [Int32](repeating: 1, count: length)
        last = [Int32](repeating: 0, count: length)
        let low = max(lo, 0)
        for u in 0 ..< length {
            let g = interface.height(atU: Double(u))
            let slope = interface.height(atU: Double(u) + 0.5) - interface.height(atU: Double(u) - 0.5)
            let c = 1 / (1 + slope * slope).squareRoot()
            func depth(_ v: Int) -> Double { (Double(v) - g) * c }
            func aboveLow(_ v: Int) -> Bool { depth(v) > low }
            func belowHigh(_ v: Int) -> Bool { let d = depth(v); return d < hi || (includeUpper && d == hi) }
            // Smallest v in 0..<extent with aboveLow.
            var a = Int(saturating: max(0, min(Double(extent), (g + low / c).rounded(.down))))
            while a > 0 && aboveLow(a - 1) { a -= 1 }
            while a < extent && !aboveLow(a) { a += 1 }
            // Largest v < extent with belowHigh.
            var b = hi.isFinite ? Int(saturating: max(-1, min(Double(extent - 1), (g + hi / c).rounded(.down)))) : extent - 1
            while b < extent - 1 && belowHigh(b + 1) { b += 1 }
            while b >= 0 && !belowHigh(b) { b -= 1 }
            if a <= b { first[u] = Int32(a); last[u] = Int32(b) }
        }
    }

    /// Whether field pixel (x, y) is in the band.
    @inline(__always)
    func contains(x: Int, y: Int) -> Bool {
        let (u, v) = side.framePosition(x: x, y: y, width: width, height: height)
        return Int32(v) >= first[u] && Int32(v) <= last[u]
    }

    /// The smallest field rectangle holding the band (empty at (0, 0) when the band is).
    var boundingBox: PixelRect {
        var uMin = Int.max, uMax = -1, vMin = Int.max, vMax = -1
        for u in first.indices where first[u] <= last[u] {
            uMin = min(uMin, u); uMax = u
            vMin = min(vMin, Int(first[u])); vMax = max(vMax, Int(last[u]))
        }
        guard uMax >= 0 else { return PixelRect(x: 0, y: 0, width: 0, height: 0) }
        let a = side.image(u: Double(uMin), v: Double(vMin), width: width, height: height)
        let b = side.image(u: Double(uMax), v: Double(vMax), width: width, height: height)
        let x0 = Int(saturating: min(a.x, b.x)), y0 = Int(saturating: min(a.y, b.y))
        return PixelRect(x: x0, y: y0, width: Int(saturating: max(a.x, b.x)) - x0 + 1, height: Int(saturating: max(a.y, b.y)) - y0 + 1)
    }

    /// Band membership over `rect` (field coordinates), `rect.width × rect.height`, one bit per pixel.
    func mask(over rect: PixelRect) -> PackedMask {
        let band = self
        return PackedMask(width: rect.width, height: rect.height) { y, row in
            band.first.withUnsafeBufferPointer { f in
                band.last.withUnsafeBufferPointer { l in
                    for x in 0 ..< rect.width {
                        let (u, v) = band.side.framePosition(x: x + rect.x, y: y + rect.y, width: band.width, height: band.height)
                        let vv = Int32(v)
                        row[x] = vv >= f[u] && vv <= l[u] ? 1 : 0
                    }
                }
            }
        }
    }
}

/// Measures the features a region's label is decided from. Work is limited to
/// the region's bounding box: the masks are cropped to it before labelling and
/// building the skeleton graph.
enum RegionFeatureExtractor {
    /// The whole-zone skeleton graph with its origin in the field and mean length per skeleton pixel.
    struct ZoneGraph {
        var graph: SkeletonGraph
        var origin: PixelRect
        var lengthPerPixel: Double
    }

    /// - Parameters:
    ///   - widths: the dendrites' distance transform sampled at the skeleton's pixels, in the raster
    ///     of `widthWindow` (field coordinates); 0 outside it.
    ///   - orientation: the orientation statistics of the region's oriented pixels.
    static func features(region: RegionMask, dendrites: BinaryMask, skeleton: PackedMask, widths distances: SampledDistances,
                         widthWindow: PixelRect, graph: ZoneGraph,
                         orientation: OrientationStatistics, interface: Interface?, pixelSize: PixelSize?,
                         darkPhase: Bool) -> RegionFeatures {
        let w = dendrites.width
        let box = region.bbox
        let n = box.area
        var inRegion = [UInt8](repeating: 0, count: n)
        var regionPixels = 0, dendritePixels = 0, skeletonPixels = 0
        var widths = [(depth: Double, width: Double)]()
        /// A skeleton pixel of the region: its depth and width (2 × distance) in raster order.
        func addSkeletonPixel(_ fx: Int, _ fy: Int) {
            skeletonPixels += 1
            let d: Float = widthWindow.contains(x: fx, y: fy)
                ? distances[(fy - widthWindow.y) * widthWindow.width + (fx - widthWindow.x)] : 0
            let depth = interface?.depth(x: Double(fx), y: Double(fy)) ?? 0
            widths.append((depth, 2 * Double(d)))
        }
        let stride = region.local.wordsPerRow
        let lastWord: UInt64 = box.width % 64 == 0 ? ~0 : (1 << UInt64(box.width % 64)) - 1
        // A box without columns (a grid finer than the field) holds no pixel; its words are none.
        if box.width > 0 { region.local.words.withUnsafeBufferPointer { local in
            dendrites.bits.withUnsafeBufferPointer { phase in
                inRegion.withUnsafeMutableBufferPointer { inside in
                    for y in 0 ..< box.height {
                        let fy = y + box.y
                        let row = y * box.width, fieldRow = fy * w + box.x
                        let words = local.baseAddress! + y * stride
                        // Depth bands and tiles hold whole rows of their box: the row's dendrite
                        // pixels are copied at once and its skeleton pixels found 64 at a time
                        // (the same pixels in the same order as below).
                        if (0 ..< stride).allSatisfy({ words[$0] == ($0 == stride - 1 ? lastWord : ~0) }) {
                            regionPixels += box.width
                            (inside.baseAddress! + row).update(from: phase.baseAddress! + fieldRow, count: box.width)
                            skeleton.forEachPixel(inRow: fy, columns: box.x ..< box.x + box.width) { addSkeletonPixel($0, fy) }
                            continue
                        }
                        for x in 0 ..< box.width {
                            guard words[x >> 6] >> UInt64(x & 63) & 1 != 0 else { continue }
                            let fx = x + box.x, i = fieldRow + x
                            regionPixels += 1
                            if phase[i] != 0 { inside[row + x] = 1 }
                            if skeleton[x: fx, y: fy] { addSkeletonPixel(fx, fy) }
                        }
                    }
                }
            }
        } }
        dendritePixels = inRegion.reduce(0) { $0 + Int($1) }
        let regionDendrites = BinaryMask(width: box.width, height: box.height, normalizedBits: inRegion)
        let holes = connectivitySummary(regionDendrites).holes
        // Skeleton length and junctions from the whole-zone graph (built once):
        // junction nodes whose position lies in the region, and the region's share
        // of skeleton pixels times the graph's mean length per skeleton pixel.
        let lengthPx = Double(skeletonPixels) * graph.lengthPerPixel
        var junctions = 0
        for node in graph.graph.nodes where node.kind == .junction {
            let x = Int(saturating: node.x) + graph.origin.x, y = Int(saturating: node.y) + graph.origin.y
            if region.contains(x: x, y: y) { junctions += 1 }
        }
        let meanWidthPx = widths.isEmpty ? 0 : widths.map(\.width).reduce(0, +) / Double(widths.count)
        var taper: Double?
        if interface != nil, widths.count >= 9 {
            let sorted = widths.sorted { $0.depth < $1.depth }
            let third = sorted.count / 3
            let base = sorted[..<third].map(\.width).reduce(0, +) / Double(third)
            let tip = sorted[(sorted.count - third)...].map(\.width).reduce(0, +) / Double(third)
            if tip > 0 { taper = base / tip }
        }
        return RegionFeatures(
            areaFraction: regionPixels > 0 ? Double(dendritePixels) / Double(regionPixels) : 0,
            dendritePixels: dendritePixels, lateralFraction: orientation.lateralFraction,
            verticalFraction: orientation.verticalFraction, coherence: orientation.coherence,
            holes: holes, skeletonLengthPx: lengthPx, junctions: junctions, pixelSizeMicrometres: pixelSize?.micrometres,
            meanWidthMicrometres: pixelSize.map { meanWidthPx * $0.micrometres }, meanWidthPx: meanWidthPx,
            taper: taper, darkPhase: darkPhase)
    }
}

/// EDX maps: resampling to the image grid, denoising, and agreement with the BSE phase.
public enum EDXMaps {
    /// Bilinear resampling of `map` (covering the scanned field) to `width × height`,
    /// followed by a Gaussian of σ = half the up-sampling factor to tame Poisson noise.
    public static func resample(_ map: Image<Float>, toWidth width: Int, height: Int) -> Image<Float> {
        guard map.width > 0, map.height > 0, width > 0, height > 0 else { return Image(width: width, height: height) }
        let sx = Double(map.width) / Double(width), sy = Double(map.height) / Double(height)
        var out = [Float](repeating: 0, count: width * height)
        for y in 0 ..< height {
            let fy = min(Double(map.height - 1), max(0, (Double(y) + 0.5) * sy - 0.5))
            let y0 = Int(saturating: fy), y1 = min(map.height - 1, y0 + 1), ty = Float(fy - Double(y0))
            for x in 0 ..< width {
                let fx = min(Double(map.width - 1), max(0, (Double(x) + 0.5) * sx - 0.5))
                let x0 = Int(saturating: fx), x1 = min(map.width - 1, x0 + 1), tx = Float(fx - Double(x0))
                let a = map.pixels[y0 * map.width + x0], b = map.pixels[y0 * map.width + x1]
                let c = map.pixels[y1 * map.width + x0], d = map.pixels[y1 * map.width + x1]
                out[y * width + x] = (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty
            }
        }
        let up = Image(width: width, height: height, pixels: out, bitDepth: 32)
        let sigma = max(0.5, 0.5 * max(1 / sx, 1 / sy))
        return (try? gaussianBlur(up, sigma: sigma)) ?? up
    }

    /// Dice coefficient between the BSE phase and the map's Otsu-bright pixels (0…1).
    public static func agreement(phase: BinaryMask, map: Image<Float>) -> Double {
        guard let t = try? otsuThreshold(map) else { return 0 }
        var both = 0, a = 0, b = 0
        for i in phase.bits.indices {
            let p = phase.bits[i] != 0, m = Double(map.pixels[i]) > t
            if p { a += 1 }
            if m { b += 1 }
            if p && m { both += 1 }
        }
        return a + b > 0 ? 2 * Double(both) / Double(a + b) : 0
    }
}
