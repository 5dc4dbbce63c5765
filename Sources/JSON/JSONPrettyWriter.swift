extension JSONValue {
    /// Indented JSON text for people to read (the CLI's `--json`): two spaces per level, one
    /// member or element per line, `"key" : value`, and with `sortedKeys` the members of every
    /// object ordered by key so the output is stable whatever order the daemon wrote them in.
    /// Empty containers stay on one line (`[]`, `{}`). Not for the hot path: use `write(into:)`.
    public func prettySerialized(sortedKeys: Bool = true) -> String {
        var out: [UInt8] = []
        writePretty(into: &out, sortedKeys: sortedKeys, depth: 0)
        return String(decoding: out, as: UTF8.self)
    }

    private func writePretty(into out: inout [UInt8], sortedKeys: Bool, depth: Int) {
        switch self {
        case .null, .bool, .number, .string:
            write(into: &out)
        case .array(let items):
            guard !items.isEmpty else { out.append(contentsOf: "[]".utf8); return }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.newline(indent: depth + 1, into: &out)
                item.writePretty(into: &out, sortedKeys: sortedKeys, depth: depth + 1)
            }
            Self.newline(indent: depth, into: &out)
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            guard !object.isEmpty else { out.append(contentsOf: "{}".utf8); return }
            // Keys are unique within a JSONObject, so the order is total.
            let entries = sortedKeys ? object.entries.sorted { $0.key < $1.key } : object.entries
            out.append(UInt8(ascii: "{"))
            for (i, entry) in entries.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.newline(indent: depth + 1, into: &out)
                appendJSONString(entry.key, to: &out)
                out.append(contentsOf: " : ".utf8)
                entry.value.writePretty(into: &out, sortedKeys: sortedKeys, depth: depth + 1)
            }
            Self.newline(indent: depth, into: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(indent: Int, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * indent))
    }
}
