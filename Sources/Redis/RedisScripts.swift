/// Lua scripts run by hash on one connection: loaded on every connect, sent as `EVALSHA` once
/// loaded and as `EVAL` before, and again as `EVAL` on `NOSCRIPT` (a server restarted or
/// flushed forgets its scripts). The limits backends keep one per connection.
///
/// Loop-confined, like its connection.
public final class RedisScripts: @unchecked Sendable {
    public let sources: [String]
    private let connection: RedisConnection
    /// `EVALSHA` and the SHA1 of each script once Redis has it loaded, encoded once: every call
    /// starts with them.
    private var heads: [RedisCommand?]

    public init(_ sources: [String], on connection: RedisConnection) {
        self.sources = sources
        self.connection = connection
        heads = Array(repeating: nil, count: sources.count)
    }

    /// Call from the connection's `onStateChange`: loads every script when it comes up,
    /// forgets their hashes when it goes down.
    public func connectionChanged(up: Bool) {
        guard up else {
            heads = heads.map { _ in nil }
            return
        }
        for (i, script) in sources.enumerated() {
            connection.send(["SCRIPT", "LOAD", script]) { [unowned self] reply in
                if case .string(let sha)? = reply { heads[i] = RedisCommand(["EVALSHA", sha]) }
            }
        }
    }

    /// A call's first arguments: `EVALSHA` and the hash when loaded, else `EVAL` and the
    /// script; then the number of keys. Append the keys and arguments, then `run` it.
    public func head(_ script: Int, keys: Int) -> RedisCommand {
        var command = RedisCommand()
        if let head = heads[script] {
            command.append(contentsOf: head)
        } else {
            command.append("EVAL")
            command.append(sources[script])
        }
        command.append(keys)
        return command
    }

    /// Sends `command` (made by `head`); on `NOSCRIPT` sends it again as `EVAL`.
    public func run(
        _ script: Int, _ command: RedisCommand, urgent: Bool = false, _ reply: @escaping (RedisReply?) -> Void
    ) {
        connection.send(command, urgent: urgent) { [unowned self] answer in
            if case .error(let text)? = answer, text.hasPrefix("NOSCRIPT") {
                heads[script] = nil
                connection.send(command.replacingHead(2, with: ["EVAL", sources[script]]), urgent: urgent, reply)
            } else {
                reply(answer)
            }
        }
    }
}
