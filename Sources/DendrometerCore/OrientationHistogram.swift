/// The bins of every orientation histogram of the analysis (the JSON's `orientation.histogram`,
/// the report's roses, `images.csv`'s `orientation.histogram.*` columns): 18 bins of 10° over
/// [0, 180)°, bin i covering [10i, 10i + 10)°, angles measured from the interface (0° lateral,
/// 90° vertical).
///
/// Example: 95° falls in bin 9, named `90_to_100_deg`.
public enum OrientationHistogram {
    /// Number of bins.
    public static let binCount = 18
    /// Width of one bin, degrees.
    public static let binDegrees = 180.0 / Double(binCount)

    /// The bin of an orientation in [0, 180)° (values outside are clamped to the end bins).
    @inlinable public static func bin(degrees: Double) -> Int {
        min(binCount - 1, max(0, Int(saturating: degrees / binDegrees)))
    }

    /// Name of bin `bin` by its edges in whole degrees, for table columns: `0_to_10_deg` … `170_to_180_deg`.
    public static func binName(_ bin: Int) -> String {
        let w = Int(saturating: binDegrees)
        return "\(bin * w)_to_\((bin + 1) * w)_deg"
    }
}
