// Reading a batch output folder (images.csv, regions.csv, failures.csv and the
// per-image JSON documents) for the report and the comparison.

import DendrometerCore
import Foundation

/// Report-side helpers on Core's ``JSONValue`` (the per-image document of `analyze`/`batch`).
extension JSONValue {

    /// Text for a scalar (numbers in full precision, `null` as empty); `nil` for arrays and objects.
    var scalarText: String? {
        switch self {
        case .null: ""
        case .bool(let b): b ? "true" : "false"
        case .number(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int(saturating: d)) : String(d)
        case .string(let s): s
        case .array, .object: nil
        }
    }

    /// Flattened scalar members: nested keys joined with `.`, numeric arrays as
    /// `key.0…`; arrays of objects or arrays (profile, regions, points) are skipped.
    /// Keys sorted at every level.
    func flattened(prefix: String = "") -> [(key: String, value: String)] {
        switch self {
        case .object(let o):
            return o.keys.sorted().flatMap { k in o[k]!.flattened(prefix: prefix.isEmpty ? k : prefix + "." + k) }
        case .array(let a):
            guard a.allSatisfy({ $0.scalarText != nil }) else { return [] }
            return a.enumerated().map { (prefix + ".\($0.offset)", $0.element.scalarText!) }
        default:
            return [(prefix, scalarText ?? "")]
        }
    }

    static func read(_ path: String) -> JSONValue? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: data)
    }
}

/// The tables of one batch output folder.
struct BatchFolder {
    /// Folder path.
    var directory: String
    /// `images.csv` (empty table with a `file` column when absent but failures exist).
    var images: CSVTable
    /// `regions.csv`, or `nil` when absent.
    var regions: CSVTable?
    /// `failures.csv`, or `nil` when absent.
    var failures: CSVTable?

    /// Reads the tables in `directory`; throws when neither images.csv nor failures.csv exists.
    init(directory: String) throws(ReportError) {
        self.directory = directory
        let fm = FileManager.default
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        failures = fm.fileExists(atPath: path("failures.csv")) ? try CSVTable.read(path("failures.csv")) : nil
        if fm.fileExists(atPath: path("images.csv")) {
            images = try CSVTable.read(path("images.csv"))
        } else if failures != nil {
            images = CSVTable(header: ["file"])
        } else {
            throw ReportError.missingFile(path("images.csv"))
        }
        regions = fm.fileExists(atPath: path("regions.csv")) ? try CSVTable.read(path("regions.csv")) : nil
    }

    /// Manifest columns: those before `file` in images.csv.
    var manifestColumns: [String] {
        guard let i = images.index(of: "file") else { return [] }
        return Array(images.header[..<i])
    }

    /// Absolute path of a path relative to the folder (absolute paths pass through).
    func resolve(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : (directory as NSString).appendingPathComponent(relative)
    }
}
