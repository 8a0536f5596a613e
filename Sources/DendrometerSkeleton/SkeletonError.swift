// Errors of the skeleton stage.

/// Invalid input to a skeleton-stage function.
public enum SkeletonError: Error, Equatable, CustomStringConvertible {
    /// The distance map does not have the skeleton's shape.
    case distanceMapShape(expectedWidth: Int, expectedHeight: Int, width: Int, height: Int)
    /// A spur length that is negative or not finite.
    case invalidPruneLength(Double)
    /// A pixel size that is not finite and positive.
    case invalidPixelSize(PixelSizeDescription)

    /// A printable pixel size (keeps the enum `Equatable` without importing Core types into the case).
    public typealias PixelSizeDescription = String

    public var description: String {
        switch self {
        case let .distanceMapShape(ew, eh, w, h):
            "distance map must have the skeleton's shape: expected \(ew)×\(eh) px, got \(w)×\(h) px"
        case let .invalidPruneLength(l):
            "spur pruning length must be a finite length ≥ 0 px, got \(l)"
        case let .invalidPixelSize(s):
            "pixel size must be finite and positive, got \(s)"
        }
    }
}
