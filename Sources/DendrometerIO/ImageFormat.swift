import DendrometerCore

/// Recognises a container format from the first bytes of a file, never from its
/// extension (microscopes and users rename files freely).
public enum ImageFormatSniffer {
    /// The format whose signature starts `bytes`, or `nil`.
    ///
    /// - TIFF: `II*\0` / `MM\0*`; BigTIFF: `II+\0` / `MM\0+`
    /// - PNG: `\x89PNG\r\n\x1a\n`
    /// - BMP: `BM`
    public static func format(of bytes: some Collection<UInt8>) -> SourceMetadata.Format? {
        let b = Array(bytes.prefix(8))
        if b.count >= 4 {
            if b[0] == 0x49, b[1] == 0x49, b[2] == 42, b[3] == 0 { return .tiff }
            if b[0] == 0x4D, b[1] == 0x4D, b[2] == 0, b[3] == 42 { return .tiff }
            if b[0] == 0x49, b[1] == 0x49, b[2] == 43, b[3] == 0 { return .bigtiff }
            if b[0] == 0x4D, b[1] == 0x4D, b[2] == 0, b[3] == 43 { return .bigtiff }
        }
        if b.count >= 8, b == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        if b.count >= 2, b[0] == 0x42, b[1] == 0x4D { return .bmp }
        return nil
    }

    /// The first bytes shown for an error message: printable ASCII as is, others as hex.
    static func describe(_ bytes: some Collection<UInt8>) -> String {
        let head = Array(bytes.prefix(8))
        if head.isEmpty { return "nothing" }
        let printable = head.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        if printable { return "\"" + String(decoding: head, as: UTF8.self) + "\"" }
        return head.map { byte in
            let h = String(byte, radix: 16, uppercase: true)
            return h.count == 1 ? "0" + h : h
        }.joined(separator: " ")
    }
}
