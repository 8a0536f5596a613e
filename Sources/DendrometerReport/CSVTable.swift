// RFC 4180 CSV reading and writing for the batch tables (images.csv,
// regions.csv, failures.csv) and the compare_*.csv tables.

import DendrometerCore
import Foundation

/// A CSV table held in memory: a header and rows of text cells.
public struct CSVTable: Sendable, Equatable {
    /// Column names, in file order.
    public var header: [String]
    /// Data rows; each has exactly `header.count` cells (short rows are padded with "").
    public var rows: [[String]]

    /// A table with the given header and rows.
    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.rows = rows
    }

    /// Index of `column` in the header, or `nil`.
    public func index(of column: String) -> Int? { header.firstIndex(of: column) }

    /// The cell of `row` in `column`, or `nil` when the column is absent or the cell empty.
    public func value(_ row: [String], _ column: String) -> String? {
        guard let i = index(of: column), i < row.count, !row[i].isEmpty else { return nil }
        return row[i]
    }

    /// The cell as a finite number, or `nil` (empty, `null`, non-numeric, NaN).
    public func number(_ row: [String], _ column: String) -> Double? {
        guard let text = value(row, column), let v = Double(text), v.isFinite else { return nil }
        return v
    }

    /// Parses RFC 4180 text: comma separated, `"` quoting with `""` escapes,
    /// CRLF or LF line ends, quoted cells may span lines. The first record is the header.
    /// A blank final line is ignored.
    ///
    /// ```swift
    /// try CSVTable(parsing: "file,error\n\"a,\"\"b\".tif\",bad\n").rows  // [["a,\"b\".tif", "bad"]]
    /// ```
    public init(parsing text: String) throws(ReportError) {
        let records: [[String]]
        do { records = try CSV.parse(text) } catch { throw ReportError.badCSV("\(error)") }
        guard let head = records.first else { throw ReportError.badCSV("expected a header row, got an empty file") }
        header = head
        rows = records.dropFirst().map { r in r.count >= head.count ? r : r + Array(repeating: "", count: head.count - r.count) }
    }

    /// Reads and parses the CSV file at `path`.
    public static func read(_ path: String) throws(ReportError) -> CSVTable {
        guard let data = FileManager.default.contents(atPath: path) else { throw ReportError.missingFile(path) }
        do { return try CSVTable(parsing: String(decoding: data, as: UTF8.self)) } catch {
            throw ReportError.badCSV("\(path): \(error.message)")
        }
    }

    /// RFC 4180 text with LF line ends; cells containing `,`, `"`, CR or LF are quoted.
    public var text: String { CSV.table(header: header, rows: rows) }

    /// Quotes one cell when RFC 4180 requires it.
    static func quote(_ cell: String) -> String { CSV.escape(cell) }
}

/// What went wrong while writing a report or a comparison.
public enum ReportError: Error, Equatable, CustomStringConvertible {
    /// A required input file does not exist or cannot be read.
    case missingFile(String)
    /// A CSV file is malformed.
    case badCSV(String)
    /// The inputs do not support the request (e.g. an unknown `--by` column).
    case invalidInput(String)
    /// Writing an output failed.
    case writeFailed(String)

    /// A one-line message for a scientist.
    public var message: String {
        switch self {
        case .missingFile(let p): "cannot read \(p): expected a batch output file, got nothing there"
        case .badCSV(let m): "malformed CSV: \(m)"
        case .invalidInput(let m): m
        case .writeFailed(let m): "cannot write: \(m)"
        }
    }

    /// Same as ``message``.
    public var description: String { message }
}
