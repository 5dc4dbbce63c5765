import CHiredis

/// One Redis reply, copied out of hiredis's reply object (which hiredis frees after the
/// callback returns).
public enum RedisReply: Sendable, Equatable {
    case status(String)
    case error(String)
    case integer(Int)
    case string(String)
    case array([RedisReply])
    case null

    init(_ reply: UnsafePointer<redisReply>) {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STATUS: self = .status(Self.text(r))
        case REDIS_REPLY_ERROR: self = .error(Self.text(r))
        case REDIS_REPLY_INTEGER: self = .integer(Int(truncatingIfNeeded: r.integer))
        case REDIS_REPLY_STRING: self = .string(Self.text(r))
        case REDIS_REPLY_ARRAY:
            var items: [RedisReply] = []
            items.reserveCapacity(r.elements)
            for i in 0..<r.elements {
                if let element = r.element[i] { items.append(RedisReply(element)) } else { items.append(.null) }
            }
            self = .array(items)
        default: self = .null
        }
    }

    private static func text(_ r: redisReply) -> String {
        guard let str = r.str else { return "" }
        return str.withMemoryRebound(to: UInt8.self, capacity: r.len) {
            String(decoding: UnsafeBufferPointer(start: $0, count: r.len), as: UTF8.self)
        }
    }

    /// The integer of an integer reply (a Lua number comes back as one), else nil.
    public var integer: Int? {
        if case .integer(let n) = self { return n }
        return nil
    }

    /// The elements of an array reply, else nil.
    public var array: [RedisReply]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
