import ChatModel

/// What every provider's stream decoder shares: the answer's one `start`, its running usage,
/// its one `usage` and one `done`, its open tool calls, and what an error means before and
/// after the answer began. Decoders read their provider's events and report here; the rules
/// live in one place, so the three providers cannot drift apart.
///
/// States and events (`emit` receives what goes to the client):
///
/// | state   | `start`          | `end(reason)`                         | `fail(error)`                         |
/// |---------|------------------|---------------------------------------|---------------------------------------|
/// | waiting | `start`; started | `start`, calls, `usage`, `done`; done | `error` alone; done                   |
/// | started | nothing          | calls, `usage`, `done`; done          | calls, `error`, `usage`, `done`; done |
/// | done    | nothing          | nothing                               | nothing                               |
///
/// ("calls": the tool calls still open, completed; a failed stream's `done` is `.error`.)
///
/// An error before the answer began is the provider refusing the request: the pipeline turns
/// it into an ordinary (retryable) HTTP error, so no `start`, `usage` or `done` may follow it,
/// and whatever the provider sends after it no longer counts (the decoder is done). After the
/// start the client already has a stream, which must end with exactly one `usage` and `done`.
///
/// A class, not a struct: `emit` may read the decoder's `usageSoFar` (the relay does, when it
/// writes a held `start`), which a mutating call on a struct property would hold exclusively.
/// One per answer.
final class StreamBuilder {
    let provider: String
    private let requestedModel: String
    private let created: Int
    /// The answer's tool calls; decoders feed fragments, the builder finishes what is left open.
    var tools = ToolCallAssembler()
    private(set) var hasStarted = false
    private(set) var isDone = false
    /// The provider's running count: decoders replace it as reports arrive; `end` and `fail`
    /// send the last one.
    var usage = Usage.zero

    init(provider: String, model: String, created: Int = 0) {
        self.provider = provider
        requestedModel = model
        self.created = created
    }

    /// Opens the answer, once: the id, model and time the provider gave (nil: the request's
    /// model, the decoder's clock).
    func start(id: String, model: String?, created: Int? = nil, _ emit: (StreamEvent) -> Void) {
        guard !hasStarted, !isDone else { return }
        hasStarted = true
        emit(.start(id: id, model: model ?? requestedModel, provider: provider, created: created ?? self.created))
    }

    /// The provider's natural end: an answer that never sent its first event still starts
    /// (with what is known), open tool calls complete, then the one `usage` and `done`.
    func end(_ reason: FinishReason, providerFinishReason: String?, _ emit: (StreamEvent) -> Void) {
        guard !isDone else { return }
        start(id: "", model: nil, emit)
        tools.finishAll().forEach(emit)
        isDone = true
        emit(.usage(usage))
        emit(.done(reason, providerFinishReason: providerFinishReason))
    }

    /// The provider reported an error (in the stream, or an answer it cannot deliver).
    func fail(_ error: StreamError, providerFinishReason: String? = nil, _ emit: (StreamEvent) -> Void) {
        guard !isDone else { return }
        isDone = true
        guard hasStarted else {
            emit(.error(error))
            return
        }
        tools.finishAll().forEach(emit)
        emit(.error(error))
        emit(.usage(usage))
        emit(.done(.error, providerFinishReason: providerFinishReason))
    }
}
