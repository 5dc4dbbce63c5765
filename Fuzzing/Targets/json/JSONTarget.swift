import FuzzSupport
import JSON

/// The full JSON parser. A refused document is an ordinary outcome; an accepted one must
/// serialize to JSON that parses back to the same value, and the String entry point must agree
/// with the bytes one.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let parsed: JSONValue
    do {
        parsed = try JSONValue.parse(UnsafeRawBufferPointer(bytes))
    } catch {
        fuzzExpect(error.offset >= 0 && error.offset <= size, "error offset \(error.offset) outside the input")
        return 0
    }
    let written = parsed.serialized()
    guard let reparsed = try? JSONValue.parse(written) else {
        fuzzExpect(false, "serialized output does not parse: \(written)")
        return 0
    }
    fuzzExpect(reparsed == parsed, "round trip changed the value: \(written)")
    if let text = String(validating: bytes, as: UTF8.self) {
        fuzzExpect((try? JSONValue.parse(text)) == parsed, "String and byte entry points disagree")
    }
    return 0
}
