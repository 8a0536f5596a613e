// Rebuilds the batch CSV tables from the per-image records, and merges shard
// folders. Tables are always rebuilt whole, so rows are never duplicated or lost.
import Dendrometer
import Foundation

/// The CSV tables of a batch folder.
public enum BatchTables {
    /// Keys of the JSON record not flattened into images.csv: carried elsewhere (regions, dendrites,
    /// manifest), arrays of objects, the full parameter set (it stays in the JSON; `settings_hash`
    /// identifies it in the table), and `quality.edx_agreement`, which repeats `edx_agreement`.
    /// Top-level names, or dotted paths for nested keys.
    public static let skippedKeys: Set<String> = ["file", "manifest", "manifest_columns", "parameters", "regions", "dendrites",
                                           "relative_path", "quality.edx_agreement"]

    /// Objects that may be `null` in a record, with the columns they flatten to: a `null` one
    /// gives these columns empty, so no image row has a lone, always-empty column of the
    /// object's own name beside them.
    static let nullableObjects: [String: [String]] = [
        "data_bar": ["h", "source", "w", "x", "y"],
        "penetration.isolated_fragments": ["components", "farthest_offset_px", "farthest_offset_um", "pixels"],
        "quality.interface_substrate": ["grey", "grey_spread", "layer_px", "rising_px", "threshold"],
    ]

    /// Column names for the elements of numeric arrays whose position means something: the
    /// orientation histogram's bins by their edges (18 bins of 10° from the interface,
    /// `orientation.histogram.0_to_10_deg` …) and the skeleton's branch counts by skan type.
    static func elementName(_ path: String, _ index: Int) -> String {
        switch path {
        case "orientation.histogram":
            return "\(path).\(OrientationHistogram.binName(index))"
        default: return "\(path).\(index)"
        }
    }

    /// Names of skan's branch types 0–3 (`skeleton.branch_types` keys in the JSON).
    static let branchTypeNames = ["0": "0_endpoint_endpoint", "1": "1_junction_endpoint", "2": "2_junction_junction", "3": "3_cycle"]

    /// An ordered set of column names.
    struct Columns {
        var names: [String] = []
        var seen = Set<String>()
        mutating func add(_ n: String) { if seen.insert(n).inserted { names.append(n) } }
    }

    /// Flattens a JSON value into `(column, cell)` pairs: nested keys joined with `.`,
    /// numeric arrays as `key.0 … key.N` (or named by ``elementName(_:_:)``), string arrays
    /// joined with `; `, arrays of objects or arrays skipped; keys in `skipping` (top-level names
    /// or dotted paths) left out; a `null` ``nullableObjects`` entry as its empty columns.
    public static func flatten(_ v: JSONDocument, prefix: String = "", skipping: Set<String> = []) -> [(String, String)] {
        var out: [(String, String)] = []
        switch v {
        case let .object(members):
            for (k, m) in members {
                let path = prefix.isEmpty ? k : "\(prefix).\(k)"
                if skipping.contains(path) || (prefix.isEmpty && skipping.contains(k)) { continue }
                let name = prefix == "skeleton.branch_types" ? "\(prefix).\(branchTypeNames[k] ?? k)" : path
                out += flatten(m, prefix: name, skipping: skipping)
            }
        case let .array(items):
            if items.allSatisfy({ if case .string = $0 { return true }; return false }) {
                if !items.isEmpty || !prefix.isEmpty { out.append((prefix, items.map(\.cell).joined(separator: "; "))) }
            } else if items.allSatisfy({ switch $0 { case .number, .null, .bool: return true; default: return false } }) {
                for (i, x) in items.enumerated() { out.append((elementName(prefix, i), x.cell)) }
            }
        case .null:
            if let columns = nullableObjects[prefix] {
                for c in columns { out.append(("\(prefix).\(c)", "")) }
            } else {
                out.append((prefix, v.cell))
            }
        default:
            out.append((prefix, v.cell))
        }
        return out
    }

    /// The rows one per-image record contributes to the tables, read from its JSON.
    struct RecordRows {
        /// Manifest (column, value) pairs, in the manifest's order.
        var manifest: [(String, String)] = []
        /// images.csv cells by column.
        var cells: [(String, String)] = []
        /// regions.csv: the fixed cells (region, box, area fraction, label, confidence) and features.
        var regions: [(fixed: [String], features: [(String, String)])] = []
        /// dendrites.csv cells by column, one entry per dendrite.
        var dendrites: [[(String, String)]] = []
        /// The record's settings hash, for parameters.json.
        var settingsHash: String?

        init(_ doc: JSONDocument) {
            if case let .array(cols)? = doc["manifest_columns"] {
                for c in cols { if let name = c.stringValue { manifest.append((name, doc["manifest"]?[name]?.cell ?? "")) } }
            }
            cells = flatten(doc, skipping: skippedKeys)
            settingsHash = doc["settings_hash"]?.stringValue
            if case let .array(rs)? = doc["regions"] {
                for r in rs {
                    var bbox = ["", "", "", ""]
                    if case let .array(b)? = r["bbox_px"] { for (i, x) in b.prefix(4).enumerated() { bbox[i] = x.cell } }
                    let fixed = [r["name"]?.cell ?? ""] + bbox + [r["area_fraction"]?.cell ?? "",
                                 r["morphology"]?["label"]?.cell ?? "", r["morphology"]?["confidence"]?.cell ?? ""]
                    regions.append((fixed, r["features"].map { flatten($0, prefix: "features", skipping: ["features.area_fraction"]) } ?? []))
                }
            }
            if case let .array(ds)? = doc["dendrites"] {
                for d in ds {
                    var cells = flatten(d, skipping: ["bbox_px"])
                    if case let .array(b)? = d["bbox_px"] {
                        for (i, name) in ["bbox_x", "bbox_y", "bbox_w", "bbox_h"].enumerated() where i < b.count { cells.append((name, b[i].cell)) }
                    }
                    dendrites.append(cells)
                }
            }
        }
    }

    /// Rebuilds `images.csv`, `regions.csv`, `dendrites.csv`, `branches.csv`, `failures.csv` and
    /// `parameters.json` in `directory` from `json/<rel>.json`, `json/<rel>.branches.csv` and
    /// `failures/<rel>.txt`, for `relativePaths` (or every record in the folder). Rows are sorted
    /// by relative path (byte order).
    ///
    /// Two passes over the records, so memory does not grow with the number of images (a merge of
    /// thousands): the first collects the column sets (every record's columns make the header),
    /// the second streams every record's rows into the four tables, each written to a temporary
    /// file and renamed into place at the end.
    public static func rebuild(directory: String, relativePaths: [String]? = nil) throws(BatchError) -> BatchOutcome {
        let rels = (relativePaths ?? recordedPaths(in: directory))
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var manifestCols = Columns(), imageCols = Columns(), featureCols = Columns()
        // Dendrite columns in reading order (the JSON's keys are sorted); any others follow.
        var dendriteCols = Columns()
        for n in ["id", "counted", "isolated", "area_px", "area_um2", "max_depth_px", "max_depth_um", "base_width_px",
                  "base_width_um", "mean_width_px", "mean_width_um", "tortuosity", "orientation_deg", "branches",
                  "bbox_x", "bbox_y", "bbox_w", "bbox_h"] { dendriteCols.add(n) }
        var outcome = BatchOutcome()
        // The first record of each distinct parameter set (settings_hash), for parameters.json.
        var parameterSetRecords: [String: String] = [:]
        var analysed = [String]()
        func record(_ rel: String) throws(BatchError) -> RecordRows? {
            let jsonPath = "\(directory)/\(BatchRunner.Layout.json(rel))"
            guard let data = FileManager.default.contents(atPath: jsonPath) else { return nil }
            return RecordRows(try JSONDocument.parse(String(decoding: data, as: UTF8.self), path: jsonPath))
        }
        // Pass 1: columns, failures, parameter sets.
        for rel in rels {
            if let rows = try record(rel) {
                rows.manifest.forEach { manifestCols.add($0.0) }
                rows.cells.forEach { imageCols.add($0.0) }
                for r in rows.regions { r.features.forEach { featureCols.add($0.0) } }
                for d in rows.dendrites { d.forEach { dendriteCols.add($0.0) } }
                let jsonPath = "\(directory)/\(BatchRunner.Layout.json(rel))"
                if let hash = rows.settingsHash, parameterSetRecords[hash] == nil { parameterSetRecords[hash] = jsonPath }
                let branchPath = "\(directory)/\(BatchRunner.Layout.branches(rel))"
                guard FileManager.default.fileExists(atPath: branchPath) else {
                    throw .badRecord(branchPath, "missing branch table beside \(jsonPath); re-run the batch with --no-resume")
                }
                analysed.append(rel)
            } else if let data = FileManager.default.contents(atPath: "\(directory)/\(BatchRunner.Layout.failure(rel))") {
                let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                outcome.failures.append(.init(file: rel, error: lines.count >= 3 ? String(lines[2]) : "unknown error"))
            } else {
                outcome.failures.append(.init(file: rel, error: "not analysed (no record)"))
            }
        }
        // Pass 2: rows, streamed.
        let mcols = manifestCols.names
        func manifestCells(_ m: [(String, String)]) -> [String] {
            mcols.map { c in m.first { $0.0 == c }?.1 ?? "" }
        }
        let names = ["images.csv", "regions.csv", "dendrites.csv", "branches.csv"]
        var tables = [StreamedFile]()
        do {
            for name in names { tables.append(try StreamedFile(path: "\(directory)/\(name)")) }
        } catch {
            tables.forEach { $0.discard() }
            throw .writeFailed("\(directory)", error.reason)
        }
        let (images, regions, dendrites, branches) = (tables[0], tables[1], tables[2], tables[3])
        do {
            try images.write(CSV.line(mcols + ["file"] + imageCols.names + ["json", "overlay"]) + "\n")
            try regions.write(CSV.line(mcols + ["file", "region", "bbox_x", "bbox_y", "bbox_w", "bbox_h", "area_fraction", "label", "confidence"]
                + featureCols.names) + "\n")
            try dendrites.write(CSV.line(mcols + ["file"] + dendriteCols.names) + "\n")
            try branches.write(CSV.line(mcols + ["file"]) + "," + SkeletonBranchTable.header + "\n")
            for rel in analysed {
                guard let rows = try record(rel) else {
                    throw BatchError.badRecord("\(directory)/\(BatchRunner.Layout.json(rel))", "removed while the tables were rebuilt")
                }
                let prefix = manifestCells(rows.manifest) + [rel]
                let cells = Dictionary(rows.cells, uniquingKeysWith: { a, _ in a })
                let overlay = FileManager.default.fileExists(atPath: "\(directory)/\(BatchRunner.Layout.overlay(rel))") ? BatchRunner.Layout.overlay(rel) : ""
                try images.write(CSV.line(prefix + imageCols.names.map { cells[$0] ?? "" } + [BatchRunner.Layout.json(rel), overlay]) + "\n")
                outcome.imageRows += 1
                var chunk = ""
                for r in rows.regions {
                    let features = Dictionary(r.features, uniquingKeysWith: { a, _ in a })
                    chunk += CSV.line(prefix + r.fixed + featureCols.names.map { features[$0] ?? "" }) + "\n"
                    outcome.regionRows += 1
                }
                try regions.write(chunk)
                chunk = ""
                for d in rows.dendrites {
                    let dict = Dictionary(d, uniquingKeysWith: { a, _ in a })
                    chunk += CSV.line(prefix + dendriteCols.names.map { dict[$0] ?? "" }) + "\n"
                    outcome.dendriteRows += 1
                }
                try dendrites.write(chunk)
                chunk = ""
                let bdata = FileManager.default.contents(atPath: "\(directory)/\(BatchRunner.Layout.branches(rel))") ?? Data()
                let branchPrefix = CSV.line(prefix) + ","
                for line in try Self.branchLines(String(decoding: bdata, as: UTF8.self)) {
                    chunk += branchPrefix; chunk += line; chunk += "\n"
                    outcome.branchRows += 1
                }
                try branches.write(chunk)
            }
            for t in tables { try t.commit() }
        } catch let e as BatchError {
            tables.forEach { $0.discard() }
            throw e
        } catch let e as ImageIOError {
            tables.forEach { $0.discard() }
            throw .writeFailed(e.path, e.reason)
        } catch {
            tables.forEach { $0.discard() }
            throw .writeFailed(directory, "\(error)")
        }
        try write(CSV.table(header: ["file", "error"], rows: outcome.failures.map { [$0.file, $0.error] }), to: "\(directory)/failures.csv")
        try writeParameterSets(parameterSetRecords, to: "\(directory)/parameters.json")
        return outcome
    }

    /// Writes `parameters.json`: for every `settings_hash` in the tables, the tool version and the
    /// full parameter set that produced those rows, copied from the first record made with it, so
    /// each table row can be traced to the exact settings (`images.csv` carries `settings_hash`,
    /// `tool_version` and `input_hash`; the other tables join on `file`).
    static func writeParameterSets(_ records: [String: String], to path: String) throws(BatchError) {
        var sets: [String: Any] = [:]
        for (hash, jsonPath) in records {
            guard let data = FileManager.default.contents(atPath: jsonPath),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { continue }
            sets[hash] = ["tool_version": object["tool_version"] ?? NSNull(), "parameters": object["parameters"] ?? NSNull()]
        }
        let data: Data
        do { data = try JSONSerialization.data(withJSONObject: sets, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) } catch {
            throw .writeFailed(path, "\(error)")
        }
        try write(String(decoding: data, as: UTF8.self) + "\n", to: path)
    }

    /// The data lines of a per-image branch table, as CSV text (header dropped).
    /// Lines without quotes are taken as they are (the common, all-numeric case).
    static func branchLines(_ text: String) throws(BatchError) -> [String] {
        if !text.contains("\"") {
            return text.split(separator: "\n", omittingEmptySubsequences: true).dropFirst().map {
                $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
            }
        }
        do { return try CSV.parse(text).dropFirst().map(CSV.line) } catch {
            throw .badRecord("branches table", "\(error)")
        }
    }

    static func write(_ text: String, to path: String) throws(BatchError) {
        do { try AtomicFile.write(text: text, to: path) } catch { throw .writeFailed(path, error.reason) }
    }

    /// Every relative path with a record (`json/<rel>.json` or `failures/<rel>.txt`) in `directory`.
    public static func recordedPaths(in directory: String) -> [String] {
        var rels = Set<String>()
        for (sub, suffix) in [("json", ".json"), ("failures", ".txt")] {
            let root = "\(directory)/\(sub)"
            for p in (try? FileManager.default.subpathsOfDirectory(atPath: root)) ?? [] {
                let name = (p as NSString).lastPathComponent
                guard !name.hasPrefix("."), p.hasSuffix(suffix) else { continue }
                rels.insert(String(p.dropLast(suffix.count)))
            }
        }
        return Array(rels)
    }
}

/// Joins shard output folders.
public enum BatchMerge {
    /// Names of the files that mark a merged folder incomplete (removed once it is complete).
    public enum Incomplete {
        /// `missing.csv`: one row (`file`) per input of the run without any record.
        public static let table = "missing.csv"
        /// `INCOMPLETE.txt`: says how many inputs are missing and how to finish the run.
        public static let marker = "INCOMPLETE.txt"
    }

    /// Copies the per-image records (json, branch tables, overlays, failure records)
    /// of `directories` into `output` and rebuilds its tables, so the result equals
    /// one run over all inputs. A success in any folder wins over a failure record.
    ///
    /// With `run` (the record of a sharded run), only the run's inputs are merged and every
    /// input no folder holds a record of is listed in ``BatchOutcome/missing``, in
    /// `output/missing.csv`, and `output/INCOMPLETE.txt` marks the folder; both are removed by a
    /// later merge that finds every input. Shard folders that do not exist yet (a task that
    /// never started) are skipped: their inputs are missing.
    /// - Throws: ``BatchError/noSuchInput(_:)`` for a folder that is not a batch output.
    public static func merge(_ directories: [String], into output: String, run: BatchRun? = nil) throws(BatchError) -> BatchOutcome {
        let outAbs = BatchInputs.absolute(output)
        let wanted = run.map { Set($0.inputs) }
        var all = Set<String>()
        var succeeded = Set<String>()
        do throws(OutputFolderError) { try OutputFolder.create("\(output)/json") } catch {
            throw .writeFailed(output, error.reason)
        }
        for dir in directories {
            if run != nil && !FileManager.default.fileExists(atPath: dir) { continue }
            guard BatchInputs.isDirectory(dir), ["json", "failures"].contains(where: { BatchInputs.isDirectory("\(dir)/\($0)") })
                    || FileManager.default.fileExists(atPath: "\(dir)/images.csv") else {
                throw .noSuchInput("\(dir) (expected a batch output folder with json/ or failures/)")
            }
            let rels = BatchTables.recordedPaths(in: dir).filter { wanted?.contains($0) ?? true }
            for rel in rels { all.insert(rel) }
            guard BatchInputs.absolute(dir) != outAbs else {
                for rel in rels where FileManager.default.fileExists(atPath: "\(dir)/\(BatchRunner.Layout.json(rel))") { succeeded.insert(rel) }
                continue
            }
            for rel in rels {
                let json = BatchRunner.Layout.json(rel)
                if FileManager.default.fileExists(atPath: "\(dir)/\(json)") {
                    // json last: it marks the record complete.
                    for f in [BatchRunner.Layout.branches(rel), BatchRunner.Layout.overlay(rel)] + BatchRunner.Layout.masks(rel) + [json] {
                        try copy("\(dir)/\(f)", "\(output)/\(f)")
                    }
                    try? FileManager.default.removeItem(atPath: "\(output)/\(BatchRunner.Layout.failure(rel))")
                    succeeded.insert(rel)
                } else if !succeeded.contains(rel) {
                    let f = BatchRunner.Layout.failure(rel)
                    try copy("\(dir)/\(f)", "\(output)/\(f)")
                }
            }
        }
        // Records the output folder already holds (an earlier merge) count as well.
        if let wanted {
            for rel in BatchTables.recordedPaths(in: output) where wanted.contains(rel) { all.insert(rel) }
        }
        var outcome = try BatchTables.rebuild(directory: output, relativePaths: Array(all))
        outcome.total = run?.inputs.count ?? all.count
        outcome.missing = run?.inputs.filter { !all.contains($0) } ?? []
        try markCompleteness(output, missing: outcome.missing, of: outcome.total)
        return outcome
    }

    /// Writes (or, when `missing` is empty, removes) `missing.csv` and `INCOMPLETE.txt` in `output`.
    static func markCompleteness(_ output: String, missing: [String], of total: Int) throws(BatchError) {
        let table = "\(output)/\(Incomplete.table)", marker = "\(output)/\(Incomplete.marker)"
        guard !missing.isEmpty else {
            try? FileManager.default.removeItem(atPath: marker)
            try? FileManager.default.removeItem(atPath: table)
            return
        }
        try BatchTables.write(CSV.table(header: ["file"], rows: missing.map { [$0] }), to: table)
        try BatchTables.write("""
            INCOMPLETE: \(missing.count) of \(total) inputs of this run have not been analysed by any shard yet \
            (listed in \(Incomplete.table)); the tables here lack them. Resubmit the shards that did not finish \
            (the same command), then merge again.

            """, to: marker)
    }

    static func copy(_ from: String, _ to: String) throws(BatchError) {
        guard let data = FileManager.default.contents(atPath: from) else { return }
        do { try AtomicFile.write(Array(data), to: to) } catch { throw .writeFailed(to, error.reason) }
    }
}
