// What the user knows about the scene and hands in: a hand-drawn anode interface
// (`--interface FILE`) and areas to leave out (`--exclude FILE`).
//
// Interface. A scientist who sees that the detected interface is wrong (an anode edge hidden under
// a dense network, a layer the threshold cannot separate) draws it in Fiji and gives it back: an
// ImageJ line, polyline or freehand line (`.roi`, or a ROI set `.zip` whose ROI named "interface",
// else whose first line, is taken), a JSON polyline (`[[x, y], …]`, `{"points": [[x, y], …],
// "unit": "px"|"um"}`, or an analysis JSON's `interface.points_px`), or a CSV with columns `x,y` or
// `x_px,y_px` (px) or `x_um,y_um` (µm). Positions are in the full raster of the input file (data bar
// included), pixel centres at whole numbers (ImageJ's corner coordinates are shifted by half a pixel).
//
// Which side is the anode, when `--anode` is not given: the line runs along the longer of its
// two extents, so the anode is one of the two edges across from it; the anode is a solid metal
// layer of the dendrites' phase, the electrolyte is mostly not phase, so the side whose strip
// between the edge and the line holds the larger share of phase is the anode. Worked example: a
// line across a 100 × 80 field at y ≈ 60 with 95 % phase below it and 12 % above: anode bottom.
// When neither strip is mostly phase (both below 50 %), the image is flagged for `--anode`.
//
// Excluded areas. Debris, a crack filled with epoxy, a charging streak: pixels the user marks (an
// ImageJ ROI or ROI set: rectangles, ovals, polygons, freehand outlines; or a mask image of the
// raster's size, non-zero = excluded) are removed from the dendrite pixels before anything is
// measured. They still count in the zone's area (area fractions keep their denominators) and do not
// move the interface. A pixel is inside a polygon when its centre is (even–odd rule), as ImageJ
// makes masks from ROIs.
import DendrometerCore
import DendrometerGeometry
import DendrometerIO
import Foundation

/// A polyline the user drew for the anode interface, as read from its file.
public struct GivenInterface: Sendable, Equatable {
    /// Points along the interface in the full raster, pixel centres at whole numbers, in `unit`.
    public var points: [Point]
    /// `pixels` or `micrometres` (then converted with the image's calibration).
    public var unit: SizeUnit
    /// The file it came from (for messages and the JSON's `interface.reason`).
    public var source: String

    /// One (x, y) position.
    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double
        public init(x: Double, y: Double) { self.x = x; self.y = y }
    }

    /// A polyline in `unit`.
    public init(points: [Point], unit: SizeUnit = .pixels, source: String) {
        self.points = points; self.unit = unit; self.source = source
    }

    /// Reads an interface file: `.roi`/`.zip` (ImageJ), `.json` or `.csv` (see the file header).
    /// - Throws: ``AnalysisError/badGeometry(_:_:)`` naming the file, with what was expected.
    public static func read(_ path: String) throws(AnalysisError) -> GivenInterface {
        let lower = path.lowercased()
        if lower.hasSuffix(".roi") || lower.hasSuffix(".zip") {
            let rois: [ImageJROI]
            do { rois = try ImageJROI.read(path) } catch { throw .badGeometry(path, error.reason) }
            let lines = rois.filter { if case .polyline = $0.shape { return true }; return false }
            guard let roi = lines.first(where: { $0.name.lowercased() == "interface" }) ?? lines.first,
                  case let .polyline(points) = roi.shape else {
                throw .badGeometry(path, "expected a line, polyline or freehand line ROI for the interface, found \(rois.count) ROI\(rois.count == 1 ? "" : "s") of other shapes")
            }
            // ImageJ puts pixel centres at +0.5.
            return GivenInterface(points: points.map { Point(x: $0.x - 0.5, y: $0.y - 0.5) }, source: path)
        }
        let format: TextFormat
        if lower.hasSuffix(".csv") { format = .csv } else if lower.hasSuffix(".json") { format = .json } else {
            throw .badGeometry(path, "expected an ImageJ .roi or .zip, a .json or a .csv polyline")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw .badGeometry(path, "cannot read file") }
        return try parse(data, format: format, path: path)
    }

    /// The text formats of a polyline file.
    public enum TextFormat: Sendable { case json, csv }

    /// Parses a JSON or CSV polyline (see the file header); `path` names it in errors.
    public static func parse(_ data: Data, format: TextFormat, path: String) throws(AnalysisError) -> GivenInterface {
        guard data.count <= Limits.maximumTextBytes else { throw .badGeometry(path, "\(data.count) bytes, more than an interface polyline holds") }
        switch format {
        case .csv: return try csv(String(decoding: data, as: UTF8.self), path: path)
        case .json: return try json(data, path: path)
        }
    }

    /// Limits on untrusted polyline files.
    public enum Limits {
        /// Largest JSON or CSV polyline file, bytes.
        public static let maximumTextBytes = 16 << 20
    }

    static func json(_ data: Data, path: String) throws(AnalysisError) -> GivenInterface {
        guard let object = try? JSONSerialization.jsonObject(with: data) else { throw .badGeometry(path, "not valid JSON") }
        var unit = SizeUnit.pixels
        var list: Any? = object
        if let dict = object as? [String: Any] {
            if let u = dict["unit"] as? String {
                switch u.lowercased() {
                case "px": unit = .pixels
                case "um", "µm", "μm": unit = .micrometres
                default: throw .badGeometry(path, "unit must be \"px\" or \"um\", got \"\(u)\"")
                }
            }
            list = dict["points"] ?? (dict["interface"] as? [String: Any])?["points_px"] ?? dict["points_px"]
        }
        guard let rows = list as? [Any] else {
            throw .badGeometry(path, "expected [[x, y], …], {\"points\": [[x, y], …], \"unit\": \"px\"|\"um\"} or an analysis JSON with interface.points_px")
        }
        var points = [Point]()
        for (i, row) in rows.enumerated() {
            guard let pair = row as? [Any], pair.count == 2, let x = (pair[0] as? NSNumber)?.doubleValue, let y = (pair[1] as? NSNumber)?.doubleValue,
                  x.isFinite, y.isFinite else {
                throw .badGeometry(path, "point \(i + 1): expected [x, y] with two finite numbers")
            }
            points.append(Point(x: x, y: y))
        }
        return GivenInterface(points: points, unit: unit, source: path)
    }

    static func csv(_ text: String, path: String) throws(AnalysisError) -> GivenInterface {
        let table: [[String]]
        do { table = try CSV.parse(text) } catch { throw .badGeometry(path, "\(error)") }
        guard let header = table.first?.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) else { throw .badGeometry(path, "empty file") }
        let choices: [(String, String, SizeUnit)] = [("x", "y", .pixels), ("x_px", "y_px", .pixels), ("x_um", "y_um", .micrometres)]
        guard let (xName, yName, unit) = choices.first(where: { header.contains($0.0) && header.contains($0.1) }),
              let xi = header.firstIndex(of: xName), let yi = header.firstIndex(of: yName) else {
            throw .badGeometry(path, "expected columns x,y or x_px,y_px (px) or x_um,y_um (µm); got \(header.joined(separator: ","))")
        }
        var points = [Point]()
        for (i, row) in table.dropFirst().enumerated() where !(row.count == 1 && row[0].isEmpty) {
            guard row.count > max(xi, yi), let x = Double(row[xi].trimmingCharacters(in: .whitespaces)),
                  let y = Double(row[yi].trimmingCharacters(in: .whitespaces)), x.isFinite, y.isFinite else {
                throw .badGeometry(path, "line \(i + 2): expected numbers in \(xName) and \(yName)")
            }
            points.append(Point(x: x, y: y))
        }
        return GivenInterface(points: points, unit: unit, source: path)
    }

    /// The interface in field coordinates and the reasoning, for an analysis.
    ///
    /// - Parameters:
    ///   - phase: the segmented phase (field coordinates), for the anode side when `side` is nil.
    ///   - field: the analysed field in the full raster.
    ///   - side: `--anode`, or nil to infer it (the strip between edge and line that is mostly phase).
    ///   - pixelSize: converts µm polylines; required for them.
    ///   - minimumAnodePhaseShare: the anode strip must be at least this much phase, else `review`.
    public func detection(phase: BinaryMask, field: PixelRect, side: AnodeSide?, pixelSize: PixelSize?,
                   minimumAnodePhaseShare: Double, review: inout [String]) throws(AnalysisError) -> InterfaceDetection {
        var pts = points
        if unit == .micrometres {
            guard let p = pixelSize else { throw .badGeometry(source, "the polyline is in µm but the image has no calibration; give --pixel-size or the points in px") }
            pts = pts.map { Point(x: $0.x / p.widthMicrometres, y: $0.y / p.heightMicrometres) }
        }
        pts = pts.map { Point(x: $0.x - Double(field.x), y: $0.y - Double(field.y)) }
        guard pts.count >= 2 else { throw .badGeometry(source, "expected at least 2 points for the interface, got \(pts.count)") }
        let w = Double(field.width), h = Double(field.height)
        let margin = 0.5 * max(w, h)
        guard pts.allSatisfy({ $0.x > -margin && $0.x < w + margin && $0.y > -margin && $0.y < h + margin }) else {
            throw .badGeometry(source, "points lie far outside the \(field.width) × \(field.height) px field (positions are px in the full image, data bar included)")
        }
        let xs = pts.map(\.x), ys = pts.map(\.y)
        let horizontal = (xs.max()! - xs.min()!) >= (ys.max()! - ys.min()!)
        let candidates: [AnodeSide] = side.map { [$0] } ?? (horizontal ? [.bottom, .top] : [.left, .right])
        var best: (side: AnodeSide, interface: Interface, share: Double)?
        var shares = [String]()
        for s in candidates {
            let interface = try Self.interface(pts, side: s, width: field.width, height: field.height, source: source)
            let share = Self.anodeSidePhaseShare(phase, interface: interface)
            shares.append(String(format: "%@ %.0f %%", s.rawValue, 100 * share))
            if best == nil || share > best!.share { best = (s, interface, share) }
        }
        let chosen = best!
        var explanation = "given by --interface \(source)"
        if side == nil { explanation += "; anode \(chosen.side.rawValue): of the strips between each edge and the line, it holds the most phase (\(shares.joined(separator: ", ")))" }
        if chosen.share < minimumAnodePhaseShare {
            review.append(String(format: "the interface from %@ has no solid phase layer on its anode side (%.0f %% phase toward the %@ edge): check the line and say --anode SIDE and --phase",
                                 source, 100 * chosen.share, chosen.side.rawValue))
        }
        let along = chosen.side == .bottom || chosen.side == .top ? xs : ys
        let span = (along.max()! - along.min()!) / Double(chosen.side.length(width: field.width, height: field.height) - 1)
        if span < 0.9 {
            review.append(String(format: "the interface from %@ covers %.0f %% of the field's width; beyond its ends it is extended straight: check the overlay, or draw it edge to edge", source, 100 * span))
        }
        return InterfaceDetection(interface: chosen.interface, side: chosen.side, sideScores: [:], explanation: explanation)
    }

    /// The polyline as an ``Interface`` for anode side `side`: knots ordered along the interface.
    /// A hand-drawn line may step back a little; one that turns back by more than 2 % of the
    /// field's width is not a boundary between two layers.
    static func interface(_ pts: [Point], side: AnodeSide, width: Int, height: Int, source: String) throws(AnalysisError) -> Interface {
        var frame = pts.map { side.frame(x: $0.x, y: $0.y, width: width, height: height) }
        if let first = frame.first, let last = frame.last, first.u > last.u { frame.reverse() }
        let length = Double(side.length(width: width, height: height))
        var furthest = -Double.infinity, backstep = 0.0
        for p in frame { furthest = max(furthest, p.u); backstep = max(backstep, furthest - p.u) }
        guard backstep <= backstepFraction * length else {
            throw .badGeometry(source, String(format: "the line turns back by %.0f px along the interface; an interface runs from one edge to the other (say --anode if it runs the other way)", backstep))
        }
        frame.sort { $0.u < $1.u }
        var u = [Double](), v = [Double](), n = [Double]()
        for p in frame {
            if let last = u.last, p.u - last < 1e-6 {
                v[v.count - 1] += p.v; n[n.count - 1] += 1
            } else {
                u.append(p.u); v.append(p.v); n.append(1)
            }
        }
        v = zip(v, n).map { $0 / $1 }
        guard u.count >= 2 else { throw .badGeometry(source, "the line has no extent along the \(side.rawValue) edge") }
        return Interface(side: side, width: width, height: height, knotsU: u, knotsV: v)
    }

    /// Largest step back along the interface a hand-drawn line may make, as a share of the field's width.
    static let backstepFraction = 0.02

    /// Share of phase pixels on the anode side of `interface` (depth < 0).
    static func anodeSidePhaseShare(_ phase: BinaryMask, interface: Interface) -> Double {
        var inside = 0, total = 0
        let w = phase.width, h = phase.height
        // The interface's height at every position along it, once (not once per pixel).
        let heights = (0 ..< interface.side.length(width: w, height: h)).map { interface.height(atU: Double($0)) }
        for y in 0 ..< h {
            for x in 0 ..< w {
                let f = interface.side.framePosition(x: x, y: y, width: w, height: h)
                guard Double(f.v) < heights[f.u] else { continue }
                total += 1
                if phase.bits[y * w + x] != 0 { inside += 1 }
            }
        }
        return total > 0 ? Double(inside) / Double(total) : 0
    }
}

/// Pixels the user asks to leave out of the dendrites (`--exclude FILE`).
public enum ExcludedAreas: Sendable, Equatable {
    /// ImageJ ROIs (rectangles, ovals, polygons) in the full raster, from `source`.
    case rois([ImageJROI], source: String)
    /// A mask image (non-zero = excluded), the full raster's size, from `source`.
    case mask(BinaryMask, source: String)

    /// Reads ROIs (`.roi`, `.zip`) or a mask image (TIFF, PNG, BMP).
    /// - Throws: ``AnalysisError/badGeometry(_:_:)`` naming the file.
    public static func read(_ path: String, maximumPixels: Int) throws(AnalysisError) -> ExcludedAreas {
        let lower = path.lowercased()
        if lower.hasSuffix(".roi") || lower.hasSuffix(".zip") {
            do { return .rois(try ImageJROI.read(path), source: path) } catch { throw .badGeometry(path, error.reason) }
        }
        let image: Image<Float>
        do { image = try ImageFile.read(path, options: ReadOptions(maximumPixels: maximumPixels)).image.asFloat() } catch {
            throw .badGeometry(path, error.reason.description)
        }
        return .mask(BinaryMask(image) { $0 != 0 }, source: path)
    }

    /// The file the areas came from.
    public var source: String {
        switch self { case .rois(_, let s), .mask(_, let s): s }
    }

    /// The excluded pixels of `field` (field coordinates), for a raster of `rasterWidth × rasterHeight`.
    /// - Throws: ``AnalysisError/badGeometry(_:_:)`` when a mask is not the raster's size, or a ROI is not an area.
    public func mask(field: PixelRect, rasterWidth: Int, rasterHeight: Int) throws(AnalysisError) -> BinaryMask {
        switch self {
        case let .mask(m, source):
            if m.width == field.width && m.height == field.height { return m }
            guard m.width == rasterWidth && m.height == rasterHeight else {
                throw .badGeometry(source, "expected a mask of \(rasterWidth) × \(rasterHeight) px (the image) or \(field.width) × \(field.height) px (its field), got \(m.width) × \(m.height)")
            }
            return m.cropped(to: field)
        case let .rois(rois, source):
            var out = BinaryMask(width: field.width, height: field.height)
            for roi in rois {
                switch roi.shape {
                case .polyline:
                    throw .badGeometry(source, "ROI '\(roi.name)' is a line; --exclude takes areas (rectangles, ovals, polygons, freehand outlines)")
                default:
                    Self.fill(roi.shape, into: &out, originX: field.x, originY: field.y)
                }
            }
            return out
        }
    }

    /// Sets the pixels of `mask` whose centres lie inside `shape` (ImageJ corner coordinates in the
    /// full raster; the mask's pixel (0, 0) is raster pixel (originX, originY)).
    static func fill(_ shape: ImageJROI.Shape, into mask: inout BinaryMask, originX: Int, originY: Int) {
        let w = mask.width, h = mask.height
        /// `lo ..< hi` clipped to `0 ..< limit` (empty when they do not overlap; never an inverted range).
        func clipped(_ lo: Int, _ hi: Int, _ limit: Int) -> Range<Int> {
            let a = min(max(0, lo), limit), b = min(max(a, hi), limit)
            return a ..< b
        }
        switch shape {
        case let .rectangle(x, y, rw, rh):
            for yy in clipped(y - originY, y + rh - originY, h) {
                for xx in clipped(x - originX, x + rw - originX, w) { mask.bits[yy * w + xx] = 1 }
            }
        case let .oval(x, y, rw, rh):
            let cx = Double(x) + Double(rw) / 2, cy = Double(y) + Double(rh) / 2, rx = Double(rw) / 2, ry = Double(rh) / 2
            guard rx > 0, ry > 0 else { return }
            for yy in clipped(y - originY, y + rh - originY, h) {
                for xx in clipped(x - originX, x + rw - originX, w) {
                    let dx = (Double(xx + originX) + 0.5 - cx) / rx, dy = (Double(yy + originY) + 0.5 - cy) / ry
                    if dx * dx + dy * dy <= 1 { mask.bits[yy * w + xx] = 1 }
                }
            }
        case let .polygon(points):
            // Even–odd rule on pixel centres, one scan line per row.
            guard points.count >= 3 else { return }
            let ys = points.map(\.y)
            // Positions come from files: bounded before the integer arithmetic (no overflow).
            func pixel(_ v: Double) -> Int { Int(saturating: min(max(v, -1e9), 1e9)) }
            let y0 = max(0, pixel(ys.min()!.rounded(.down)) - originY), y1 = min(h - 1, pixel(ys.max()!.rounded(.up)) - originY)
            guard y0 <= y1 else { return }
            for yy in y0 ... y1 {
                let cy = Double(yy + originY) + 0.5
                var crossings = [Double]()
                for i in points.indices {
                    let a = points[i], b = points[(i + 1) % points.count]
                    if (a.y <= cy) != (b.y <= cy) { crossings.append(a.x + (cy - a.y) / (b.y - a.y) * (b.x - a.x)) }
                }
                crossings.sort()
                var k = 0
                while k + 1 < crossings.count {
                    // Pixel centres cx = xx + originX + 0.5 with crossings[k] <= cx < crossings[k + 1].
                    let lo = max(0, pixel((crossings[k] - 0.5).rounded(.up)) - originX)
                    let hi = min(w, pixel((crossings[k + 1] - 0.5).rounded(.up)) - originX)
                    if lo < hi { for xx in lo ..< hi { mask.bits[yy * w + xx] = 1 } }
                    k += 2
                }
            }
        case .polyline:
            return
        }
    }
}
