import JSON

/// The smallest JSON value valid against a JSON Schema, for structured-output answers:
/// objects with their required properties, the first `enum`/`const` value, strings, numbers
/// and arrays at their minimum sizes; `$ref` (to `#/$defs/…` or `#/definitions/…`), `anyOf`,
/// `oneOf` and `allOf` are followed. Deterministic, so tests can predict the answer.
enum SchemaInstance {
    /// Nested `$ref`s deeper than this give `null` (a recursive schema's required cycle).
    static let maxDepth = 32

    static func minimal(_ schema: JSONValue) -> JSONValue {
        value(schema, root: schema, depth: 0)
    }

    private static func value(_ schema: JSONValue, root: JSONValue, depth: Int) -> JSONValue {
        guard depth < maxDepth, case .object(let s) = schema else { return .string("w0") }
        if let ref = s["$ref"]?.stringValue {
            return value(resolve(ref, in: root) ?? [:], root: root, depth: depth + 1)
        }
        if let constant = s["const"] { return constant }
        if let first = s["enum"]?.arrayValue?.first { return first }
        for key in ["anyOf", "oneOf"] {
            if let branches = s[key]?.arrayValue, !branches.isEmpty {
                // A non-null branch says more about the answer than `null` does.
                let branch = branches.first { $0["type"]?.stringValue != "null" } ?? branches[0]
                return value(branch, root: root, depth: depth + 1)
            }
        }
        if let parts = s["allOf"]?.arrayValue, !parts.isEmpty {
            return value(merged(parts, root: root), root: root, depth: depth + 1)
        }
        switch type(of: s) {
        case "object": return object(s, root: root, depth: depth)
        case "array": return array(s, root: root, depth: depth)
        case "integer": return .int(Int(number(s, integral: true)))
        case "number": return .double(number(s, integral: false))
        case "boolean": return true
        case "null": return .null
        default: return .string(string(s))
        }
    }

    /// The declared type (the first non-null one of a list), else what the keywords imply.
    private static func type(of s: JSONObject) -> String {
        switch s["type"] {
        case .string(let t)?: return t.lowercased()  // Gemini's Schema spells types OBJECT, STRING, …
        case .array(let types)?:
            let names = types.compactMap { $0.stringValue?.lowercased() }
            return names.first { $0 != "null" } ?? names.first ?? "string"
        default:
            if s["properties"] != nil || s["required"] != nil { return "object" }
            if s["items"] != nil || s["prefixItems"] != nil { return "array" }
            return "string"
        }
    }

    private static func object(_ s: JSONObject, root: JSONValue, depth: Int) -> JSONValue {
        let properties = s["properties"]?.objectValue ?? JSONObject()
        var out = JSONObject()
        for name in s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
            out[name] = value(properties[name] ?? [:], root: root, depth: depth + 1)
        }
        return .object(out)
    }

    private static func array(_ s: JSONObject, root: JSONValue, depth: Int) -> JSONValue {
        let prefix = s["prefixItems"]?.arrayValue ?? []
        let minimum = max(0, min(s["minItems"]?.intValue ?? 0, 100))
        var items = prefix.map { value($0, root: root, depth: depth + 1) }
        let rest = s["items"] ?? [:]
        while items.count < minimum { items.append(value(rest, root: root, depth: depth + 1)) }
        return .array(items)
    }

    private static func number(_ s: JSONObject, integral: Bool) -> Double {
        var n = 0.0
        if let low = s["minimum"]?.doubleValue, n < low { n = low }
        if let low = s["exclusiveMinimum"]?.doubleValue, n <= low {
            n = integral ? low.rounded(.down) + 1 : low + 0.5
        }
        if let high = s["maximum"]?.doubleValue, n > high { n = high }
        if let high = s["exclusiveMaximum"]?.doubleValue, n >= high {
            n = integral ? high.rounded(.up) - 1 : high - 0.5
        }
        if integral { n = n.rounded(.up) }
        guard n.isFinite, abs(n) < 1e15 else { return 0 }
        return n
    }

    private static func string(_ s: JSONObject) -> String {
        var text: String =
            switch s["format"]?.stringValue {
            case "date"?: "2025-01-01"
            case "date-time"?: "2025-01-01T00:00:00Z"
            case "time"?: "00:00:00Z"
            case "email"?: "w0@example.com"
            case "uri"?, "url"?: "https://example.com/w0"
            case "uuid"?: "00000000-0000-4000-8000-000000000000"
            default: "w0"
            }
        let minimum = max(0, min(s["minLength"]?.intValue ?? 0, 10_000))
        while text.count < minimum { text += "w" }
        if let maximum = s["maxLength"]?.intValue, maximum >= 0, text.count > maximum {
            text = String(text.prefix(maximum))
        }
        return text
    }

    /// `#/$defs/Name` (or any `#/`-path) inside the root schema.
    private static func resolve(_ ref: String, in root: JSONValue) -> JSONValue? {
        guard ref.hasPrefix("#") else { return nil }
        var node: JSONValue? = root
        for token in ref.dropFirst().split(separator: "/") {
            node = node?[unescaped(token)]
        }
        return node
    }

    /// A JSON Pointer token: `~1` is `/`, `~0` is `~`.
    private static func unescaped(_ token: Substring) -> String {
        var out = ""
        var tilde = false
        for c in token {
            if tilde {
                out.append(c == "1" ? "/" : c == "0" ? "~" : c)
                tilde = false
            } else if c == "~" {
                tilde = true
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// `allOf` as one schema: properties and required lists joined, other keywords from the
    /// first part that has them.
    private static func merged(_ parts: [JSONValue], root: JSONValue) -> JSONValue {
        var out = JSONObject()
        var properties = JSONObject()
        var required: [JSONValue] = []
        for part in parts {
            var part = part
            if let ref = part["$ref"]?.stringValue, let target = resolve(ref, in: root) { part = target }
            guard case .object(let o) = part else { continue }
            for (key, value) in o {
                switch key {
                case "properties": for (name, p) in value.objectValue ?? JSONObject() { properties[name] = p }
                case "required": required += value.arrayValue ?? []
                default: if out[key] == nil { out[key] = value }
                }
            }
        }
        if !properties.isEmpty { out["properties"] = .object(properties) }
        if !required.isEmpty { out["required"] = .array(required) }
        return .object(out)
    }
}
