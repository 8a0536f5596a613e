// Input discovery: folders (recursive), files, fnmatch globs and a manifest
// CSV; EDX maps beside images (`<stem>_<Element>.<ext>`) are attached to them.
import Dendrometer
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One image to analyse.
public struct BatchItem: Sendable, Equatable {
    /// Path as found (absolute or relative to the working directory).
    public var path: String
    /// Path relative to the input folder it was found under (unique within a batch);
    /// names the outputs `json/<relativePath>.json`, `overlays/<relativePath>.png`.
    public var relativePath: String
    /// EDX maps by element symbol.
    public var edx: [String: String]
    /// Manifest columns, in manifest order (empty without a manifest).
    public var manifest: [(String, String)]
    /// Why this entry cannot be analysed, found during discovery (an unreadable folder); it
    /// becomes a failure row without being opened.
    public var problem: String?

    public static func == (a: BatchItem, b: BatchItem) -> Bool {
        a.path == b.path && a.relativePath == b.relativePath && a.edx == b.edx && a.problem == b.problem
            && a.manifest.map(\.0) == b.manifest.map(\.0) && a.manifest.map(\.1) == b.manifest.map(\.1)
    }

    /// A manifest value, or `nil` when absent or empty.
    public func manifestValue(_ column: String) -> String? {
        manifest.first { $0.0 == column }.map(\.1).flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// Finds the images of a batch.
public enum BatchInputs {
    /// Extensions treated as images even when their content is not (so a corrupt
    /// `.tif` is reported as a failure rather than silently ignored).
    static let imageExtensions: Set<String> = ["tif", "tiff", "png", "bmp"]

    /// Suffixes of Dendrometer's own outputs, never analysed.
    static let ownOutputSuffixes = [".overlay.png", ".mask.png", ".mask.tif", ".skeleton.tif", ".screenshot.png"]

    /// Whether `name` looks like an element symbol: 1–2 letters, first upper-case, second lower-case.
    static func isElementSymbol(_ s: Substring) -> Bool {
        let u = Array(s.unicodeScalars)
        guard (1 ... 2).contains(u.count), u.allSatisfy({ $0.isASCII && CharacterSet.letters.contains($0) }) else { return false }
        return CharacterSet.uppercaseLetters.contains(u[0]) && (u.count == 1 || CharacterSet.lowercaseLetters.contains(u[1]))
    }

    /// What `path` is when it exists but is not a regular file or a folder (after following
    /// symbolic links): "a named pipe", "a character device", "a block device", "a socket";
    /// nil for regular files, folders and paths that cannot be examined. Such entries are never
    /// opened: a pipe blocks the reader, `/dev/zero` never ends.
    public static func specialFileKind(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        switch st.st_mode & S_IFMT {
        case S_IFREG, S_IFDIR: return nil
        case S_IFIFO: return "a named pipe"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
    }

    /// Whether the file content starts like TIFF, PNG or BMP.
    static func sniffsAsImage(_ path: String) -> Bool {
        if specialFileKind(path) != nil { return false }
        guard let fh = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? fh.close() }
        let head = (try? fh.read(upToCount: 8)) ?? Data()
        return ImageFormatSniffer.format(of: Array(head)) != nil
    }

    static func isDirectory(_ path: String) -> Bool {
        var d: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &d) && d.boolValue
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// A candidate found while scanning a folder: an image by content, or by extension.
    static func isCandidate(_ path: String, excluding outDir: String?) -> Bool {
        let name = (path as NSString).lastPathComponent
        if name.hasPrefix(".") { return false }
        if ownOutputSuffixes.contains(where: { name.lowercased().hasSuffix($0) }) { return false }
        if let outDir, absolute(path).hasPrefix(outDir + "/") { return false }
        // Pipes, devices and sockets become failure rows (never opened), so nothing is silently lost.
        if specialFileKind(path) != nil { return true }
        return sniffsAsImage(path) || imageExtensions.contains((name as NSString).pathExtension.lowercased())
    }

    /// Paths under `dir` relative to it, recursively (folders included), and the folders that
    /// could not be listed. Symbolic links to folders are followed once per real folder (a link
    /// loop ends there).
    static func listing(_ dir: String) -> (names: [String], unreadable: [(rel: String, reason: String)]) {
        var names = [String](), unreadable = [(rel: String, reason: String)]()
        var visited = Set<String>()
        func visit(_ rel: String) {
            let path = rel.isEmpty ? dir : (dir as NSString).appendingPathComponent(rel)
            let real = (path as NSString).resolvingSymlinksInPath
            guard visited.insert(real).inserted else { return }
            let entries: [String]
            do { entries = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
                unreadable.append((rel.isEmpty ? "." : rel, (error as NSError).localizedFailureReason ?? "cannot list the folder"))
                return
            }
            for name in entries.sorted() {
                let child = rel.isEmpty ? name : (rel as NSString).appendingPathComponent(name)
                names.append(child)
                if isDirectory((dir as NSString).appendingPathComponent(child)) { visit(child) }
            }
        }
        visit("")
        return (names, unreadable)
    }

    /// Files under `dir`, recursively, sorted, as (path, path relative to dir); folders that
    /// cannot be listed come back as problems (path, relative path, reason).
    static func walk(_ dir: String, excluding outDir: String?) -> [(String, String)] {
        walkReporting(dir, excluding: outDir).files
    }

    static func walkReporting(_ dir: String, excluding outDir: String?) -> (files: [(String, String)], problems: [(String, String, String)]) {
        let (names, unreadable) = listing(dir)
        let problems = unreadable.map { u in ((dir as NSString).appendingPathComponent(u.rel), u.rel, "cannot read the folder: \(u.reason)") }
        // Earlier batch output folders (json/ beside images.csv or failures.csv) are never inputs.
        let outputRoots = names.compactMap { rel -> String? in
            let name = (rel as NSString).lastPathComponent
            guard name == "images.csv" || name == "failures.csv" else { return nil }
            let root = (rel as NSString).deletingLastPathComponent
            return isDirectory((dir as NSString).appendingPathComponent((root as NSString).appendingPathComponent("json"))) ? root : nil
        }
        var out: [(String, String)] = []
        for rel in names.sorted() {
            if rel.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            if outputRoots.contains(where: { $0.isEmpty || rel.hasPrefix($0 + "/") }) { continue }
            let p = (dir as NSString).appendingPathComponent(rel)
            if isDirectory(p) { continue }
            if let outDir, absolute(p) == outDir || absolute(p).hasPrefix(outDir + "/") { continue }
            if isCandidate(p, excluding: outDir) { out.append((p, rel)) }
        }
        return (out, problems)
    }

    /// Expands a glob (`*`, `?`, `[...]` per path component, fnmatch rules) to existing paths, sorted.
    static func expandGlob(_ pattern: String) -> [String] {
        let absoluteStart = pattern.hasPrefix("/")
        var current = [absoluteStart ? "/" : ""]
        for comp in pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init) {
            var next: [String] = []
            let isPattern = comp.contains(where: { "*?[".contains($0) })
            for base in current {
                let dir = base.isEmpty ? "." : base
                let join: (String) -> String = { base.isEmpty ? $0 : (base as NSString).appendingPathComponent($0) }
                if isPattern {
                    guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
                    for n in names.sorted() where !n.hasPrefix(".") || comp.hasPrefix(".") {
                        if fnmatch(comp, n, 0) == 0 { next.append(join(n)) }
                    }
                } else if FileManager.default.fileExists(atPath: join(comp)) {
                    next.append(join(comp))
                }
            }
            current = next
        }
        return current.filter { !$0.isEmpty }.sorted()
    }

    /// The images named by `inputs` (folders, files, globs) and `manifest`, sorted by
    /// relative path, EDX maps attached, `outputDirectory` excluded.
    ///
    /// - Throws: ``BatchError/noSuchInput(_:)`` for an input that names nothing;
    ///   ``BatchError/badManifest(_:)``.
    public static func discover(_ inputs: [String], manifest: String? = nil, outputDirectory: String? = nil) throws(BatchError) -> [BatchItem] {
        let outDir = outputDirectory.map(absolute)
        // (path, relative path, explicit) in discovery order.
        var found: [(path: String, rel: String, manifest: [(String, String)], edx: [String: String])] = []
        var problems: [(path: String, rel: String, reason: String)] = []
        func addFile(_ p: String) { found.append((p, (p as NSString).lastPathComponent, [], [:])) }
        func addFolder(_ d: String) {
            let (files, bad) = walkReporting(d, excluding: outDir)
            for (p, rel) in files { found.append((p, rel, [], [:])) }
            problems += bad.map { (path: $0.0, rel: $0.1, reason: $0.2) }
        }
        // Manifest rows first: a manifest row wins over the same file found in a folder.
        var manifestPaths = Set<String>()
        if let manifest {
            for row in try Manifest.read(manifest) {
                manifestPaths.insert(absolute(row.path))
                found.append((row.path, row.relativePath, row.columns, row.edx))
            }
        }
        for input in inputs {
            if isDirectory(input) {
                addFolder(input)
            } else if FileManager.default.fileExists(atPath: input) {
                addFile(input)
            } else if input.contains(where: { "*?[".contains($0) }) {
                let matches = expandGlob(input)
                if matches.isEmpty { throw .noSuchInput(input) }
                for m in matches {
                    if isDirectory(m) {
                        addFolder(m)
                    } else if isCandidate(m, excluding: outDir) {
                        addFile(m)
                    }
                }
            } else {
                throw .noSuchInput(input)
            }
        }
        // EDX maps beside images: <stem>_<El>.<ext> in the image's folder, where <stem>.<ext2> is the image.
        var listings: [String: [String]] = [:]
        var mapsOf: [String: [String: String]] = [:]
        var isMap = Set<String>()
        for f in found {
            let a = absolute(f.path)
            let stem = ((a as NSString).lastPathComponent as NSString).deletingPathExtension
            // Beside the image, or in an `edx/` folder beside it (as in samples/).
            for sub in ["", "edx"] {
                let dir = ((a as NSString).deletingLastPathComponent as NSString).appendingPathComponent(sub)
                if listings[dir] == nil { listings[dir] = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }
                for name in listings[dir]! where name.hasPrefix(stem + "_") {
                    let rest = name.dropFirst(stem.count + 1)
                    guard let dot = rest.firstIndex(of: "."), isElementSymbol(rest[..<dot]) else { continue }
                    let mapPath = (dir as NSString).appendingPathComponent(name)
                    guard mapPath != a, !manifestPaths.contains(mapPath), isCandidate(mapPath, excluding: outDir) else { continue }
                    // Keep the path spelled like the image's own path; a map beside wins over one in edx/.
                    let spelled = (((f.path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(sub) as NSString).appendingPathComponent(name)
                    if mapsOf[a]?[String(rest[..<dot])] == nil { mapsOf[a, default: [:]][String(rest[..<dot])] = spelled }
                    isMap.insert(mapPath)
                }
            }
        }
        var items: [BatchItem] = []
        var seen = Set<String>()
        var taken = Set<String>()
        for f in found {
            let a = absolute(f.path)
            if isMap.contains(a) { continue }
            if seen.contains(a) { continue }
            seen.insert(a)
            var rel = f.rel
            if taken.contains(rel) {
                var n = 2
                let ext = (rel as NSString).pathExtension, stem = (rel as NSString).deletingPathExtension
                while taken.contains("\(stem)~\(n)\(ext.isEmpty ? "" : ".\(ext)")") { n += 1 }
                rel = "\(stem)~\(n)\(ext.isEmpty ? "" : ".\(ext)")"
            }
            taken.insert(rel)
            var edx = mapsOf[a] ?? [:]
            for (k, v) in f.edx { edx[k] = v }
            items.append(BatchItem(path: f.path, relativePath: rel, edx: edx, manifest: f.manifest))
        }
        for p in problems where !taken.contains(p.rel) {
            taken.insert(p.rel)
            items.append(BatchItem(path: p.path, relativePath: p.rel, edx: [:], manifest: [], problem: p.reason))
        }
        return items.sorted { $0.relativePath.utf8.lexicographicallyPrecedes($1.relativePath.utf8) }
    }
}

/// A manifest CSV (docs/REFERENCE.md §2).
public enum Manifest {
    /// One manifest row.
    public struct Row: Sendable {
        /// The image path, resolved against the manifest's folder.
        public var path: String
        /// Relative path used for outputs (the `image` value when relative, else the file name).
        public var relativePath: String
        /// All columns except `image` and `edx:*`, in header order.
        public var columns: [(String, String)]
        /// EDX maps from `edx:<Element>` columns, resolved against the manifest's folder.
        public var edx: [String: String]
    }

    /// Columns naming a file per image, resolved against the manifest's folder: a trained
    /// model (`model`) or an external mask (`mask`) segments that image.
    public static let fileColumns: Set<String> = ["model", "mask"]

    /// Columns the output tables write themselves; a manifest column of the same name would
    /// duplicate a header (and its value would hide the tool's).
    public static let reservedColumns: Set<String> = ["file", "json", "overlay", "input_hash", "settings_hash",
                                                      "relative_path", "manifest", "manifest_columns"]
    /// Most columns a manifest may have (every output row repeats them).
    public static let maximumColumns = 1000
    /// Largest manifest file, bytes.
    public static let maximumBytes = 64 << 20

    /// Reads `path`: a header with `image` and any of `group`, `pixel_size`, `anode`,
    /// `phase`, `edx:<Element>`, `model`, `mask`, `mask_label`, plus free columns.
    /// - Throws: ``BatchError/badManifest(_:)`` saying what was expected.
    public static func read(_ path: String) throws(BatchError) -> [Row] {
        if let kind = BatchInputs.specialFileKind(path) { throw .badManifest("\(path): \(kind), not a regular file") }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.intValue > maximumBytes {
            throw .badManifest("\(path): \(size.intValue) bytes; a manifest may have at most \(maximumBytes)")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw .badManifest("\(path): cannot read the file") }
        let rows: [[String]]
        do { rows = try CSV.parse(String(decoding: data, as: UTF8.self)) } catch { throw .badManifest("\(error)") }
        guard let header = rows.first else { throw .badManifest("\(path): expected a header row with an 'image' column, got an empty file") }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces) }
        guard names.count <= maximumColumns else {
            throw .badManifest("\(path): \(names.count) columns; a manifest may have at most \(maximumColumns)")
        }
        guard let imageColumn = names.firstIndex(of: "image") else {
            throw .badManifest("\(path): expected an 'image' column, got \(names.joined(separator: ", "))")
        }
        var seenNames = Set<String>()
        for name in names {
            guard seenNames.insert(name).inserted else { throw .badManifest("\(path): column '\(name)' appears twice") }
            if reservedColumns.contains(name) {
                throw .badManifest("\(path): column '\(name)' is one of the output tables' own columns; rename it")
            }
        }
        let base = (absoluteDir(path))
        var out: [Row] = []
        for (n, r) in rows.dropFirst().enumerated() {
            guard r.count <= names.count else {
                throw .badManifest("\(path): row \(n + 2) has \(r.count) fields, expected at most \(names.count)")
            }
            let fields = r + Array(repeating: "", count: names.count - r.count)
            let image = fields[imageColumn]
            if image.isEmpty { continue }
            let resolve: (String) -> String = { $0.hasPrefix("/") ? $0 : (base as NSString).appendingPathComponent($0) }
            var cols: [(String, String)] = []
            var edx: [String: String] = [:]
            for (i, name) in names.enumerated() where i != imageColumn {
                if name.hasPrefix("edx:") {
                    if !fields[i].isEmpty { edx[String(name.dropFirst(4))] = resolve(fields[i]) }
                } else if Self.fileColumns.contains(name) {
                    cols.append((name, fields[i].isEmpty ? "" : resolve(fields[i])))
                } else {
                    cols.append((name, fields[i]))
                }
            }
            let rel = image.hasPrefix("/") ? (image as NSString).lastPathComponent
                : URL(fileURLWithPath: image, relativeTo: URL(fileURLWithPath: "/")).standardizedFileURL.path.dropFirst().description
            out.append(Row(path: resolve(image), relativePath: rel, columns: cols, edx: edx))
        }
        return out
    }

    static func absoluteDir(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
    }
}
