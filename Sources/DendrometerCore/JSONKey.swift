/// A coding key made from any string, for JSON documents whose keys are
/// written out in place (`"penetration"`, `"max_um"`, ...).
public struct JSONKey: CodingKey, Sendable, Hashable {
    public var stringValue: String
    public var intValue: Int? { nil }
    /// The key `name`.
    public init(_ name: String) { stringValue = name }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}
