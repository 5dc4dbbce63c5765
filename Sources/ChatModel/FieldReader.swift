import JSON

/// Typed access to request fields with path-naming 400s.
public enum FieldReader {
    public static func object(_ value: JSONValue, at path: String) throws(GatewayError) -> JSONObject {
        guard case .object(let o) = value else { throw mismatch(path, "object", value) }
        return o
    }

    public static func array(_ value: JSONValue, at path: String) throws(GatewayError) -> [JSONValue] {
        guard case .array(let a) = value else { throw mismatch(path, "array", value) }
        return a
    }

    public static func string(_ value: JSONValue?, at path: String, required: Bool) throws(GatewayError) -> String? {
        guard let value, !value.isNull else {
            if required { throw GatewayError.invalidRequest("\(path): required", param: path) }
            return nil
        }
        guard case .string(let s) = value else { throw mismatch(path, "string", value) }
        return s
    }

    public static func bool(_ value: JSONValue, at path: String) throws(GatewayError) -> Bool {
        guard case .bool(let b) = value else { throw mismatch(path, "boolean", value) }
        return b
    }

    public static func int(_ value: JSONValue, at path: String) throws(GatewayError) -> Int {
        guard let n = value.intValue else { throw mismatch(path, "integer", value) }
        return n
    }

    public static func number(_ value: JSONValue?, at path: String, range: ClosedRange<Double>) throws(GatewayError) -> Double? {
        guard let value, !value.isNull else { return nil }
        guard let d = value.doubleValue else { throw mismatch(path, "number", value) }
        guard range.contains(d) else {
            throw GatewayError.invalidRequest("\(path): must be between \(range.lowerBound) and \(range.upperBound)", param: path)
        }
        return d
    }

    public static func rejectUnknown(_ object: JSONObject, allowed: Set<String>, at path: String) throws(GatewayError) {
        for key in object.keys where !allowed.contains(key) {
            let full = path.isEmpty ? key : "\(path).\(key)"
            throw GatewayError.invalidRequest("\(full): unknown field", param: full)
        }
    }

    private static func mismatch(_ path: String, _ expected: String, _ got: JSONValue) -> GatewayError {
        .invalidRequest("\(path.isEmpty ? "body" : path): expected \(expected), got \(got.kindName)", param: path.isEmpty ? nil : path)
    }
}
