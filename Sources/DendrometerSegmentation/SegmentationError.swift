// Errors raised by the segmentation kernels (thresholds, morphology, labelling,
// distance transform). Messages are shaped "expected X, got Y".

/// Something about the input or a parameter makes a segmentation step impossible.
public enum SegmentationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The image has no pixels (width or height is 0).
    case emptyImage(operation: String)
    /// A float image holds no finite value (all NaN or ±infinity).
    case noFiniteValues(operation: String)
    /// Fewer distinct values than classes requested (multi-Otsu).
    case tooFewValues(needed: Int, got: Int)
    /// A parameter is outside its allowed range.
    case invalidParameter(name: String, expected: String, got: String)
    /// Two inputs that must have the same shape do not.
    case shapeMismatch(expected: String, got: String)

    /// The message shown to the user, shaped "expected X, got Y".
    public var description: String {
        switch self {
        case .emptyImage(let op):
            "\(op): expected an image with at least one pixel, got an empty image"
        case .noFiniteValues(let op):
            "\(op): expected at least one finite pixel value, got only NaN or infinite values"
        case .tooFewValues(let needed, let got):
            "multi-Otsu: expected at least \(needed) distinct values to split into \(needed) classes, got \(got)"
        case .invalidParameter(let name, let expected, let got):
            "\(name): expected \(expected), got \(got)"
        case .shapeMismatch(let expected, let got):
            "expected inputs of the same shape \(expected), got \(got)"
        }
    }
}
