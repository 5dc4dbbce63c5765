/// Writing a body straight into bytes: the literal keys and punctuation spelled in code, and
/// whole numbers. A `String` literal's `.utf8` goes through the generic sequence append (about
/// 200 instructions a call) and `String(n)` makes a string per number; these copy the bytes.

/// Appends the bytes of `text`, a literal spelled in code (a key, punctuation, `null`).
@inlinable
public func appendJSONLiteral(_ text: StaticString, to out: inout [UInt8]) {
    out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
}

/// Appends `value` in decimal, byte for byte as `String(value)` spells it.
public func appendJSONInteger(_ value: Int, to out: inout [UInt8]) {
    if value >= 0 && value < 10 {
        out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value))
        return
    }
    // `magnitude` holds `Int.min` too; its 19 digits and the sign fit the 20 bytes.
    var magnitude = value.magnitude
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
        var i = 20
        repeat {
            i -= 1
            digits[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        if value < 0 {
            i -= 1
            digits[i] = UInt8(ascii: "-")
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[i..<20]))
    }
}
