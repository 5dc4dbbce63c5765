import Arithmetic
import ChatModel
import Reactor
import Store

/// A key's request let through its policy: allowed model, budget left, rate limits. Settled
/// with the real token count when the request ends.
struct KeyAdmission: Sendable {
    let key: VirtualKeyRef
    let ticket: Ticket
    /// Dollars reserved against the key's budget until the request ends.
    var reservedUSD = 0.0

    struct VirtualKeyRef: Sendable { let id: String }

    /// Where the rate admission was counted: this daemon's limiter, or Redis (shared).
    enum Ticket: Sendable {
        case local(Int)
        /// `periodStart`: the first day of the dollar budget's period at admission, where its
        /// cost is booked (nil: `total`).
        /// `withoutBudgets`: the key had no token or dollar budget at admission (its end has only
        /// a token count to correct, which may wait for the key's next admission).
        case shared(request: String, client: SharedLimitsClient, periodStart: Int?, withoutBudgets: Bool)
    }

    /// Admits `key`'s request, calling `done` on `loop`: at once with local limits, from the
    /// reply with the Redis backend (one round trip, no thread hop).
    static func admit(
        _ key: VirtualKey, request: ChatRequest, state: GatewayState, loop: EventLoop,
        _ done: @escaping (Result<KeyAdmission, GatewayError>) -> Void
    ) {
        let worstCase: Double
        do {
            worstCase = try checkPolicy(key, request: request, state: state)
        } catch {
            done(.failure(error))
            return
        }
        let estimated = estimate(request)
        guard let shared = state.sharedLimits, Self.countsShared(key) else {
            done(Result { () throws(GatewayError) in try admitLocally(key, estimated, worstCase, state: state) })
            return
        }
        let client = SharedLimitsClient.forLoop(loop, shared: shared)
        // Budgets' figures only for keys that have them (each is a look-up behind a lock).
        let period = key.budgetUSD == nil ? (start: nil, spent: 0, keepMillis: 0) : state.budgets.currentPeriod(of: key)
        let tokensSpent = key.tokenBudget == nil ? 0 : state.keys?.tokensUsed(keyId: key.id) ?? 0
        let budgets = BudgetScripts.arguments(
            tokenBudget: key.tokenBudget, tokensSpent: tokensSpent,
            budgetUSD: key.budgetUSD, spentUSD: period.spent, worstCaseUSD: worstCase, keepMillis: period.keepMillis)
        client.admit(key, estimatedTokens: estimated, budgets: budgets, periodStart: period.start) { outcome in
            switch outcome {
            case .admitted(let id):
                // The dollars are reserved in Redis; this daemon's ledger only books the cost.
                let ticket = Ticket.shared(
                    request: id, client: client, periodStart: period.start,
                    withoutBudgets: key.tokenBudget == nil && key.budgetUSD == nil)
                done(.success(KeyAdmission(key: key, ticket: ticket, 0)))
            case .refused(let error):
                done(.failure(error))
            case .tokenBudgetSpent:
                done(.failure(tokenBudgetExceeded(key, budget: key.tokenBudget ?? 0)))
            case .dollarBudgetSpent(let spent):
                let budget = key.budgetUSD ?? 0
                done(
                    .failure(
                        state.budgets.refusal(
                            key, budget: budget, spent: spent, resetDay: state.budgets.resetDay(of: key))))
            case .unavailable:
                shared.admittedWithoutRedis()
                if shared.settings.onUnavailable == .failClosed {
                    done(
                        .failure(
                            GatewayError(
                                status: 503, type: .overloaded,
                                message: "the shared limits store (redis) is unreachable and limits.on_unavailable "
                                    + "is fail_closed; retry shortly", headers: [("Retry-After", "1")])))
                } else {
                    done(
                        Result { () throws(GatewayError) in try admitLocally(key, estimated, worstCase, state: state) })
                }
            }
        }
    }

    /// Whether `key`'s admission is decided by Redis (the reply comes later), not at once.
    static func awaitsRedis(_ key: VirtualKey, state: GatewayState) -> Bool {
        state.sharedLimits != nil && countsShared(key)
    }

    /// Whether the key has anything Redis counts: rate limits, concurrency, budgets.
    private static func countsShared(_ key: VirtualKey) -> Bool {
        key.rpm ?? 0 > 0 || key.tpm ?? 0 > 0 || key.maxConcurrent ?? 0 > 0 || key.tokenBudget != nil
            || key.budgetUSD != nil
    }

    /// The model is allowed; returns the dollars the request may cost at worst.
    private static func checkPolicy(_ key: VirtualKey, request: ChatRequest, state: GatewayState)
        throws(GatewayError) -> Double
    {
        if !key.models.isEmpty, !key.models.contains(request.model) {
            throw GatewayError(
                status: 403, type: .forbidden,
                message:
                    "key \(key.id) may not use model \"\(request.model)\" (allowed: "
                    + "\(key.models.joined(separator: ", ")))",
                param: "model")
        }
        // The worst case is priced before the rate limiter admits, so a refusal leaves nothing to undo.
        return key.budgetUSD == nil ? 0 : try BudgetReservation.worstCase(request, key: key, state: state)
    }

    private static func tokenBudgetExceeded(_ key: VirtualKey, budget: Int) -> GatewayError {
        GatewayError(
            status: 429, type: .budgetExceeded,
            message: "key \(key.id) has used its token budget of \(budget); ask an admin to raise it",
            headers: [
                ("Retry-After", "3600"), ("x-ratelimit-limit-tokens", String(budget)),
                ("x-ratelimit-remaining-tokens", "0"),
            ])
    }

    private static func admitLocally(_ key: VirtualKey, _ estimated: Int, _ worstCase: Double, state: GatewayState)
        throws(GatewayError) -> KeyAdmission
    {
        if let budget = key.tokenBudget, let keys = state.keys, keys.tokensUsed(keyId: key.id) >= budget {
            throw tokenBudgetExceeded(key, budget: budget)
        }
        let ticket = try state.limiter.admit(key, estimatedTokens: estimated)
        let reserved: Double
        do {
            reserved = try state.budgets.admit(key, worstCase: worstCase)
        } catch {
            state.limiter.complete(key.id, ticket: ticket, actualTokens: 0)
            throw error
        }
        return KeyAdmission(key: key, ticket: .local(ticket), reserved)
    }

    private init(key: VirtualKey, ticket: Ticket, _ reserved: Double) {
        self.key = VirtualKeyRef(id: key.id)
        self.ticket = ticket
        self.reservedUSD = reserved
    }

    func complete(_ record: ChatRecord, state: GatewayState) {
        let tokens = record.usage.totalTokens
        let cost = state.cost(of: record)?.usd
        switch ticket {
        case .local(let ticket):
            state.limiter.complete(key.id, ticket: ticket, actualTokens: tokens)
        case .shared(let request, let client, let start, let withoutBudgets):
            let keyId = key.id
            let settle: @Sendable () -> Void = {
                client.settle(
                    keyId: keyId, request: request, tokens: tokens, usd: cost, periodStart: start,
                    withoutBudgets: withoutBudgets)
            }
            if client.loop.inEventLoop { settle() } else { client.loop.execute(settle) }
        }
        state.keys?.addUsage(keyId: key.id, tokens: tokens)
        state.budgets.settle(keyId: key.id, reserved: reservedUSD, cost: cost)
    }

    /// A cheap up-front guess for `tpm`: about four characters a token, plus the answer's cap.
    /// Saturating: `max_tokens` is range-checked at decoding, but the guess must not trap for
    /// any request (a chat loop's transcript grows turn by turn).
    static func estimate(_ request: ChatRequest) -> Int {
        var characters = 0
        for message in request.messages {
            for part in message.content {
                // An image as ~800 tokens: 4 × 800 characters at the estimate's 4 per token.
                characters = Saturating.add(characters, PromptSize.bytes(of: part, image: 4 * 800))
            }
        }
        return Saturating.add(characters / 4, request.maxTokens ?? 256)
    }
}
