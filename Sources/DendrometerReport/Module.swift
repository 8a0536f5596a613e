// The HTML report of a batch folder and group comparisons (issue #5).
// Placeholder API agreed between the batch runner and the report; the report
// implementation replaces this file.

/// Writes `DIR/report.html` for a batch output folder.
public enum BatchReport {
    /// (Re)writes `directory/report.html` from the batch outputs in `directory`.
    public static func write(directory: String) throws {}
}
