import Store

/// The admissions of one key asked for in one loop round while the loop's Redis connection was
/// busy: they go in one call of the admit script, which decides them in order
/// (`LimitScripts.admit`). Under load this is what keeps Redis's work per request small: the
/// call's fixed part (its set-up, Redis's clock, the expired entries, the window's counts) is
/// paid once per batch.
struct AdmissionBatch {
    /// One request waiting in the batch.
    struct Request {
        let id: String
        let estimatedTokens: Int
        /// Its worst case in dollars, formatted for the script (`BudgetScripts.dollars`).
        let worstCase: String
        let done: (SharedLimitsClient.Outcome) -> Void
    }

    let key: VirtualKey
    let periodStart: Int?
    /// The budgets' arguments shared by the batch (`BudgetScripts.Arguments.shared`).
    let budgets: [String]
    private(set) var requests: [Request] = []

    /// Enough for a round's worth of one key's requests; more wait for the next call, so the
    /// script's argument lists stay far below Lua's limits.
    static let maxRequests = 64

    init(key: VirtualKey, periodStart: Int?, budgets: [String]) {
        self.key = key
        self.periodStart = periodStart
        self.budgets = budgets
    }

    var isFull: Bool { requests.count >= Self.maxRequests }

    /// Whether the key has a request or token rate and nothing else for Redis to check: then
    /// the batch goes to the smaller script (`LimitScripts.admitRated`).
    var isRatedOnly: Bool {
        ((key.rpm ?? 0) > 0 || (key.tpm ?? 0) > 0) && (key.maxConcurrent ?? 0) == 0 && budgets == BudgetScripts.none
    }

    /// Whether a request of `key` may join: the same key, with the same limits, period and
    /// budget figures (a key changed by an admin within the round starts a batch of its own).
    func accepts(_ key: VirtualKey, periodStart: Int?, budgets: [String]) -> Bool {
        key.id == self.key.id && key.rpm == self.key.rpm && key.tpm == self.key.tpm
            && key.maxConcurrent == self.key.maxConcurrent && periodStart == self.periodStart
            && budgets == self.budgets && !isFull
    }

    mutating func append(_ request: Request) {
        requests.append(request)
    }
}
