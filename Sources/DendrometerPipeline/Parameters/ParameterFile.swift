// Reading a subset of the parameter set from a JSON file (`--config FILE`).
//
// The defaults are encoded to a JSON tree, the file's tree is laid over it key
// by key (every key must exist in the defaults: a misspelt key is an error, not
// silently ignored), and the merged tree is decoded. Type errors name the key
// path, e.g. `interface.knots: expected an integer, got "seventeen"`.

import DendrometerCore
import Foundation

/// A parameter file could not be used; the message names the key.
public enum ParameterFileError: Error, Equatable, CustomStringConvertible {
    /// The file is not a JSON object.
    case notAnObject(String)
    /// A key that is not a parameter; `known` lists the keys allowed at that level.
    case unknownKey(path: String, known: [String])
    /// A value of the wrong type or out of range.
    case badValue(path: String, expected: String, got: String)

    public var description: String {
        switch self {
        case .notAnObject(let why): "expected a JSON object of parameters: \(why)"
        case .unknownKey(let path, let known):
            "unknown parameter '\(path)'; expected one of \(known.joined(separator: ", "))"
        case .badValue(let path, let expected, let got): "\(path): expected \(expected), got \(got)"
        }
    }
}

/// Decodes ``AnalysisParameters`` from JSON holding any subset of its keys.
public enum ParameterFile {
    /// Parameters from `data` (a JSON object whose keys are a subset of the set's, nested
    /// by group, e.g. `{"dendrites": {"minimumAreaSquareMicrometres": 2}}`), laid over `base`.
    ///
    /// For compatibility with earlier versions, a flat object of classifier thresholds
    /// (keys of ``MorphologyThresholds``) is read as the `morphology` group.
    public static func decode(_ data: Data, over base: AnalysisParameters = AnalysisParameters()) throws(ParameterFileError) -> AnalysisParameters {
        let user: JSONValue
        do { user = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw .notAnObject("not valid JSON (\(Self.describe(error)))")
        }
        guard case .object(var members) = user else { throw .notAnObject("the file holds \(Self.kind(user))") }
        var tree = Self.tree(of: base)
        guard case .object(let top) = tree else { return base }
        let morphologyKeys = Set(Self.tree(of: base.morphology).objectKeys)
        if !members.isEmpty, members.keys.allSatisfy({ top[$0] == nil && morphologyKeys.contains($0) }) {
            members = ["morphology": .object(members)]
        }
        tree = try Self.merge(.object(members), into: tree, path: "")
        do {
            let encoded = try JSONEncoder().encode(tree)
            return try JSONDecoder().decode(AnalysisParameters.self, from: encoded)
        } catch let e as DecodingError {
            throw Self.explain(e)
        } catch {
            throw .notAnObject(Self.describe(error))
        }
    }

    /// The full parameter set as a JSON tree (what every output records).
    public static func tree(of parameters: some Encodable) -> JSONValue {
        guard let data = try? JSONEncoder().encode(parameters),
              let value = try? JSONDecoder().decode(JSONValue.self, from: data) else { return .null }
        return value
    }

    static func merge(_ user: JSONValue, into base: JSONValue, path: String) throws(ParameterFileError) -> JSONValue {
        guard case .object(let defaults) = base else {
            // A leaf: objects and arrays cannot replace a number, string or Boolean.
            switch user {
            case .object, .array: throw .badValue(path: path, expected: kind(base), got: kind(user))
            case .null: throw .badValue(path: path, expected: kind(base), got: "null")
            case .number(let v):
                if case .number = base { try checkRange(v, path: path) }
                return user
            default: return user
            }
        }
        guard case .object(let given) = user else {
            throw .badValue(path: path, expected: "an object with keys \(defaults.keys.sorted().joined(separator: ", "))", got: kind(user))
        }
        var out = defaults
        for key in given.keys.sorted() {
            let child = path.isEmpty ? key : "\(path).\(key)"
            guard let d = defaults[key] else { throw .unknownKey(path: child, known: defaults.keys.sorted()) }
            out[key] = try merge(given[key]!, into: d, path: child)
        }
        return .object(out)
    }

    /// Largest value any tunable may take in its own unit (px, µm, µm², degrees, a count): beyond
    /// 10⁶ none has a physical meaning for an image that fits in memory, and converting it to an
    /// integer pixel count could overflow.
    public static let largestValue = 1e6

    /// Largest Gaussian scale (σ, ρ) of a filter, px: the same bound as `--denoise-sigma`; a
    /// kernel beyond it is not a pixel-scale operator (and its buffers would be huge).
    public static let largestScalePx = 100.0

    /// A number from a configuration file is input: finite, 0 … ``largestValue``; fractions and
    /// shares (keys naming a fraction, share, quantile, solidity, agreement or waviness) 0 … 1;
    /// angles (keys ending in `Degrees`) 0 … 180; filter scales (σ, ρ) 0 … ``largestScalePx``.
    static func checkRange(_ v: Double, path: String) throws(ParameterFileError) {
        let key = path.split(separator: ".").last.map(String.init) ?? path
        let unit = ["Fraction", "Share", "Quantile", "Solidity", "Agreement", "Waviness"].contains { key.contains($0) }
        let scale = key.lowercased().hasPrefix("sigma") || key.lowercased().hasPrefix("rho") || key.contains("SigmaPx")
        let upper = unit ? 1 : key.hasSuffix("Degrees") ? 180 : scale ? largestScalePx : largestValue
        guard v.isFinite, v >= 0, v <= upper else {
            throw .badValue(path: path, expected: "a number from 0 to \(String(format: "%g", upper))", got: "\(v)")
        }
    }

    static func explain(_ error: DecodingError) -> ParameterFileError {
        func path(_ c: [any CodingKey]) -> String { c.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") }
        switch error {
        case .typeMismatch(let type, let ctx):
            return .badValue(path: path(ctx.codingPath), expected: expected(type), got: ctx.debugDescription)
        case .dataCorrupted(let ctx):
            return .badValue(path: path(ctx.codingPath), expected: "a valid value", got: ctx.debugDescription)
        case .valueNotFound(let type, let ctx):
            return .badValue(path: path(ctx.codingPath), expected: expected(type), got: "null")
        case .keyNotFound(let key, let ctx):
            return .badValue(path: path(ctx.codingPath + [key]), expected: "a value", got: "nothing")
        @unknown default:
            return .notAnObject("\(error)")
        }
    }

    static func expected(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        default: "a value of type \(type)"
        }
    }

    static func kind(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool: "true or false"
        case .number: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? DecodingError, case .dataCorrupted(let ctx) = e {
            return (ctx.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? ctx.debugDescription
        }
        return "\(error)"
    }
}

extension JSONValue {
    /// Keys of an object (empty otherwise).
    var objectKeys: [String] {
        if case .object(let o) = self { return Array(o.keys) }
        return []
    }
}
