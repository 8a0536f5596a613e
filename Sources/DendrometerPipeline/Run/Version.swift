/// The version of Dendrometer that produced a result; every JSON output records it.
public enum DendrometerVersion {
    /// Semantic version of the tool and library.
    public static let current = "0.3.0"
    /// `dendrometer 0.3.0`, as written in outputs.
    public static var toolVersion: String { "dendrometer \(current)" }
}
