import CHiredis

extension RedisConnection {
    /// Subscribes to `channel`: `message` runs on the loop with each message's payload. A
    /// subscribed connection takes no other command (Redis's rule), so it is a connection of
    /// its own. The subscription ends with the connection: the owner subscribes again when
    /// `onStateChange` says it is back. Returns false when the connection is down.
    @discardableResult
    public func subscribe(_ channel: String, _ message: @escaping (String) -> Void) -> Bool {
        guard isConnected, let context else { return false }
        // hiredis keeps the callback for the subscription's life and calls it once more with
        // no reply when the connection goes: that call releases the box.
        let box = Unmanaged.passRetained(MessageBox(message)).toOpaque()
        let status = "SUBSCRIBE".withCString { command in
            channel.withCString { name in
                var argv: [UnsafePointer<CChar>?] = [command, name]
                var argvlen = [9, channel.utf8.count]
                return redisAsyncCommandArgv(context, subscriptionReplied, box, 2, &argv, &argvlen)
            }
        }
        guard status == REDIS_OK else {
            Unmanaged<MessageBox>.fromOpaque(box).release()
            return false
        }
        return true
    }
}

private final class MessageBox {
    let message: (String) -> Void
    init(_ message: @escaping (String) -> Void) { self.message = message }
}

/// hiredis's subscription callback: the subscribe confirmation, then each message
/// (`["message", channel, payload]`), then no reply when the connection goes.
private func subscriptionReplied(
    _ ac: UnsafeMutablePointer<redisAsyncContext>?, _ reply: UnsafeMutableRawPointer?,
    _ box: UnsafeMutableRawPointer?
) {
    guard let box else { return }
    guard let reply else {
        Unmanaged<MessageBox>.fromOpaque(box).release()
        return
    }
    let parsed = RedisReply(reply.assumingMemoryBound(to: redisReply.self))
    guard let items = parsed.array, items.count == 3, case .string("message") = items[0],
        case .string(let payload) = items[2]
    else { return }
    Unmanaged<MessageBox>.fromOpaque(box).takeUnretainedValue().message(payload)
}
