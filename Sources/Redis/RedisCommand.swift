/// One Redis command, its arguments already in the protocol's form (`$<length>\r\n<bytes>\r\n`
/// each, binary-safe) in one buffer: built argument by argument, an argument possibly from
/// several pieces (a key's prefix and id), it reaches hiredis ready to send. hiredis's own
/// formatting of an argument list costs more than the rest of a command's trip through the
/// daemon (about 10,000 instructions for a script call of twenty arguments).
public struct RedisCommand: Sendable {
    /// The encoded arguments, one after the other (without the `*<count>` header).
    private(set) var bytes: [UInt8] = []
    /// Where each encoded argument ends in `bytes`.
    private(set) var ends: [Int] = []

    public init() {
        bytes.reserveCapacity(512)
        ends.reserveCapacity(24)
    }

    public init(_ arguments: [String]) {
        self.init()
        for argument in arguments { append(argument) }
    }

    /// The number of arguments.
    public var count: Int { ends.count }

    /// Appends one argument.
    public mutating func append(_ argument: String) {
        start(length: argument.utf8.count)
        bytes.append(contentsOf: argument.utf8)
        finish()
    }

    /// Appends one argument, the decimal digits of `n`: `$<length>\r\n<digits>\r\n` written right
    /// to left on the stack and appended at once (an append per piece cost ~600 instructions a
    /// number, several numbers an admission).
    public mutating func append(_ n: Int) {
        guard n >= 0 else {
            append(String(n))
            return
        }
        // At most 26 bytes: `$19\r\n`, 19 digits, `\r\n`.
        var scratch: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { raw in
            let text = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var at = 32
            func put(_ byte: UInt8) {
                at -= 1
                text[at] = byte
            }
            put(10)
            put(13)
            var rest = n, digits = 0
            repeat {
                put(UInt8(truncatingIfNeeded: 48 + rest % 10))
                rest /= 10
                digits += 1
            } while rest > 0
            put(10)
            put(13)
            repeat {
                put(UInt8(truncatingIfNeeded: 48 + digits % 10))
                digits /= 10
            } while digits > 0
            put(UInt8(ascii: "$"))
            bytes.append(contentsOf: UnsafeBufferPointer(start: text + at, count: 32 - at))
        }
        ends.append(bytes.count)
    }

    /// Appends every argument of `other` (arguments encoded once and reused: a key's names).
    public mutating func append(contentsOf other: RedisCommand) {
        let shift = bytes.count
        bytes.append(contentsOf: other.bytes)
        for end in other.ends { ends.append(end + shift) }
    }

    /// Appends one argument made of three pieces joined (a key: its prefix, an id, its kind).
    public mutating func append(joining first: String, _ second: String, _ third: String = "") {
        start(length: first.utf8.count + second.utf8.count + third.utf8.count)
        bytes.append(contentsOf: first.utf8)
        bytes.append(contentsOf: second.utf8)
        bytes.append(contentsOf: third.utf8)
        finish()
    }

    /// The argument at `index`, as text (tests, and the NOSCRIPT fallback's checks).
    public func argument(_ index: Int) -> String {
        let payload = self.payload(index)
        return String(decoding: bytes[payload], as: UTF8.self)
    }

    /// This command with its first `count` arguments replaced by `head` (EVALSHA's name and
    /// hash by EVAL's name and script, when the server has forgotten the script).
    public func replacingHead(_ count: Int, with head: [String]) -> RedisCommand {
        var command = RedisCommand(head)
        let start = count == 0 ? 0 : ends[count - 1]
        let shift = command.bytes.count - start
        command.bytes.append(contentsOf: bytes[start...])
        for end in ends[count...] { command.ends.append(end + shift) }
        return command
    }

    /// The whole command as Redis reads it (`*<count>\r\n` and the arguments), in a buffer
    /// valid during `body`.
    func withEncoded<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let header = 1 + Self.digits(count) + 2
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: header + bytes.count) { buffer in
            var i = 0
            func put(_ byte: UInt8) {
                buffer[i] = byte
                i += 1
            }
            put(UInt8(ascii: "*"))
            var divisor = 1
            while divisor * 10 <= count { divisor *= 10 }
            while divisor > 0 {
                put(UInt8(truncatingIfNeeded: 48 + count / divisor % 10))
                divisor /= 10
            }
            put(13)
            put(10)
            bytes.withUnsafeBufferPointer { source in
                if let base = source.baseAddress {
                    (buffer.baseAddress! + i).initialize(from: base, count: source.count)
                }
            }
            return body(UnsafeBufferPointer(start: buffer.baseAddress, count: header + bytes.count))
        }
    }

    // MARK: Encoding

    /// `$<length>\r\n`, written in one append (byte by byte, each append checks capacity
    /// and uniqueness: it was most of a command's cost).
    private mutating func start(length: Int) {
        var digits = Self.decimal(length)
        withUnsafeMutableBytes(of: &digits.text) { raw in
            let text = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            text[19 - digits.count] = UInt8(ascii: "$")
            bytes.append(contentsOf: UnsafeBufferPointer(start: text + 19 - digits.count, count: digits.count + 3))
        }
    }

    private mutating func finish() {
        bytes.append(contentsOf: Self.crlf)
        ends.append(bytes.count)
    }

    private static let crlf: [UInt8] = [13, 10]

    /// `n`'s digits right-aligned to end before index 20, then `\r\n` at 20 and 21 (index 0
    /// stays free for a `$` before the longest number, 19 digits).
    private static func decimal(
        _ n: Int
    ) -> (
        text: (
            UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
            UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
        ), count: Int
    ) {
        var text:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 13, 10)
        var count = 0
        withUnsafeMutableBytes(of: &text) { raw in
            var rest = n
            repeat {
                count += 1
                raw[20 - count] = UInt8(truncatingIfNeeded: 48 + rest % 10)
                rest /= 10
            } while rest > 0
        }
        return (text, count)
    }

    private static func digits(_ n: Int) -> Int {
        var count = 1, rest = n
        while rest >= 10 {
            rest /= 10
            count += 1
        }
        return count
    }

    /// Where the bytes of argument `index` are, inside its `$<length>\r\n…\r\n`.
    private func payload(_ index: Int) -> Range<Int> {
        let start = index == 0 ? 0 : ends[index - 1]
        var i = start + 1
        while bytes[i] != 13 { i += 1 }
        return (i + 2)..<(ends[index] - 2)
    }
}
