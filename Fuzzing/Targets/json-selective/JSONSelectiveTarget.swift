import FuzzSupport

@testable import JSON

/// The selective parse (`parse(_:keeping:)`, used per stream chunk), against the full parse
/// of the same text: accepted or refused alike, and every kept top-level member equal.
/// Byte 0 chooses which keys are kept. `JSONReader` (the in-place reads of stream events) too:
/// reading nothing, or the top-level members whole, accepts or refuses alike and reads the
/// same members.
private let candidateKeys = ["choices", "usage", "error", "type", "delta", "index", "a", ""]
private let filters: [(JSONKeyFilter, [String])] = (0..<256).map { mask in
    let keys = candidateKeys.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element)
    return (JSONKeyFilter(keys), keys)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONSelective(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let (filter, keys) = filters[Int(data[0])]
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
    let full = try? JSONValue.parse(text)
    checkReader(text, full)
    let selective = try? JSONValue.parse(text, keeping: filter)
    guard let full, let selective else {
        fuzzExpect(
            full == nil && selective == nil,
            "accepted by one parse only: \(full == nil ? "the selective" : "the full") parse")
        return 0
    }
    guard case .object(let whole) = full else {
        fuzzExpect(selective == full, "a non-object document differs")
        return 0
    }
    guard case .object(let kept) = selective else {
        fuzzExpect(false, "an object became \(selective.kindName)")
        return 0
    }
    for key in keys { fuzzExpect(kept[key] == whole[key], "kept member \"\(key)\" differs") }
    // Members whose key has an escape are kept whatever the filter (the key is compared raw).
    for (key, _) in kept.entries { fuzzExpect(whole[key] != nil, "selective parse invented member \"\(key)\"") }
    return 0
}

private func checkReader(_ text: String, _ full: JSONValue?) {
    let skipped = (try? JSONReader.read(text) { _ in }) != nil
    fuzzExpect(skipped == (full != nil), "JSONReader skipping: accepted by one side only")
    var members = JSONObject()
    var isObject = false
    let read =
        (try? JSONReader.read(text) { (reader) throws(JSONParseError) in
            isObject = try reader.object { (key, value) throws(JSONParseError) in members[key.text] = try value.value()
            }
        }) != nil
    fuzzExpect(read == (full != nil), "JSONReader reading: accepted by one side only")
    if read, isObject { fuzzExpect(full == .object(members), "JSONReader read other members") }
}
