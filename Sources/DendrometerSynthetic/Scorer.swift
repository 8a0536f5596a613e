// Scores analysis JSON documents (docs/REFERENCE.md §3) against synthetic truth.
//
// Criteria (issue 4, "Done when"):
// - calibration read: `calibration.pixel_size_um` within 1 % of the pixel size
//   the file states (both null for an uncalibrated file);
// - anode side: `anode_side` equal;
// - max / p95 depth: `penetration.max_px` / `p95_px` within max(4 px, 5 % of truth);
// - region labels: for each truth region, the result region of the same
//   `name` has the same `morphology.label` (a missing region is a miss);
// - short circuit (informational): `penetration.short_circuit` equal.

import DendrometerCore
import Foundation

/// Right / total counts for one criterion.
public struct Tally: Sendable, Equatable {
    /// Cases judged right.
    public var right = 0
    /// Cases judged.
    public var total = 0
    /// A tally of `right` out of `total`.
    public init(right: Int = 0, total: Int = 0) { self.right = right; self.total = total }
    /// Percentage right (100 when nothing was judged).
    public var percent: Double { total == 0 ? 100 : 100 * Double(right) / Double(total) }
    mutating func add(_ ok: Bool) { total += 1; if ok { right += 1 } }
}

/// The outcome of scoring a results folder against a truth folder.
public struct ScoreReport: Sendable, Equatable {
    /// Scenes with a truth document.
    public var scenes = 0
    /// Scenes for which a result document was found.
    public var matched = 0
    /// Pixel size read within 1 % (or null for an uncalibrated file).
    public var calibration = Tally()
    /// Anode side right.
    public var anodeSide = Tally()
    /// `penetration.max_px` within max(4 px, 5 %).
    public var maxDepth = Tally()
    /// `penetration.p95_px` within max(4 px, 5 %).
    public var p95Depth = Tally()
    /// Region labels right, one case per truth region, matched by name.
    public var regionLabels = Tally()
    /// `penetration.short_circuit` right (informational).
    public var shortCircuit = Tally()
    /// Mean absolute depth errors over matched scenes, px.
    public var meanAbsMaxErrorPx = 0.0, meanAbsP95ErrorPx = 0.0
    /// One line per scene with at least one miss: `stem: what was wrong`.
    public var misses: [String] = []

    /// The printed report.
    public var text: String {
        func row(_ name: String, _ t: Tally) -> String {
            name.padding(toLength: 28, withPad: " ", startingAt: 0) + "\(t.right)/\(t.total)".padding(toLength: 10, withPad: " ", startingAt: 0)
                + String(format: "%6.1f %%", t.percent)
        }
        var out = "scenes: \(scenes) (results found for \(matched))\n"
        out += row("calibration read", calibration) + "\n"
        out += row("anode side right", anodeSide) + "\n"
        out += row("max depth within tol", maxDepth) + String(format: "   mean |error| %.2f px", meanAbsMaxErrorPx) + "\n"
        out += row("p95 depth within tol", p95Depth) + String(format: "   mean |error| %.2f px", meanAbsP95ErrorPx) + "\n"
        out += row("region labels right", regionLabels) + "\n"
        out += row("short circuit right", shortCircuit) + "\n"
        out += "tolerance for depths: max(4 px, 5 % of truth); calibration: 1 %\n"
        if misses.isEmpty { out += "misses: none\n" } else { out += "misses:\n" + misses.map { "  " + $0 }.joined(separator: "\n") + "\n" }
        return out
    }
}

/// Compares analysis documents with truth documents.
public enum Scorer {
    /// Whether `result` is within max(4 px, 5 %) of `truth`.
    public static func depthWithinTolerance(_ result: Double, truth: Double) -> Bool {
        abs(result - truth) <= max(4, 0.05 * abs(truth))
    }

    /// Scores in-memory documents. `truths` maps a scene stem to its truth document,
    /// `results` a stem to its analysis document (absent = no result).
    public static func score(truths: [String: JSONValue], results: [String: JSONValue]) -> ScoreReport {
        var r = ScoreReport()
        var maxErr = 0.0, p95Err = 0.0, nMax = 0, nP95 = 0
        for stem in truths.keys.sorted() {
            let t = truths[stem]!
            r.scenes += 1
            var why: [String] = []
            let regions = t["regions"]?.array ?? []
            guard let res = results[stem] else {
                r.calibration.add(false); r.anodeSide.add(false); r.maxDepth.add(false); r.p95Depth.add(false); r.shortCircuit.add(false)
                for _ in regions { r.regionLabels.add(false) }
                r.misses.append("\(stem): no result document")
                continue
            }
            r.matched += 1
            // Calibration.
            let tp = t.at("calibration.pixel_size_um")?.double
            let rp = res.at("calibration.pixel_size_um")?.double
            let calOK: Bool
            switch (tp, rp) {
            case (nil, nil): calOK = true
            case (let a?, let b?): calOK = abs(a - b) <= 0.01 * a
            default: calOK = false
            }
            r.calibration.add(calOK)
            if !calOK { why.append("pixel_size_um \(fmt(rp)) vs truth \(fmt(tp))") }
            // Anode side.
            let ts = t["anode_side"]?.string, rs = res["anode_side"]?.string
            r.anodeSide.add(ts != nil && ts == rs)
            if ts == nil || ts != rs { why.append("anode_side \(rs ?? "null") vs truth \(ts ?? "null")") }
            // Depths.
            for (key, isMax) in [("max_px", true), ("p95_px", false)] {
                let tv = t.at("penetration.\(key)")?.double, rv = res.at("penetration.\(key)")?.double
                var ok = false
                if let tv, let rv {
                    ok = depthWithinTolerance(rv, truth: tv)
                    if isMax { maxErr += abs(rv - tv); nMax += 1 } else { p95Err += abs(rv - tv); nP95 += 1 }
                }
                if isMax { r.maxDepth.add(ok) } else { r.p95Depth.add(ok) }
                if !ok { why.append("\(key) \(fmt(rv)) vs truth \(fmt(tv)) (tol \(fmt(tv.map { max(4, 0.05 * $0) })))") }
            }
            // Short circuit.
            let tsc = t.at("penetration.short_circuit")?.bool, rsc = res.at("penetration.short_circuit")?.bool
            r.shortCircuit.add(tsc != nil && tsc == rsc)
            if tsc == nil || tsc != rsc { why.append("short_circuit \(rsc.map(String.init) ?? "null") vs truth \(tsc.map(String.init) ?? "null")") }
            // Regions by name.
            let resRegions = res["regions"]?.array ?? []
            for tr in regions {
                guard let name = tr["name"]?.string else { continue }
                let tl = tr.at("morphology.label")?.string ?? tr["label"]?.string
                let match = resRegions.first { $0["name"]?.string == name }
                let rl = match?.at("morphology.label")?.string ?? match?["label"]?.string
                let ok = tl != nil && tl == rl
                r.regionLabels.add(ok)
                if !ok { why.append("region \(name): \(rl ?? (match == nil ? "missing" : "null")) vs truth \(tl ?? "null")") }
            }
            if !why.isEmpty { r.misses.append("\(stem): " + why.joined(separator: "; ")) }
        }
        r.meanAbsMaxErrorPx = nMax == 0 ? 0 : maxErr / Double(nMax)
        r.meanAbsP95ErrorPx = nP95 == 0 ? 0 : p95Err / Double(nP95)
        return r
    }

    private static func fmt(_ v: Double?) -> String {
        guard let v else { return "null" }
        return String(format: "%.4g", v)
    }

    /// Reads every `*.truth.json` in `truthDir` (not recursive) and every other
    /// `*.json` under `resultsDir` (recursive), matches them by stem, and scores.
    ///
    /// A result `X.json`, `X.<ext>.json` (ext tif, tiff, png, bmp) or any document
    /// whose `file` names `X.<ext>` matches truth `X.truth.json`.
    ///
    /// - Throws: ``SyntheticError/io(_:)`` when a folder or a document cannot be read
    ///   or the truth folder holds no truth document.
    public static func score(truthDir: String, resultsDir: String) throws(SyntheticError) -> ScoreReport {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: truthDir) else { throw .io("cannot read the truth folder \(truthDir)") }
        var truths: [String: JSONValue] = [:]
        for n in names.sorted() where n.hasSuffix(".truth.json") {
            truths[String(n.dropLast(".truth.json".count))] = try load((truthDir as NSString).appendingPathComponent(n))
        }
        guard !truths.isEmpty else { throw .io("no *.truth.json in \(truthDir)") }
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: resultsDir, isDirectory: &isDir), isDir.boolValue,
              let walker = fm.enumerator(atPath: resultsDir) else { throw .io("cannot read the results folder \(resultsDir)") }
        var results: [String: JSONValue] = [:]
        let imageExts = ["tif", "tiff", "png", "bmp"]
        func stem(_ name: String) -> String {
            let s = (name as NSString).deletingPathExtension
            return imageExts.contains((s as NSString).pathExtension.lowercased()) ? (s as NSString).deletingPathExtension : s
        }
        var paths: [String] = []
        while let rel = walker.nextObject() as? String { if rel.hasSuffix(".json") && !rel.hasSuffix(".truth.json") { paths.append(rel) } }
        for rel in paths.sorted() {
            let name = (rel as NSString).lastPathComponent
            guard let doc = try? load((resultsDir as NSString).appendingPathComponent(rel)), doc["penetration"] != nil || doc["anode_side"] != nil else { continue }
            var keys = [stem(name)]
            if let f = doc["file"]?.string { keys.append((((f as NSString).lastPathComponent) as NSString).deletingPathExtension) }
            for k in keys where truths[k] != nil && results[k] == nil { results[k] = doc }
        }
        return score(truths: truths, results: results)
    }

    private static func load(_ path: String) throws(SyntheticError) -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path) else { throw .io("cannot read \(path)") }
        do { return try JSONValue.parse(data) } catch { throw .io("\(path): not valid JSON (\(error.localizedDescription))") }
    }
}
