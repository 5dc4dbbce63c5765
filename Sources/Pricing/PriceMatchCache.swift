import Synchronization

/// The answers one `Pricer` has given, by the names it was asked about. Finding a dated id's
/// entry (`claude-3-5-haiku-latest` → `claude-3-5-haiku`) builds its candidate names and hashes
/// each, thousands of instructions a request for the same few names (issue 13); the answer is
/// a pure function of the names and the pricer's table and overrides, which never change after
/// `Pricer.init`, so a pricer keeps its own cache and a reload, which builds a new pricer, starts
/// an empty one: no answer outlives the prices it came from.
///
/// Bounded whatever clients name: at most `capacity` entries (emptied when full, so a stream of
/// hostile ids costs what it did without a cache) and only names of up to `longestKey` bytes.
/// Safe from any thread (every event loop prices with the same snapshot's pricer).
final class PriceMatchCache: Sendable {
    /// The names of one `Pricer.match` call.
    struct Key: Hashable, Sendable {
        var alias: String?
        var provider: String?
        var model: String?
    }

    static let capacity = 256
    /// Longest key cached, all three names' UTF-8 bytes together; longer ones are priced each time.
    static let longestKey = 512

    private let entries = Mutex<[Key: PriceMatch?]>([:])
    /// The pricer's overrides named `provider/model`, split at the first `/` once: provider →
    /// model (or `*`) → price. Kept here, not in `Pricer`, so a pricer (copied with every
    /// configuration snapshot, several times a request) holds one reference for both.
    let byProvider: [String: [String: ModelPrice]]

    init(byProvider: [String: [String: ModelPrice]]) {
        self.byProvider = byProvider
    }

    /// The answer stored for `key`: `.some(nil)` when it is known to have no price, nil when unknown.
    func answer(for key: Key) -> PriceMatch?? {
        entries.withLock { $0[key] }
    }

    /// Keeps `match` as the answer for `key`, unless the key is too long to keep.
    func store(_ match: PriceMatch?, for key: Key) {
        let size = (key.alias?.utf8.count ?? 0) + (key.provider?.utf8.count ?? 0) + (key.model?.utf8.count ?? 0)
        guard size <= Self.longestKey else { return }
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = .some(match)
        }
    }

    /// How many answers are kept (tests check the bound).
    var count: Int { entries.withLock { $0.count } }
}
