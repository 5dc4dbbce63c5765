extension ModelCatalog {
    /// Another daemon took a deployment out (`CooldownMessage`): every alias's deployment of
    /// that provider key and model is out here too, until the same time. Returns how many
    /// deployments heard it.
    @discardableResult
    func outElsewhere(_ message: CooldownMessage, nowMillis: Int64) -> Int {
        let until = message.monotonicUntil(nowMonotonic: now(), nowMillis: nowMillis)
        var matched = 0
        for alias in aliases.values {
            for d in alias.deployments
            where d.provider == message.provider && d.model == message.model && d.keyIndex == message.keyIndex {
                d.outElsewhere(until: until, why: message.why)
                matched += 1
            }
        }
        return matched
    }
}
