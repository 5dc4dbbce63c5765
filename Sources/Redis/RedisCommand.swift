/// One Redis command's arguments, packed end to end in one byte buffer (binary-safe). Built
/// argument by argument, an argument possibly from several pieces (a key's prefix and id), so
/// a command of twenty arguments costs two buffers, not twenty strings and the arrays joining them.
public struct RedisCommand: Sendable {
    /// The arguments' bytes, one after the other.
    private(set) var bytes: [UInt8] = []
    /// Where each argument ends in `bytes`.
    private(set) var ends: [Int] = []

    public init() {
        bytes.reserveCapacity(256)
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
        bytes.append(contentsOf: argument.utf8)
        ends.append(bytes.count)
    }

    /// Appends one argument, the decimal digits of `n`.
    public mutating func append(_ n: Int) {
        append(String(n))
    }

    /// Appends one argument made of three pieces joined (a key: its prefix, an id, its kind).
    public mutating func append(joining first: String, _ second: String, _ third: String = "") {
        bytes.append(contentsOf: first.utf8)
        bytes.append(contentsOf: second.utf8)
        bytes.append(contentsOf: third.utf8)
        ends.append(bytes.count)
    }

    /// The argument at `index`, as text (tests, logs of the command's name).
    public func argument(_ index: Int) -> String {
        let start = index == 0 ? 0 : ends[index - 1]
        return String(decoding: bytes[start..<ends[index]], as: UTF8.self)
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
}
