import Arithmetic
import ChatModel
import Pricing
import Store

/// What a request of a key with a dollar budget reserves while it runs: the most it can cost
/// on any route it may take (its model and fallbacks), so the budget can be overspent by at
/// most one request's worst case however many run at once.
enum BudgetReservation {
    /// Output tokens assumed when a request sets no `max_tokens` (the Anthropic adapter's own
    /// default); its thinking budget is added. Set `max_tokens` to make the bound exact.
    static let defaultMaxOutput = 4096

    static func worstCase(_ request: ChatRequest, key: VirtualKey, state: GatewayState) throws(GatewayError) -> Double {
        let snapshot = state.currentSnapshot  // by reference: no copy of the snapshot (issue 13)
        let routes =
            (try? snapshot.value.catalog.everyRoute(for: request.model, overridingFallbacks: request.fallbacks)) ?? []
        let prompt = promptTokens(request)
        var output = request.maxTokens ?? defaultMaxOutput
        if request.maxTokens == nil, case .budget(let budget)? = request.thinking {
            output = Saturating.add(output, budget)
        }
        var worst = 0.0
        for route in routes {
            guard
                let match = snapshot.value.pricer.match(alias: route.name, provider: route.provider, model: route.model)
            else {
                throw GatewayError(
                    status: 403, type: .forbidden,
                    message: "key \(key.id) has a dollar budget and model \"\(route.model)\" has no "
                        + "price; add one under prices: in the configuration", param: "model")
            }
            worst = max(worst, match.price.worstCase(promptTokens: prompt, maxOutputTokens: output))
        }
        return worst
    }

    /// An upper bound on the prompt's tokens without a tokenizer: one per UTF-8 byte of text
    /// (byte-level tokenizers never make more), 1,600 per image, 64 per message and 256 for
    /// the request's framing, tools included.
    static func promptTokens(_ request: ChatRequest) -> Int {
        var tokens = 256
        for tool in request.tools {
            let size =
                tool.name.utf8.count + (tool.description?.utf8.count ?? 0)
                + tool.parameters.serialized().utf8.count
            tokens = Saturating.add(tokens, Saturating.add(size, 64))
        }
        for message in request.messages {
            tokens = Saturating.add(tokens, 64)
            for part in message.content {
                tokens = Saturating.add(tokens, PromptSize.bytes(of: part, image: 1600))
            }
        }
        return tokens
    }
}
