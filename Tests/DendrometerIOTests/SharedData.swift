import Foundation

/// Locates `../shared/data/real` (the project's real microscope files, read in
/// place, never copied) relative to this source file.
enum SharedData {
    /// `…/shared/data/real`, or nil when the folder is absent (tests then skip).
    static let realDirectory: URL? = {
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
    struct Expectation: Decodable, Sendable, CustomStringConvertible {
        let path: String
        let width: Int?
        let height: Int?
        let dtype: String?
        let pixel_size_um: Double?
        let source_key: String
        let pages: Int?
        let samples_per_pixel: Int?
        let reference_reader_error: String?
        var description: String { path }
    }

    /// The entries of `expected.json`, or [] when the folder is absent.
    static let expectations: [Expectation] = {
        guard let dir = realDirectory,
              let data = try? Data(contentsOf: dir.appendingPathComponent("expected.json")) else { return [] }
        return (try? JSONDecoder().decode([Expectation].self, from: data)) ?? []
    }()

    static func path(_ relative: String) -> String? { realDirectory?.appendingPathComponent(relative).path }

    static let skipMessage = "../shared/data/real is absent: real-file tests skipped"
}
