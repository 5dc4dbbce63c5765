/// One daemon's news that it took a deployment out, published on a Redis channel for the
/// others (`SharedRoutingClient`): which deployment (provider name, model, key index: the
/// same on every daemon with the same configuration), why, and until when in Unix ms (the
/// daemons' monotonic clocks do not agree; their wall clocks are assumed to, within NTP).
///
/// On the wire: fields separated by newlines (names from the configuration hold none):
/// `v1`, the sender's node id, the reason, the Unix ms, the provider, the key index, the model.
struct CooldownMessage: Sendable, Equatable {
    var node: String
    var why: DeploymentHealth.OutElsewhere
    var untilMillis: Int64
    var provider: String
    var keyIndex: Int
    var model: String

    static let channel = "switchboard:cooldowns"

    var payload: String {
        ["v1", node, why.rawValue, String(untilMillis), provider, String(keyIndex), model].joined(separator: "\n")
    }

    /// Nil for anything that is not a well-formed message (numbers are range-checked: a
    /// message comes from outside the process).
    init?(payload: String) {
        let fields = payload.split(separator: "\n", omittingEmptySubsequences: false)
        guard fields.count == 7, fields[0] == "v1", !fields[1].isEmpty,
            let why = DeploymentHealth.OutElsewhere(rawValue: String(fields[2])),
            let until = Int64(fields[3]), (0...Self.latestMillis).contains(until),
            let key = Int(fields[5]), (0...10_000).contains(key),
            !fields[4].isEmpty, !fields[6].isEmpty
        else { return nil }
        self.init(
            node: String(fields[1]), why: why, untilMillis: until, provider: String(fields[4]), keyIndex: key,
            model: String(fields[6]))
    }

    init(
        node: String, why: DeploymentHealth.OutElsewhere, untilMillis: Int64, provider: String, keyIndex: Int,
        model: String
    ) {
        self.node = node
        self.why = why
        self.untilMillis = untilMillis
        self.provider = provider
        self.keyIndex = keyIndex
        self.model = model
    }

    /// Year 9999: no real time is later, and the arithmetic on it stays far from overflow.
    static let latestMillis: Int64 = 253_402_300_799_000

    /// The message's end on this daemon's monotonic clock, given both clocks' now.
    func monotonicUntil(nowMonotonic: Double, nowMillis: Int64) -> Double {
        nowMonotonic + Double(untilMillis - nowMillis) / 1000
    }

    /// A monotonic end as Unix ms, given both clocks' now (clamped into the message's range).
    static func unixMillis(of until: Double, nowMonotonic: Double, nowMillis: Int64) -> Int64 {
        let delta = ((until - nowMonotonic) * 1000).rounded()
        guard delta.isFinite else { return nowMillis }
        let clamped = min(max(delta, -Double(nowMillis)), Double(latestMillis - nowMillis))
        return nowMillis + Int64(clamped)
    }
}
