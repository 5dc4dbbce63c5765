import Arithmetic
import ChatModel
import Reactor
import Synchronization

/// How many loops may live at once, and how long an ended loop's transcript is kept.
public struct LoopLimits: Sendable, Equatable {
    /// Running or waiting loops per caller.
    public var maxPerKey = 16
    /// Running or waiting loops in all.
    public var maxTotal = 1024
    /// Seconds an ended loop's transcript stays readable.
    public var retentionSeconds = 600.0

    public init() {}
}

/// The daemon's chat loops by id. Live loops are bounded (per caller and in all); ended ones
/// are kept for their transcript until the retention time passes, and the oldest ended ones
/// go first when more than `maxTotal` of them pile up.
public final class LoopRegistry: Sendable {
    private struct Entry {
        var loop: ChatLoop
        var endedOrder: UInt64?
    }
    private struct Table {
        var entries: [String: Entry] = [:]
        /// Numbers the loops in the order they ended (oldest evicted first).
        var endedSequence: UInt64 = 0
    }
    private let table = Mutex(Table())

    public init() {}

    /// Adds a new loop, or refuses with 429 when its caller (or the daemon) has too many live.
    func insert(_ loop: ChatLoop, limits: LoopLimits) throws(GatewayError) {
        let refusal: GatewayError? = table.withLock { table in
            var live = 0
            var liveForOwner = 0
            for entry in table.entries.values where entry.endedOrder == nil {
                live += 1
                if entry.loop.owner == loop.owner { liveForOwner += 1 }
            }
            if liveForOwner >= limits.maxPerKey {
                return Self.tooMany(
                    "this key already has \(liveForOwner) open loops (at most \(limits.maxPerKey)); end one first",
                    limit: limits.maxPerKey)
            }
            if live >= limits.maxTotal {
                return Self.tooMany(
                    "the gateway has \(live) open loops (at most \(limits.maxTotal)); try again later",
                    limit: limits.maxTotal)
            }
            table.entries[loop.id] = Entry(loop: loop)
            return nil
        }
        if let refusal { throw refusal }
    }

    /// The loop with this id if `owner` may see it (another caller's loop does not exist for them).
    func find(_ id: String, owner: LoopOwner) -> ChatLoop? {
        table.withLock { table in
            guard let entry = table.entries[id], entry.loop.owner == owner else { return nil }
            return entry.loop
        }
    }

    /// Drops a loop's transcript now.
    func remove(_ id: String) {
        _ = table.withLock { $0.entries.removeValue(forKey: id) }
    }

    /// The loop ended: its transcript goes after the retention time (or sooner, when ended
    /// transcripts exceed `maxTotal`).
    func loopEnded(_ loop: ChatLoop, on eventLoop: EventLoop, limits: LoopLimits) {
        table.withLock { table in
            guard table.entries[loop.id] != nil else { return }
            table.endedSequence += 1
            table.entries[loop.id]?.endedOrder = table.endedSequence
            var ended = 0
            var oldest: (id: String, order: UInt64)?
            for (id, entry) in table.entries {
                guard let order = entry.endedOrder else { continue }
                ended += 1
                if order < oldest?.order ?? .max { oldest = (id, order) }
            }
            if ended > limits.maxTotal, let oldest { table.entries.removeValue(forKey: oldest.id) }
        }
        let id = loop.id
        _ = eventLoop.schedule(afterNanoseconds: Saturating.nanoseconds(seconds: limits.retentionSeconds)) {
            [weak self] in
            self?.remove(id)
        }
    }

    /// Shutdown: loops waiting for tool results end now (their streams get `done`
    /// `cancelled`) instead of holding the drain until its grace period runs out. Loops in
    /// the middle of a turn finish the turn, then end the same way (`ChatLoop` checks).
    func cancelWaiting() {
        let live = table.withLock { $0.entries.values.filter { $0.endedOrder == nil }.map(\.loop) }
        for loop in live where loop.status == .awaitingTools { _ = loop.requestCancel() }
    }

    /// Live and ended loops (for metrics and tests).
    var counts: (live: Int, ended: Int) {
        table.withLock { table in
            let ended = table.entries.values.filter { $0.endedOrder != nil }.count
            return (table.entries.count - ended, ended)
        }
    }

    private static func tooMany(_ message: String, limit: Int) -> GatewayError {
        .rateLimited(
            message, retryAfterSeconds: 1,
            headers: [("x-ratelimit-limit-loops", String(limit)), ("x-ratelimit-remaining-loops", "0")])
    }
}
