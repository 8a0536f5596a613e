// RFC 4180 CSV: fields containing a comma, quote, CR or LF are quoted, quotes
// doubled; the reader accepts the same (quoted fields may span lines).

/// Reading and writing RFC 4180 CSV tables.
public enum CSV {
    /// `field` quoted when it contains `,`, `"`, CR or LF (RFC 4180 §2.6–2.7), and made inert
    /// for spreadsheets first: a cell that starts with `=`, `+`, `-`, `@`, tab or CR and is not
    /// a number gets a leading `'` (OWASP's advice against CSV formula injection; a file named
    /// `=HYPERLINK(…).tif` must not become a live formula). Numbers such as `-0.5` stay numbers.
    ///
    /// Example: `CSV.escape("a,b")` → `"a,b"` (with the quotes); `CSV.escape("x")` → `x`;
    /// `CSV.escape("=1+1")` → `'=1+1`; `CSV.escape("-3.5")` → `-3.5`.
    public static func escape(_ field: String) -> String {
        var field = field
        if let first = field.unicodeScalars.first, formulaTriggers.contains(first), Double(field) == nil {
            field = "'" + field
        }
        if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return field
    }

    /// First characters that make a spreadsheet read a cell as a formula.
    static let formulaTriggers: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// One CSV line (no terminator) from `fields`.
    public static func line(_ fields: [String]) -> String {
        fields.map(escape).joined(separator: ",")
    }

    /// A whole table: header then rows, each `\n`-terminated.
    public static func table(header: [String], rows: [[String]]) -> String {
        var out = line(header) + "\n"
        for r in rows { out += line(r) + "\n" }
        return out
    }

    /// Parses CSV text into rows of fields. Accepts `\n` or `\r\n` line ends,
    /// quoted fields with doubled quotes and embedded line breaks, a UTF-8 BOM.
    /// Blank lines are skipped.
    /// - Throws: ``CSVError/unterminatedQuote`` for an unterminated quoted field.
    public static func parse(_ text: String) throws(CSVError) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text.unicodeScalars)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var i = 0
        var fieldStarted = false
        func endRow() {
            if fieldStarted || !row.isEmpty || !field.isEmpty {
                row.append(field)
                rows.append(row)
            }
            row = []; field = ""; fieldStarted = false
        }
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count, chars[i + 1] == "\"" { field.unicodeScalars.append("\""); i += 1 } else { quoted = false }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else {
                switch c {
                case "\"": quoted = true; fieldStarted = true
                case ",": row.append(field); field = ""; fieldStarted = true
                case "\r": break
                case "\n": endRow()
                default: field.unicodeScalars.append(c); fieldStarted = true
                }
            }
            i += 1
        }
        if quoted { throw .unterminatedQuote }
        endRow()
        return rows
    }
}

/// A CSV text could not be parsed.
public enum CSVError: Error, Equatable, CustomStringConvertible {
    /// A quoted field is still open at the end of the text.
    case unterminatedQuote

    public var description: String { "unterminated quoted field at the end of the CSV text" }
}
