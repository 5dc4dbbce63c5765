/// Finished requests' real token counts waiting to ride with their key's next admission to
/// Redis (`LimitScripts.admit` applies them first), so a request's end costs Redis no call of
/// its own. Only requests with nothing else to settle wait here: no concurrency lease or dollar
/// reservation to release, no budget to book. Pure: the client owns the timer that sends what
/// waited too long on its own.
struct PendingCorrections {
    struct Correction: Equatable {
        let request: String
        let tokens: Int
    }

    /// The most corrections one admission carries (Lua's `unpack` has a limit, and one call
    /// should stay short on the thread every daemon waits on).
    static let perAdmission = 64

    private var byKey: [String: [Correction]] = [:]

    var isEmpty: Bool { byKey.isEmpty }

    mutating func add(keyId: String, request: String, tokens: Int) {
        byKey[keyId, default: []].append(Correction(request: request, tokens: tokens))
    }

    /// Up to `perAdmission` of `keyId`'s corrections, oldest first, no longer pending.
    mutating func take(keyId: String) -> ArraySlice<Correction> {
        guard let waiting = byKey[keyId] else { return [] }
        guard waiting.count > Self.perAdmission else {
            byKey[keyId] = nil
            return waiting[...]
        }
        byKey[keyId] = Array(waiting.dropFirst(Self.perAdmission))
        return waiting.prefix(Self.perAdmission)
    }

    /// Every key's corrections, no longer pending (they go to Redis on their own).
    mutating func takeAll() -> [(keyId: String, Correction)] {
        defer { byKey.removeAll() }
        return byKey.flatMap { keyId, corrections in corrections.map { (keyId, $0) } }
    }
}
