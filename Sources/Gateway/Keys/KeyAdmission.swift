import Arithmetic
import ChatModel
import Store

/// A key's request let through its policy: allowed model, budget left, rate limits. Settled
/// with the real token count when the request ends.
struct KeyAdmission: Sendable {
    let key: VirtualKeyRef
    let ticket: Int
    /// Dollars reserved against the key's budget until the request ends.
    var reservedUSD = 0.0

    struct VirtualKeyRef: Sendable { let id: String }

    static func admit(_ key: VirtualKey, request: ChatRequest, state: GatewayState) throws(GatewayError) -> KeyAdmission
    {
        if !key.models.isEmpty, !key.models.contains(request.model) {
            throw GatewayError(
                status: 403, type: .forbidden,
                message:
                    "key \(key.id) may not use model \"\(request.model)\" (allowed: "
                    + "\(key.models.joined(separator: ", ")))",
                param: "model")
        }
        if let budget = key.tokenBudget, let keys = state.keys, keys.tokensUsed(keyId: key.id) >= budget {
            throw GatewayError(
                status: 429, type: .budgetExceeded,
                message: "key \(key.id) has used its token budget of \(budget); ask an admin to raise it",
                headers: [
                    ("Retry-After", "3600"), ("x-ratelimit-limit-tokens", String(budget)),
                    ("x-ratelimit-remaining-tokens", "0"),
                ])
        }
        // The worst case is priced before the rate limiter admits, so a refusal leaves nothing to undo.
        let worstCase = key.budgetUSD == nil ? 0 : try BudgetReservation.worstCase(request, key: key, state: state)
        let ticket = try state.limiter.admit(key, estimatedTokens: estimate(request))
        let reserved: Double
        do {
            reserved = try state.budgets.admit(key, worstCase: worstCase)
        } catch {
            state.limiter.complete(key.id, ticket: ticket, actualTokens: 0)
            throw error
        }
        return KeyAdmission(key: VirtualKeyRef(id: key.id), ticket: ticket, reservedUSD: reserved)
    }

    func complete(_ record: ChatRecord, state: GatewayState) {
        state.limiter.complete(key.id, ticket: ticket, actualTokens: record.usage.totalTokens)
        state.keys?.addUsage(keyId: key.id, tokens: record.usage.totalTokens)
        state.budgets.settle(keyId: key.id, reserved: reservedUSD, cost: state.cost(of: record)?.usd)
    }

    /// A cheap up-front guess for `tpm`: about four characters a token, plus the answer's cap.
    /// Saturating: `max_tokens` is range-checked at decoding, but the guess must not trap for
    /// any request (a chat loop's transcript grows turn by turn).
    static func estimate(_ request: ChatRequest) -> Int {
        var characters = 0
        for message in request.messages {
            for part in message.content {
                let size: Int
                switch part {
                case .text(let t): size = t.text.utf8.count
                case .thinking(let t): size = t.text.utf8.count
                case .toolCall(let c): size = c.arguments.serialized().utf8.count
                case .image: size = 4 * 800
                case .serverTool(let t): size = t.block.serialized().utf8.count
                }
                characters = Saturating.add(characters, size)
            }
        }
        return Saturating.add(characters / 4, request.maxTokens ?? 256)
    }
}
