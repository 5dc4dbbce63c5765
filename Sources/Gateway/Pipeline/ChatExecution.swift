import Arithmetic
import ChatModel
import HTTPServer
import HTTPTypes
import Logging
import Providers
import Reactor
import Store

/// What happened to one chat request, for metering and metrics.
public struct ChatRecord: Sendable {
    public var requestId: String
    public var requestedModel: String
    public var provider: String?
    public var model: String?
    public var status: Int
    public var usage: Usage
    public var finishReason: FinishReason?
    public var attempts: Int
    /// The route that answered, when it was not the first one.
    public var fallbackUsed: String?
    public var firstTokenNanos: UInt64?
    public var totalNanos: UInt64
    /// Why the request failed before its answer began (what the client was sent).
    public var error: GatewayError?
    /// Some token counts are the gateway's estimate, not the provider's (a cut stream).
    public var usageEstimated = false
}

extension ChatRecord {
    /// A request refused before any upstream attempt.
    static func refused(_ request: ChatRequest, error: GatewayError, requestId: String) -> ChatRecord {
        ChatRecord(requestId: requestId, requestedModel: request.model, provider: nil, model: nil, status: error.status,
                   usage: .zero, finishReason: nil, attempts: 0, fallbackUsed: nil, firstTokenNanos: nil, totalNanos: 0,
                   error: error)
    }
}

/// Runs one chat request to its end: attempts with retries per route, then fallbacks, then the
/// final error. Retries and fallbacks happen only while nothing has reached the client.
///
/// Loop-confined to `writer.loop`. Keeps itself alive through the callbacks it hands out
/// until the request ends.
final class ChatExecution: @unchecked Sendable {
    private let request: ChatRequest
    private let routes: [ModelRoute]
    private let registry: ProviderRegistry
    /// Blanks the configuration's secrets out of every error that leaves for the client.
    private let secrets: SecretScrubber
    private let writer: ResponseWriter
    private let keepAliveSeconds: Double
    private let onComplete: (ChatRecord) -> Void
    private let contextCaches: ContextCacheStore?
    private let encoder: any ChatEncoder
    private let cacheTTLSeconds: Int
    /// The response goes on after this request (a chat loop's next turn): the stream is not
    /// ended when the answer is.
    private let streamContinues: Bool
    /// The context-cache entry the current attempt references (to forget it if Gemini no
    /// longer knows it).
    private var cacheKeyInUse: String?
    private var cacheRecreated = false
    /// The provider-limiter slot the current attempt holds.
    private var providerTicket: (limiter: ProviderLimiter, ticket: Int)?
    private var slotTimer: TimerHandle?

    private var routeIndex = 0
    /// Why the previous route was left for a fallback.
    private var providerFailure: GatewayError?
    private var attemptsOnRoute = 0
    private var totalAttempts = 0
    private var current: AnyObject?
    private var backoffTimer: TimerHandle?
    private let startedNanos = EventLoop.monotonicNanoseconds()
    private var random = SystemRandomNumberGenerator()

    init(request: ChatRequest, routes: [ModelRoute], registry: ProviderRegistry, secrets: SecretScrubber,
         writer: ResponseWriter,
         keepAliveSeconds: Double, contextCaches: ContextCacheStore? = nil, cacheTTLSeconds: Int = 600,
         encoder: any ChatEncoder = UnifiedEncoder(), streamContinues: Bool = false,
         onComplete: @escaping (ChatRecord) -> Void) {
        self.encoder = encoder
        self.streamContinues = streamContinues
        self.contextCaches = contextCaches
        self.cacheTTLSeconds = cacheTTLSeconds
        self.request = request
        self.routes = routes
        self.registry = registry
        self.secrets = secrets
        self.writer = writer
        self.keepAliveSeconds = keepAliveSeconds
        self.onComplete = onComplete
    }

    func run() { attempt() }

    /// Ends the request as a client disconnect would (upstream aborted, usage recorded as
    /// cancelled) but leaves the response open for the caller to finish. Every waiting state
    /// installs its cancellation as the writer's close handler, so that is what runs.
    func cancel() {
        let cancellation = writer.onClose
        writer.onClose = nil
        cancellation?()
    }

    private var route: ModelRoute { routes[routeIndex] }

    private func attempt() {
        guard let slot = registry[route.provider] else {
            finishWithError(GatewayError(status: 404, type: .notFound,
                                         message: "provider \(route.provider) is not configured", param: "model"))
            return
        }
        if let gemini = slot.adapter as? GeminiAdapter, let caches = contextCaches {
            do {
                if let plan = try GeminiCachePlan.plan(request, model: route.model) {
                    attemptWithContextCache(gemini, plan: plan, caches: caches, slot: slot)
                    return
                }
            } catch {
                finishWithError(error)
                return
            }
        }
        send(slot, cached: nil)
    }

    /// Gemini explicit caching: reuse the entry for this prefix, or create it first. A
    /// provider that refuses to cache (prefix too small, …) gets the request uncached.
    private func attemptWithContextCache(_ gemini: GeminiAdapter, plan: GeminiCachePlan, caches: ContextCacheStore,
                                         slot: ProviderSlot) {
        let key = SHA256.hex(String(decoding: plan.identity, as: UTF8.self))
        // An entry about to expire is not worth referencing: the margin is 30 s, or a quarter of a short TTL.
        let margin = Int64(min(30_000, cacheTTLSeconds * 250))
        if let entry = caches.lookup(key, nowMillis: WallClock.unixMillis(), marginMillis: margin) {
            cacheKeyInUse = key
            send(slot, cached: (entry.name, plan.messageCount))
            return
        }
        let model = route.model
        let creation = ContextCacheCreation { [self] created in
            current = nil
            guard !writer.isClosed else {
                record(status: 499, usage: .zero, finish: .cancelled, outcome: nil)
                return
            }
            if let created {
                caches.store(key, .init(name: created.name, model: model, expiresMillis: created.expiresMillis))
                cacheKeyInUse = key
                send(slot, cached: (created.name, plan.messageCount))
            } else {
                send(slot, cached: nil)
            }
        }
        current = creation
        writer.onClose = { [self] in
            creation.cancel()
            current = nil
            record(status: 499, usage: .zero, finish: .cancelled, outcome: nil)
        }
        creation.start(plan.createRequest(endpoint: slot.endpoint, ttlSeconds: cacheTTLSeconds), on: writer.loop)
    }

    /// Takes a slot from the provider's limiter (waiting up to its queue time), then sends.
    private func send(_ slot: ProviderSlot, cached: (name: String, messageCount: Int)?) {
        guard let limiter = slot.limiter else {
            launch(slot, cached: cached)
            return
        }
        let deadline = Double(EventLoop.monotonicNanoseconds()) / 1e9 + limiter.queueTimeoutSeconds
        acquire(limiter, deadline: deadline) { [self] ticket in
            providerTicket = (limiter, ticket)
            launch(slot, cached: cached)
        }
    }

    private func acquire(_ limiter: ProviderLimiter, deadline: Double, then proceed: @escaping (Int) -> Void) {
        switch limiter.tryAdmit(estimatedTokens: KeyAdmission.estimate(request)) {
        case .admitted(let ticket):
            writer.onClose = nil
            proceed(ticket)
        case .wait(let seconds):
            let now = Double(EventLoop.monotonicNanoseconds()) / 1e9
            guard now + seconds <= deadline else {
                writer.onClose = nil
                // Held back (its limits, or a provider's retry hint too long to wait): the
                // next fallback runs now, else the client hears when to come back.
                if routeIndex + 1 < routes.count {
                    routeIndex += 1
                    attemptsOnRoute = 0
                    attempt()
                    return
                }
                finishWithError(.rateLimited("\(route.provider) is at its configured rate limit; try again later",
                                             retryAfterSeconds: seconds, provider: route.provider))
                return
            }
            writer.onClose = { [self] in
                if let slotTimer { writer.loop.cancel(slotTimer) }
                slotTimer = nil
                record(status: 499, usage: .zero, finish: .cancelled, outcome: nil)
            }
            slotTimer = writer.loop.schedule(afterNanoseconds: Saturating.nanoseconds(seconds: seconds)) { [self] in
                slotTimer = nil
                acquire(limiter, deadline: deadline, then: proceed)
            }
        }
    }

    /// Gives the provider slot back with what the attempt really cost, and learns from the
    /// provider's answer.
    private func releaseProviderSlot(_ outcome: ChatOutcome) {
        guard let (limiter, ticket) = providerTicket else { return }
        providerTicket = nil
        var tokens = 0
        switch outcome.result {
        case .completed(let usage, _), .cancelled(let usage): tokens = usage.totalTokens
        case .failedBeforeFirstByte(let failure):
            if failure.error.status == 429 { limiter.holdBack(seconds: failure.retryAfterSeconds ?? 1) }
        }
        limiter.complete(ticket: ticket, actualTokens: tokens)
        limiter.learn(from: outcome.upstreamHeaders)
    }

    private func launch(_ slot: ProviderSlot, cached: (name: String, messageCount: Int)?) {
        writer.onClose = nil
        if cached == nil { cacheKeyInUse = nil }
        let upstreamRequest: UpstreamRequest
        do {
            if let cached, let gemini = slot.adapter as? GeminiAdapter {
                upstreamRequest = try gemini.upstreamRequest(for: request, model: route.model, endpoint: slot.endpoint,
                                                             stream: request.stream, cached: cached)
            } else {
                upstreamRequest = try slot.adapter.upstreamRequest(
                    for: request, model: route.model, endpoint: slot.endpoint, stream: request.stream)
            }
        } catch {
            refused(error)
            return
        }
        attemptsOnRoute += 1
        totalAttempts += 1
        let attempt = ChatAttempt(requestedModel: route.name, adapter: slot.adapter, model: route.model,
                                  upstreamRequest: upstreamRequest, request: request)
        if request.stream {
            let relay = ChatRelay(writer: writer, attempt: attempt, keepAliveSeconds: keepAliveSeconds, encoder: encoder,
                                  secrets: secrets, endsResponse: !streamContinues) { [self] in
                attemptFinished($0, slot: slot)
            }
            current = relay
            relay.start()
        } else {
            let collector = ChatCollector(writer: writer, attempt: attempt, encoder: encoder,
                                          secrets: secrets) { [self] in
                attemptFinished($0, slot: slot)
            }
            current = collector
            collector.start()
        }
    }

    private func attemptFinished(_ reported: ChatOutcome, slot: ProviderSlot) {
        current = nil
        let (outcome, estimated) = settleUsage(reported)
        releaseProviderSlot(outcome)
        switch outcome.result {
        case .completed(let usage, let finish):
            record(status: 200, usage: usage, finish: finish, outcome: outcome, estimated: estimated)
        case .cancelled(let usage):
            record(status: 499, usage: usage, finish: .cancelled, outcome: outcome, estimated: estimated)
        case .failedBeforeFirstByte(let failure):
            logFailure(failure, provider: slot.adapter.name)
            if writer.isClosed {
                record(status: 499, usage: .zero, finish: .cancelled, outcome: outcome)
                return
            }
            if let key = cacheKeyInUse, !cacheRecreated, [400, 403, 404].contains(failure.error.status) {
                // Gemini no longer knows the entry (expired early, deleted): recreate it once.
                contextCaches?.forget(key)
                cacheKeyInUse = nil
                cacheRecreated = true
                attempt()
                return
            }
            if failure.retryable, !outcome.sentToClient, slot.retry.allowsRetry(afterAttempts: attemptsOnRoute),
               let delay = slot.retry.delay(afterAttempts: attemptsOnRoute, retryAfter: failure.retryAfterSeconds,
                                            random: Double.random(in: 0..<1, using: &random)) {
                // The request's deadline is the provider's first-byte budget: a retry that
                // could not start within it is not worth the client's wait. A provider hint
                // beyond the retry's `max_wait_ms` gave no delay: fallback or the error now.
                let elapsed = Double(EventLoop.monotonicNanoseconds() - startedNanos) / 1e9
                if elapsed + delay < slot.endpoint.firstByteTimeout {
                    waitThenAttempt(seconds: delay)
                    return
                }
            }
            if isProviderFault(failure.error), routeIndex + 1 < routes.count {
                providerFailure = failure.error
                routeIndex += 1
                attemptsOnRoute = 0
                attempt()
                return
            }
            finishWithError(failure.error)
        }
    }

    /// The route's provider cannot take this request as asked (a field it has no equivalent
    /// of). On the first route that is the client's answer: a 400 naming the field and the
    /// provider, with no fallback tried (the request, not the provider, is at fault). On a
    /// fallback, reached only because earlier routes failed, the route is skipped, and when
    /// none is left the client hears the earlier failure, which is why it got no answer.
    private func refused(_ error: GatewayError) {
        if let (limiter, ticket) = providerTicket {
            providerTicket = nil
            limiter.complete(ticket: ticket, actualTokens: 0)
        }
        guard let earlier = providerFailure, error.status == 400 else {
            finishWithError(error)
            return
        }
        Self.logger.info("fallback skipped: its provider cannot take the request", metadata: [
            "request_id": "\(writer.requestId)", "route": "\(route.name)", "reason": "\(error.message)",
        ])
        guard routeIndex + 1 < routes.count else {
            finishWithError(earlier)
            return
        }
        routeIndex += 1
        attemptsOnRoute = 0
        attempt()
    }

    /// A cut stream's usage with what the provider did not report estimated (`UsageEstimate`).
    private func settleUsage(_ outcome: ChatOutcome) -> (ChatOutcome, estimated: Bool) {
        var settled = outcome
        switch outcome.result {
        case .completed(let usage, let finish):
            let (usage, estimated) = UsageEstimate.settle(usage, cut: finish == .error, deliveredBytes: outcome.deliveredBytes,
                                                          inputTokens: UsageEstimate.inputTokens(of: request))
            settled.result = .completed(usage: usage, finish: finish)
            return (settled, estimated)
        case .cancelled(let usage):
            let (usage, estimated) = UsageEstimate.settle(usage, cut: true, deliveredBytes: outcome.deliveredBytes,
                                                          inputTokens: UsageEstimate.inputTokens(of: request))
            settled.result = .cancelled(usage: usage)
            return (settled, estimated)
        case .failedBeforeFirstByte:
            return (outcome, false)
        }
    }

    /// Provider trouble (5xx, 429, timeouts) moves on to a fallback; a client-fault 4xx would
    /// fail the same way anywhere, so it goes straight back to the client.
    private func isProviderFault(_ error: GatewayError) -> Bool {
        error.status >= 500 || error.status == 429
    }

    private func waitThenAttempt(seconds: Double) {
        writer.onClose = { [self] in
            if let timer = backoffTimer { writer.loop.cancel(timer) }
            backoffTimer = nil
            record(status: 499, usage: .zero, finish: .cancelled, outcome: nil)
        }
        backoffTimer = writer.loop.schedule(afterNanoseconds: Saturating.nanoseconds(seconds: seconds)) { [self] in
            backoffTimer = nil
            writer.onClose = nil
            attempt()
        }
    }

    /// The operator's view of a failed attempt, retried or not. The message goes as the
    /// provider wrote it: the log handler scrubs every line with the live secrets.
    private func logFailure(_ failure: UpstreamFailure, provider: String) {
        Self.logger.log(level: failure.error.status >= 500 ? .warning : .info, "upstream attempt failed", metadata: [
            "request_id": "\(writer.requestId)", "provider": "\(provider)", "status": "\(failure.error.status)",
            "retryable": "\(failure.retryable)", "message": "\(failure.error.message)",
        ])
    }

    static let logger = Logger(label: "switchboard.upstream")

    /// Every error this request ends with, whoever made it, is scrubbed here: the one exit to
    /// the client (and to the loop that may write it as an event).
    private func finishWithError(_ unscrubbed: GatewayError) {
        let error = secrets.scrub(unscrubbed)
        var headers = HTTPHeaders()
        for header in error.headers { headers.add(header.name, header.value) }
        writer.respondJSON(status: error.status, body: encoder.error(error, requestId: writer.requestId), headers: headers)
        record(status: error.status, usage: .zero, finish: nil, outcome: nil, error: error)
    }

    private func record(status: Int, usage: Usage, finish: FinishReason?, outcome: ChatOutcome?, error: GatewayError? = nil,
                        estimated: Bool = false) {
        onComplete(ChatRecord(
            requestId: writer.requestId,
            requestedModel: routes.first?.name ?? request.model,
            provider: totalAttempts > 0 ? route.provider : nil,
            model: totalAttempts > 0 ? route.model : nil,
            status: status, usage: usage, finishReason: finish, attempts: totalAttempts,
            fallbackUsed: routeIndex > 0 ? route.name : nil,
            firstTokenNanos: outcome?.firstTokenNanos,
            totalNanos: EventLoop.monotonicNanoseconds() - startedNanos, error: error, usageEstimated: estimated))
    }
}
