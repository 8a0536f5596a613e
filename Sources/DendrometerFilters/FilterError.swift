// Typed errors of the filter stage. Messages follow "expected X, got Y" so a
// scientist reading a batch failure log knows which parameter to change.

/// What can go wrong when a filter is called with invalid parameters.
public enum FilterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A Gaussian scale (σ or ρ, in px) was NaN, infinite, negative, or zero where a positive value is needed.
    case invalidScale(name: String, value: Double, requirement: String)
    /// A median radius (px) was negative.
    case invalidRadius(Int)
    /// A mask does not have the shape of the image it selects pixels from.
    case shapeMismatch(expectedWidth: Int, expectedHeight: Int, gotWidth: Int, gotHeight: Int)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case let .invalidScale(name, value, requirement):
            "expected \(name) to be \(requirement) (px), got \(value)"
        case let .invalidRadius(r):
            "expected a median radius ≥ 0 px, got \(r)"
        case let .shapeMismatch(ew, eh, gw, gh):
            "expected a mask of \(ew)×\(eh) px (the image size), got \(gw)×\(gh) px"
        }
    }

    /// Validates a Gaussian scale: finite and ≥ 0 (or > 0 when `positive`).
    static func check(_ value: Double, name: String, positive: Bool = false) throws(FilterError) {
        if positive {
            guard value.isFinite && value > 0 else {
                throw .invalidScale(name: name, value: value, requirement: "finite and > 0")
            }
        } else {
            guard value.isFinite && value >= 0 else {
                throw .invalidScale(name: name, value: value, requirement: "finite and ≥ 0")
            }
        }
    }
}
