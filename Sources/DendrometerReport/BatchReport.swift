// report.html of a batch output folder (docs/REFERENCE.md §3): batch summary,
// failures, sortable per-image table, distributions, and one section per
// image with overlay thumbnail, metrics, depth profile, orientation rose and
// regions. Self-contained (inline SVG, base64 PNG thumbnails, inline CSS/JS), or with the
// thumbnails linked as files beside it for merges of thousands of images.

import DendrometerCore
import DendrometerIO
import Foundation

/// Writes `DIR/report.html` for a batch output folder.
public enum BatchReport {
    /// How report.html carries the overlay thumbnails.
    public enum Thumbnails: Sendable {
        /// Inside the page as base64 PNGs: one self-contained file (about 1 MB per image).
        case embedded
        /// As files beside the page (`thumbnails/<path>.png`, or the overlay itself when it is
        /// small enough), linked: the page stays small and its writer's memory does not grow with
        /// the pictures (merges of thousands of images).
        case linked
    }

    /// (Re)writes `directory/report.html` from the batch outputs in `directory`
    /// (`images.csv`, `regions.csv`, `failures.csv`, `json/`, `overlays/`), atomically
    /// (temporary file + rename).
    ///
    /// - Throws: ``ReportError`` when neither `images.csv` nor `failures.csv` exists,
    ///   a CSV is malformed, or the file cannot be written. A missing or unreadable
    ///   JSON document or overlay only leaves a note in that image's section.
    public static func write(directory: String, thumbnails: Thumbnails = .embedded) throws {
        let folder = try BatchFolder(directory: directory)
        let out = (directory as NSString).appendingPathComponent("report.html")
        // Streamed image section by image section: memory holds the tables, not the page.
        do {
            try AtomicFile.write(to: out) { (temp) throws(ImageIOError) in
                guard FileManager.default.createFile(atPath: temp, contents: nil), let fh = FileHandle(forWritingAtPath: temp) else {
                    throw ImageIOError(.writeFailed("cannot create \(temp)"), path: out)
                }
                defer { try? fh.close() }
                do {
                    try render(folder: folder, thumbnails: thumbnails) { try fh.write(contentsOf: Data($0.utf8)) }
                } catch {
                    throw ImageIOError(.writeFailed("\(error)"), path: out)
                }
            }
        } catch { throw ReportError.writeFailed("\(out): \(error)") }
    }

    /// The HTML text of the report for the batch folder `directory`.
    public static func render(directory: String, thumbnails: Thumbnails = .embedded) throws -> String {
        var html = ""
        try render(folder: try BatchFolder(directory: directory), thumbnails: thumbnails) { html += $0 }
        return html
    }

    /// Flat key → text of an image: its JSON document when readable, else its images.csv row.
    static func flat(_ doc: JSONValue?, row: [String], header: [String]) -> [String: String] {
        if let doc { return Dictionary(doc.flattened().map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }) }
        return Dictionary(zip(header, row).map { ($0, $1) }, uniquingKeysWith: { a, _ in a })
    }

    /// The image's JSON document named by the `json` column of its row, or nil.
    static func document(_ row: [String], folder: BatchFolder) -> JSONValue? {
        folder.images.value(row, "json").flatMap { JSONValue.read(folder.resolve($0)) }
    }

    /// The report of `folder`, handed to `emit` piece by piece (the page head with the tables,
    /// then one piece per image section, then the end): each image's document is read for the
    /// tables and again for its section, so only the tables' values stay in memory.
    static func render(folder: BatchFolder, thumbnails: Thumbnails, emit: (String) throws -> Void) throws {
        let directory = folder.directory
        let images = folder.images
        // Only the values the summary, the tables and the plots use are kept for every image.
        var kept: Set<String> = ["file", "morphology.label", "morphology.confidence", "calibration.source", "calibration.pixel_size_um",
                                 "penetration.short_circuit", "area_fraction", "orientation.lateral_fraction",
                                 "orientation.vertical_fraction", "orientation.coherence", "connectivity.holes", "skeleton.junctions",
                                 "tool_version", "settings_hash"]
        for depth in ["max", "p95", "front_mean"] { for unit in ["_um", "_px"] { kept.insert("penetration.\(depth)\(unit)") } }
        var flats = [[String: String]](), reviewReasons = [[String]](), hasReview = [Bool](), regionCounts = [Int]()
        for row in images.rows {
            let doc = document(row, folder: folder)
            flats.append(flat(doc, row: row, header: images.header).filter { kept.contains($0.key) })
            reviewReasons.append(doc?["quality"]?["review"]?.array?.compactMap(\.scalarText) ?? [])
            hasReview.append(!(doc?["quality"]?["review"]?.array?.isEmpty ?? true))
            regionCounts.append(doc?["regions"]?.array?.count ?? 0)
        }
        func num(_ i: Int, _ key: String) -> Double? { flats[i][key].flatMap(Double.init).flatMap { $0.isFinite ? $0 : nil } }
        // Units per image: µm where the image is calibrated, px columns beside them; plots of depth
        // use the calibrated images in µm (or, when none is, every image in px).
        let calibratedDepths = images.rows.indices.filter { num($0, "penetration.max_um") != nil }
        let plotMicrons = !calibratedDepths.isEmpty
        let depthUnit = plotMicrons ? "µm" : "px"
        let depthSuffix = plotMicrons ? "_um" : "_px"
        let title = "Dendrometer report — " + ((directory as NSString).standardizingPath.split(separator: "/").last.map(String.init) ?? directory)
        var body = "<h1>\(HTML.escape(title))</h1>\n"
        // A merge that lacks inputs of its run says so before anything else.
        if let missing = try? CSVTable.read(folder.resolve(missingTable)) {
            body += "<p class=\"warn\"><b>INCOMPLETE:</b> \(missing.rows.count) input\(missing.rows.count == 1 ? "" : "s") of this run "
                + "\(missing.rows.count == 1 ? "has" : "have") not been analysed by any shard yet (listed in \(missingTable)); "
                + "the tables and this report lack \(missing.rows.count == 1 ? "it" : "them").</p>\n"
        }

        // Summary
        let regionCount = folder.regions?.rows.count ?? regionCounts.reduce(0, +)
        let failureRows = folder.failures?.rows ?? []
        var labelCounts = [String: Int]()
        for f in flats { labelCounts[f["morphology.label"] ?? "–", default: 0] += 1 }
        let calibrated = images.rows.indices.filter { (flats[$0]["calibration.source"] ?? "none") != "none" && num($0, "calibration.pixel_size_um") != nil }.count
        let shorts = flats.filter { $0["penetration.short_circuit"] == "true" }.count
        body += "<h2>Batch summary</h2>\n"
        var summary: [[HTML.Cell]] = [
            [.text("images analysed"), .number(Double(images.rows.count))],
            [.text("failures"), .number(Double(failureRows.count))],
            [.text("regions"), .number(Double(regionCount))],
            [.text("calibrated (pixel size known)"), .number(Double(calibrated))],
            [.text("short circuits"), .number(Double(shorts))],
            [.text("to review (see below)"), .number(Double(hasReview.filter { $0 }.count))],
            [.text("morphology (images)"), .text(labelCounts.keys.sorted().map { "\($0): \(labelCounts[$0]!)" }.joined(separator: ", "))],
            [.text("lengths"), .text(calibratedDepths.count == images.rows.count
                ? "µm (every image calibrated); px columns beside them"
                : "µm for the \(calibratedDepths.count) calibrated image\(calibratedDepths.count == 1 ? "" : "s") (empty for the others); px for every image")],
        ]
        if let g = images.index(of: "group") {
            let groups = Set(images.rows.map { $0[g] }).sorted()
            summary.append([.text("groups"), .text(groups.joined(separator: ", "))])
        }
        body += "<table class=\"summary\"><tbody>" + summary.map { "<tr><td>\($0[0].html)</td><td>\($0[1].html)</td></tr>" }.joined() + "</tbody></table>\n"

        // Images a person should check, before anything else: each with the reasons the analysis gave.
        let reviews: [(index: Int, file: String, reasons: [String])] = images.rows.indices.compactMap { i in
            let reasons = reviewReasons[i]
            guard !reasons.isEmpty else { return nil }
            return (i, images.value(images.rows[i], "file") ?? flats[i]["file"] ?? "image \(i + 1)", reasons)
        }
        body += "<h2 id=\"review\">To review first (\(reviews.count))</h2>\n"
        if reviews.isEmpty {
            body += "<p>No image was flagged: nothing doubtful was seen.</p>\n"
        } else {
            body += "<p>The analysis was unsure about these images; each reason names the option that settles it.</p>\n"
            body += HTML.table(header: ["file", "why"], rows: reviews.map { r in
                [HTML.Cell(html: "<a href=\"#img-\(r.index + 1)\">\(HTML.escape(r.file))</a>", sortKey: nil),
                 HTML.Cell(html: "<ul>" + r.reasons.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>", sortKey: nil)]
            }, id: "review-table")
        }

        // Failures
        body += "<h2 id=\"failures\">Failures (\(failureRows.count))</h2>\n"
        if let failures = folder.failures, !failures.rows.isEmpty {
            body += HTML.table(header: ["file", "error"], rows: failures.rows.map { r in
                [.text(failures.value(r, "file") ?? ""), .text(failures.value(r, "error") ?? "")]
            }, id: "failures-table")
        } else {
            body += "<p>None.</p>\n"
        }

        // Per-image table
        let manifest = folder.manifestColumns
        let columns: [(String, String)] = [
            ("max depth (µm)", "penetration.max_um"), ("p95 depth (µm)", "penetration.p95_um"),
            ("front mean (µm)", "penetration.front_mean_um"), ("max depth (px)", "penetration.max_px"), ("area fraction", "area_fraction"),
            ("lateral fraction", "orientation.lateral_fraction"), ("vertical fraction", "orientation.vertical_fraction"),
            ("coherence", "orientation.coherence"), ("holes", "connectivity.holes"), ("junctions", "skeleton.junctions"),
            ("confidence", "morphology.confidence"),
        ]
        body += "<h2>Images (\(images.rows.count))</h2>\n<p>Click a column header to sort.</p>\n"
        var rows = [[HTML.Cell]]()
        for (i, row) in images.rows.enumerated() {
            var cells: [HTML.Cell] = [.number(Double(i + 1))]
            for m in manifest { cells.append(Double(images.value(row, m) ?? "x").map { .number($0) } ?? .text(images.value(row, m) ?? "")) }
            let file = images.value(row, "file") ?? flats[i]["file"] ?? "image \(i + 1)"
            cells.append(HTML.Cell(html: "<a href=\"#img-\(i + 1)\">\(HTML.escape(file))</a>", sortKey: nil))
            cells.append(.text(flats[i]["morphology.label"] ?? "–"))
            for (_, key) in columns { cells.append(.number(num(i, key))) }
            cells.append(.text(flats[i]["penetration.short_circuit"] ?? "–"))
            cells.append(.text(flats[i]["calibration.source"] ?? "–"))
            rows.append(cells)
        }
        body += HTML.table(header: ["#"] + manifest + ["file", "morphology"] + columns.map(\.0) + ["short circuit", "calibration"],
                           rows: rows, sortable: true, id: "images-table")

        // Distributions
        body += "<h2>Distributions</h2>\n<div class=\"figs\">\n"
        let series: [(title: String, axis: String, key: String)] = [
            ("Max depth (\(depthUnit))", "max depth beyond the interface (\(depthUnit))", "penetration.max" + depthSuffix),
            ("Area fraction", "dendrite share of the zone (0–1)", "area_fraction"),
            ("Lateral fraction", "share within the orientation tolerance (30° by default) of the interface (0–1)", "orientation.lateral_fraction"),
            ("Vertical fraction", "share within the orientation tolerance (30° by default) of the normal (0–1)", "orientation.vertical_fraction"),
        ]
        for (title, axis, key) in series {
            let values = images.rows.indices.compactMap { num($0, key) }
            let n = values.count < images.rows.count ? ", \(values.count) of \(images.rows.count) images" : ""
            body += HTML.histogram(values, title: title + n, xLabel: axis)
        }
        body += "</div>\n"

        body += provenance(flats: flats, folder: folder)

        // Per-image sections
        body += "<h2>Per image</h2>\n"
        try emit(HTML.pageHead(title: title) + body)
        for (i, row) in images.rows.enumerated() {
            let doc = document(row, folder: folder)
            let values = flat(doc, row: row, header: images.header)
            try emit(imageSection(index: i + 1, row: row, folder: folder, doc: doc, flat: values,
                                  useMicrons: values["penetration.max_um"].flatMap(Double.init) != nil, thumbnails: thumbnails))
        }
        try emit("<p style=\"color:#888;font-size:.8em\">Written by dendrometer report from \(HTML.escape(directory)).</p>\n" + HTML.pageTail)
    }

    /// How the numbers were made: the tool versions, the parameter sets (`parameters.json`, by
    /// `settings_hash`, shown in full) and where each image's input hash is.
    static func provenance(flats: [[String: String]], folder: BatchFolder) -> String {
        var s = "<h2 id=\"provenance\">How these numbers were made</h2>\n"
        let versions = Set(flats.compactMap { $0["tool_version"] }).sorted()
        let hashes = Set(flats.compactMap { $0["settings_hash"] }).sorted()
        s += "<p>Tool: \(versions.isEmpty ? "–" : versions.map(HTML.escape).joined(separator: ", ")). "
        s += "Every output field is defined in docs/metrics.md of the Dendrometer distribution (formula, unit, frame). "
        s += "Each image's input file hash (<code>input_hash</code>) and parameter-set hash (<code>settings_hash</code>) are in images.csv and in its section below.</p>\n"
        let path = folder.resolve("parameters.json")
        if let data = FileManager.default.contents(atPath: path), data.count <= maximumInlineParameterBytes {
            s += "<p>Parameter sets (\(hashes.count): \(hashes.map(HTML.escape).joined(separator: ", "))), as in <a href=\"parameters.json\">parameters.json</a>:</p>\n"
            s += "<details><summary>full parameter sets</summary><pre style=\"font-size:.8em\">\(HTML.escape(String(decoding: data, as: UTF8.self)))</pre></details>\n"
        } else {
            s += "<p>Parameter sets (\(hashes.count)): see <a href=\"parameters.json\">parameters.json</a>.</p>\n"
        }
        return s
    }

    /// parameters.json larger than this is linked, not shown in the page.
    static let maximumInlineParameterBytes = 256 << 10

    /// The table a merge writes while inputs of its run are missing (`BatchMerge.Incomplete.table`).
    static let missingTable = "missing.csv"

    /// Folder of the linked thumbnails, beside report.html.
    static let thumbnailFolder = "thumbnails"

    /// The path (relative to the folder) of the thumbnail of `overlay` (relative to the folder):
    /// the overlay itself when it is small enough, else `thumbnails/<path>.png`, written when absent
    /// or older than the overlay.
    static func linkedThumbnail(overlay: String, folder: BatchFolder) throws -> String {
        let source = folder.resolve(overlay)
        let name = overlay.hasPrefix("overlays/") ? String(overlay.dropFirst("overlays/".count)) : (overlay as NSString).lastPathComponent
        let target = "\(thumbnailFolder)/\(name)"
        let targetPath = folder.resolve(target)
        let fm = FileManager.default
        if let made = (try? fm.attributesOfItem(atPath: targetPath))?[.modificationDate] as? Date,
           let drawn = (try? fm.attributesOfItem(atPath: source))?[.modificationDate] as? Date, made >= drawn {
            return target
        }
        guard let png = try Thumbnail.reducedPNG(path: source) else { return overlay }
        do { try AtomicFile.write(png, to: targetPath) } catch { throw ReportError.writeFailed("\(targetPath): \(error)") }
        return target
    }

    /// One image's section: thumbnail, key metrics, all values, profile, rose, regions.
    static func imageSection(index: Int, row: [String], folder: BatchFolder, doc: JSONValue?, flat: [String: String], useMicrons: Bool,
                             thumbnails: Thumbnails = .embedded) -> String {
        let images = folder.images
        let file = images.value(row, "file") ?? flat["file"] ?? "image \(index)"
        var s = "<section class=\"image\" id=\"img-\(index)\">\n<h3>\(index). \(HTML.escape(file))</h3>\n"
        let manifest = folder.manifestColumns.compactMap { m in images.value(row, m).map { "\(m) = \($0)" } }
        if !manifest.isEmpty { s += "<p>\(HTML.escape(manifest.joined(separator: " · ")))</p>\n" }
        s += "<div class=\"figs\">\n"
        if let overlay = images.value(row, "overlay"), thumbnails == .linked {
            if let link = try? linkedThumbnail(overlay: overlay, folder: folder) {
                s += "<a href=\"\(HTML.escape(HTML.urlPath(overlay)))\"><img src=\"\(HTML.escape(HTML.urlPath(link)))\" alt=\"overlay of \(HTML.escape(file))\" loading=\"lazy\"></a>\n"
            } else {
                s += "<p class=\"warn\">overlay unavailable: \(HTML.escape(overlay))</p>\n"
            }
        } else if let overlay = images.value(row, "overlay") {
            if let uri = try? Thumbnail.dataURI(path: folder.resolve(overlay)) {
                // The thumbnail opens the full-size overlay beside the report.
                s += "<a href=\"\(HTML.escape(HTML.urlPath(overlay)))\" title=\"full-size overlay\"><img src=\"\(uri)\" alt=\"overlay of \(HTML.escape(file))\"></a>\n"
            } else {
                s += "<p class=\"warn\">overlay unavailable: \(HTML.escape(overlay))</p>\n"
            }
        }
        // Key metrics
        let keys: [(String, String)] = [
            ("size (px)", "width"), ("", "height"), ("pixel size (µm)", "calibration.pixel_size_um"), ("calibration source", "calibration.source"),
            ("phase", "phase"), ("anode side", "anode_side"),
            ("max depth (µm)", "penetration.max_um"), ("max depth (px)", "penetration.max_px"),
            ("p95 depth (µm)", "penetration.p95_um"), ("p95 depth (px)", "penetration.p95_px"),
            ("front mean (µm)", "penetration.front_mean_um"), ("front mean (px)", "penetration.front_mean_px"),
            ("short circuit", "penetration.short_circuit"), ("area fraction", "area_fraction"),
            ("skeleton length (µm)", "skeleton.length_um"), ("branches", "skeleton.branches"), ("junctions", "skeleton.junctions"),
            ("cycles", "skeleton.cycles"), ("mean width (µm)", "skeleton.mean_width_um"), ("mean tortuosity", "skeleton.mean_tortuosity"),
            ("dominant orientation (°)", "orientation.dominant_deg"), ("coherence", "orientation.coherence"),
            ("lateral fraction", "orientation.lateral_fraction"), ("vertical fraction", "orientation.vertical_fraction"),
            ("components", "connectivity.components"), ("holes", "connectivity.holes"),
            ("morphology", "morphology.label"), ("confidence", "morphology.confidence"),
        ]
        var metricRows = [[HTML.Cell]]()
        for (name, key) in keys where !name.isEmpty {
            var text: String
            if key == "width" {
                guard let w = flat["width"], let h = flat["height"] else { continue }
                text = "\(w) × \(h)"
            } else {
                guard let v = flat[key] else { continue }
                text = Double(v).map { HTML.format($0) } ?? (v.isEmpty ? "–" : v)
            }
            metricRows.append([.text(name), .text(text)])
        }
        s += "<div>" + HTML.table(header: ["metric", "value"], rows: metricRows) + "</div>\n"
        // Depth profile and rose, stacked in one column
        s += "<div>"
        if let profile = doc?.at("penetration.profile")?.array {
            let key = useMicrons ? "depth_um" : "depth_px"
            let pts = profile.compactMap { p -> (Double, Double)? in
                guard let d = p[key]?.number ?? p["depth_px"]?.number, let a = p["area_fraction"]?.number else { return nil }
                return (d, a)
            }
            let unit = useMicrons && profile.first?[key]?.number != nil ? "µm" : "px"
            s += HTML.linePlot(pts, title: "Depth profile", xLabel: "depth (\(unit))", yLabel: "area fraction")
        }
        // Rose
        var histogram = doc?.at("orientation.histogram")?.array?.compactMap(\.number) ?? []
        if histogram.isEmpty {
            histogram = (0 ..< OrientationHistogram.binCount).compactMap { flat["orientation.histogram.\(OrientationHistogram.binName($0))"].flatMap(Double.init) }
        }
        if !histogram.isEmpty { s += "<br>" + HTML.rose(histogram, title: "Orientation (0° = lateral)") }
        s += "</div></div>\n"
        // Regions
        var regionRows = [[HTML.Cell]]()
        let featureKeys = ["lateral_fraction", "vertical_fraction", "coherence", "holes", "mean_width_um", "taper"]
        if let regions = doc?["regions"]?.array {
            for r in regions {
                let bbox = r["bbox_px"]?.array?.compactMap(\.number).map { HTML.format($0) }.joined(separator: ", ") ?? "–"
                var cells: [HTML.Cell] = [.text(r["name"]?.scalarText ?? "–"), .text(bbox), .number(r["area_fraction"]?.number),
                                          .text(r["morphology"]?["label"]?.scalarText ?? "–"), .number(r["morphology"]?["confidence"]?.number)]
                for k in featureKeys { cells.append(.number(r["features"]?[k]?.number)) }
                regionRows.append(cells)
            }
        } else if let table = folder.regions {
            for r in table.rows where table.value(r, "file") == file {
                let bbox = ["bbox_x", "bbox_y", "bbox_w", "bbox_h"].map { table.value(r, $0) ?? "?" }.joined(separator: ", ")
                var cells: [HTML.Cell] = [.text(table.value(r, "region") ?? "–"), .text(bbox), .number(table.number(r, "area_fraction")),
                                          .text(table.value(r, "label") ?? "–"), .number(table.number(r, "confidence"))]
                for k in featureKeys { cells.append(.number(table.number(r, "features." + k))) }
                regionRows.append(cells)
            }
        }
        if !regionRows.isEmpty {
            let featureTitles = ["lateral fraction", "vertical fraction", "coherence", "holes", "mean width (µm)", "taper (base / tip width)"]
            s += "<h4>Regions</h4>\n" + HTML.table(header: ["region", "bbox (px: x, y, w, h)", "area fraction", "label", "confidence"] + featureTitles, rows: regionRows)
        }
        // Review reasons, warnings and every value
        if let reasons = doc?["quality"]?["review"]?.array, !reasons.isEmpty {
            s += "<p><b>Please check:</b></p><ul class=\"warn\">" + reasons.map { "<li>\(HTML.escape($0.scalarText ?? ""))</li>" }.joined() + "</ul>\n"
        }
        if let warnings = doc?["warnings"]?.array, !warnings.isEmpty {
            s += "<ul class=\"warn\">" + warnings.map { "<li>\(HTML.escape($0.scalarText ?? ""))</li>" }.joined() + "</ul>\n"
        }
        let all = doc?.flattened() ?? zip(images.header, row).map { (key: $0, value: $1) }
        s += "<details><summary>All values</summary>" + HTML.table(header: ["key", "value"], rows: all.map { [.text($0.key), .text($0.value)] }) + "</details>\n"
        return s + "</section>\n"
    }
}
