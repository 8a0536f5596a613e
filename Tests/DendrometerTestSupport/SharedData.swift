// Test support shared by the test targets.
import Foundation

/// Locates `../shared/data/real` (the project's real microscope files, read in
/// place, never copied) relative to this source file.
public enum SharedData {
    /// `…/shared/data/real`, or nil when the folder is absent (tests then skip).
    public static let realDirectory: URL? = {
        var dir = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 6 {
            dir.deleteLastPathComponent()
            let candidate = dir.appendingPathComponent("shared/data/real")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("expected.json").path) {
                return candidate
            }
            let sibling = dir.deletingLastPathComponent().appendingPathComponent("shared/data/real")
            if FileManager.default.fileExists(atPath: sibling.appendingPathComponent("expected.json").path) {
                return sibling
            }
        }
        return nil
    }()

    /// One entry of `expected.json`.
    public struct Expectation: Decodable, Sendable, CustomStringConvertible {
        public let path: String
        public let width: Int?
        public let height: Int?
        public let dtype: String?
        public let pixel_size_um: Double?
        public let source_key: String
        public let pages: Int?
        public let samples_per_pixel: Int?
        public let reference_reader_error: String?
        public var description: String { path }
    }

    /// The entries of `expected.json`, or [] when the folder is absent.
    public static let expectations: [Expectation] = {
        guard let dir = realDirectory,
              let data = try? Data(contentsOf: dir.appendingPathComponent("expected.json")) else { return [] }
        return (try? JSONDecoder().decode([Expectation].self, from: data)) ?? []
    }()

    /// Absolute path of a file under `data/real`, or nil when the folder is absent.
    public static func path(_ relative: String) -> String? { realDirectory?.appendingPathComponent(relative).path }

    /// Printed when real-file tests skip.
    public static let skipMessage = "../shared/data/real is absent: real-file tests skipped"

    /// `…/shared/data/validation` (the independent generator's scenes), beside `data/real`, or nil
    /// when absent (tests then skip).
    public static let validationDirectory: URL? = {
        guard let real = realDirectory else { return nil }
        let dir = real.deletingLastPathComponent().appendingPathComponent("validation")
        return FileManager.default.fileExists(atPath: dir.appendingPathComponent("manifest.json").path) ? dir : nil
    }()

    /// Printed when validation-scene tests skip.
    public static let validationSkipMessage = "../shared/data/validation is absent: validation-scene tests skipped"
}
