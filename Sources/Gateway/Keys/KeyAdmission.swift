import Arithmetic
import ChatModel
import Store

/// A key's request let through its policy: allowed model, budget left, rate limits. Settled
/// with the real token count when the request ends.
struct KeyAdmission: Sendable {
    let key: VirtualKeyRef
    let ticket: Int

    struct VirtualKeyRef: Sendable { let id: String }

    static func admit(_ key: VirtualKey, request: ChatRequest, state: GatewayState) throws(GatewayError) -> KeyAdmission {
        if !key.models.isEmpty, !key.models.contains(request.model) {
            throw GatewayError(status: 403, type: .forbidden,
                               message: "key \(key.id) may not use model \"\(request.model)\" (allowed: \(key.models.joined(separator: ", ")))",
                               param: "model")
        }
        if let budget = key.tokenBudget, let keys = state.keys, keys.tokensUsed(keyId: key.id) >= budget {
            throw GatewayError(status: 429, type: .budgetExceeded,
                               message: "key \(key.id) has used its token budget of \(budget); ask an admin to raise it",
                               headers: [("Retry-After", "3600"), ("x-ratelimit-limit-tokens", String(budget)),
                                         ("x-ratelimit-remaining-tokens", "0")])
        }
        let ticket = try state.limiter.admit(key, estimatedTokens: estimate(request))
        return KeyAdmission(key: VirtualKeyRef(id: key.id), ticket: ticket)
    }

    func complete(_ record: ChatRecord, state: GatewayState) {
        state.limiter.complete(key.id, ticket: ticket, actualTokens: record.usage.totalTokens)
        state.keys?.addUsage(keyId: key.id, tokens: record.usage.totalTokens)
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
