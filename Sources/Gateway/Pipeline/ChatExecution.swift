import Arithmetic
import ChatModel
import HTTPServer
import HTTPTypes
import Logging
import Pricing
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
    /// The door the request came in by (`ChatDoorLabel`): a metrics label.
    public var door = "chat"
    /// The alias deployment that answered ("provider/model", "provider[KEY_VAR]/model").
    public var deployment: String? = nil
    /// The answering route's price when the execution looked it up (`priceLookedUp`): the row
    /// is priced as the answer was, without a second lookup; nil there means no price.
    public var price: PriceMatch? = nil
    public var priceLookedUp = false
}

extension ChatRecord {
    /// A request refused before any upstream attempt.
    static func refused(_ request: ChatRequest, error: GatewayError, requestId: String) -> ChatRecord {
        ChatRecord(
            requestId: requestId, requestedModel: request.model, provider: nil, model: nil, status: error.status,
            usage: .zero, finishReason: nil, attempts: 0, fallbackUsed: nil, firstTokenNanos: nil, totalNanos: 0,
            error: error)
    }
}

/// Runs one chat request to its end: the I/O shell around `ExecutionStateMachine`, which
/// makes every decision (retries, fallbacks, the limiter's wait, the context cache,
/// cancellation). The shell feeds it events (with the time) and carries out its actions: the
/// timer, the limiter, the preparation, the relay or collector, the response, the record.
///
/// The execution alone owns cancellation: it installs the writer's close handler once for its
/// life and cancels whatever is in flight (preparation, timer, attempt) through the machine.
///
/// Loop-confined to `writer.loop`. Keeps itself alive through the callbacks it hands out
/// until the request ends.
final class ChatExecution: @unchecked Sendable {
    let request: ChatRequest
    let routes: [ModelRoute]
    /// Each route's provider slot (nil: not configured), looked up once for the request.
    private let slots: [ProviderSlot?]
    /// Blanks the configuration's secrets out of every error that leaves for the client.
    private let secrets: SecretScrubber
    let writer: ResponseWriter
    private let keepAliveSeconds: Double
    private let onComplete: (ChatRecord) -> Void
    private let contextCaches: ContextCacheStore?
    private let encoder: any ChatEncoder
    private let pricer: Pricer?
    /// The price of the route last attempted, by its index: retries of a route reuse it.
    private var pricedRoute: (index: Int, price: PriceMatch?)?
    private let cacheTTLSeconds: Int
    /// The response goes on after this request (a chat loop's next turn): the stream is not
    /// ended when the answer is.
    private let streamContinues: Bool
    /// The request's spans; nil when it is not traced.
    private let trace: RequestTrace?
    /// The Redis limits backend: limited providers count there, cool-downs are told there.
    let sharedLimits: SharedLimits?
    /// The attempt in flight admitted by Redis (its limiter and id, to settle it there).
    var sharedAttempt: (limiter: ProviderLimiter, id: String)?

    // `feed`'s state is `@exclusivity(unchecked)` (~10 checked accesses a request, issue 13): only
    // `feed` writes it, on the loop; the pure machine calls nothing back, and an event fed while
    // actions run only parks in `pending` or `queued`, so no two accesses overlap (as `EventLoop`).
    @exclusivity(unchecked) private(set) var machine: ExecutionStateMachine
    /// The machine's actions for the event in hand: one array, kept for the request's events.
    @exclusivity(unchecked) private var actions: [ExecutionStateMachine.Action] = []
    /// The event that arrived while the shell was carrying out actions (usually the only one,
    /// as a preparation reports back at once): handled after them, before any in `queued`.
    @exclusivity(unchecked) private var pending: ExecutionStateMachine.Event?
    /// Events that arrived after `pending`: handled in order after it.
    @exclusivity(unchecked) private var queued: [ExecutionStateMachine.Event] = []
    @exclusivity(unchecked) private var handling = false
    private var timer: TimerHandle?
    private var preparation: ContextCacheCreation?
    private var current: (any ExecutionAttempt)?
    /// The provider of the attempt in flight, counted in `ProviderActivity` until it ends.
    private var currentProvider: String?
    /// The last attempt's provider headers, for the limiter to learn from.
    private var lastUpstreamHeaders = HTTPHeaders()
    private let startedNanos = EventLoop.monotonicNanoseconds()
    /// The first route's upstream request, translated ahead (`prepareFirstAttempt`); taken by
    /// its first launch.
    private var prebuilt: UpstreamRequest?

    /// `request` is taken, not copied: the endpoint's request is its last use (a copy of
    /// `ChatRequest` is a retain of each of its fields, and a release of each later).
    init(
        request: consuming ChatRequest, routes: [ModelRoute], registry: ProviderRegistry, secrets: SecretScrubber,
        writer: ResponseWriter,
        keepAliveSeconds: Double, contextCaches: ContextCacheStore? = nil, cacheTTLSeconds: Int = 600,
        encoder: any ChatEncoder = UnifiedEncoder(), streamContinues: Bool = false, pricer: Pricer? = nil,
        trace: RequestTrace? = nil, sharedLimits: SharedLimits? = nil, onComplete: @escaping (ChatRecord) -> Void
    ) {
        self.sharedLimits = sharedLimits
        self.pricer = pricer
        self.trace = trace
        self.encoder = encoder
        self.streamContinues = streamContinues
        self.contextCaches = contextCaches
        self.cacheTTLSeconds = cacheTTLSeconds
        self.request = request
        self.routes = routes
        self.secrets = secrets
        self.writer = writer
        self.keepAliveSeconds = keepAliveSeconds
        self.onComplete = onComplete
        // By index: iterating the routes (or zipping them) copies each one, fields and all.
        var slots: [ProviderSlot?] = []
        var machineRoutes: [ExecutionStateMachine.Route] = []
        slots.reserveCapacity(routes.count)
        machineRoutes.reserveCapacity(routes.count)
        for i in routes.indices {
            let slot = routes[i].deployment?.slot ?? registry.slot(routes[i].provider, key: routes[i].keyIndex)
            slots.append(slot)
            machineRoutes.append(
                .init(
                    name: routes[i].name, provider: routes[i].provider, model: routes[i].model, retry: slot?.retry,
                    firstByteBudget: slot?.endpoint.firstByteTimeout ?? 0,
                    queueTimeout: slot?.limiter?.queueTimeoutSeconds, siblingFollows: routes[i].siblingFollows))
        }
        self.slots = slots
        machine = ExecutionStateMachine(routes: machineRoutes)
        // An event brings at most a few actions (an attempt's end: release, cancel the timer,
        // record, log): room for them at once, not grown twice on the first events.
        actions.reserveCapacity(4)
    }

    /// Translates the first route's upstream request ahead of `run` (while the key's
    /// admission is in flight to Redis), when nothing can change it before the launch: no
    /// context cache to look up first. Not after `run`.
    func prepareFirstAttempt() {
        guard machine.state == .admitting, let slot = slots.first ?? nil,
            contextCaches == nil || slot.contextCaching == nil
        else { return }
        prebuilt = try? slot.adapter.upstreamRequest(
            for: request, model: routes[0].model, endpoint: slot.endpoint, stream: request.stream)
    }

    func run() {
        writer.onClose = { [self] in feed(.clientClosed) }
        feed(.start(now: Self.now()))
    }

    /// Ends the request as a client disconnect would (upstream aborted, usage recorded as
    /// cancelled) but leaves the response open for the caller (a chat loop) to finish.
    func cancel() { feed(.clientClosed) }

    static func now() -> Double { Double(EventLoop.monotonicNanoseconds()) / 1e9 }

    func feed(_ event: ExecutionStateMachine.Event) {
        // An action may report back at once (a refusal, a cancelled relay): that event waits
        // until the current event's actions are all carried out (in `pending`, and only past
        // one in `queued`): the usual request allocates no queue.
        guard !handling else {
            if pending == nil && queued.isEmpty { pending = event } else { queued.append(event) }
            return
        }
        handling = true
        var next: ExecutionStateMachine.Event? = event
        while let event = next {
            actions.removeAll(keepingCapacity: true)
            machine.handle(event, into: &actions)
            // Carrying them out may feed events, never touch `actions`: those events wait.
            for action in actions { perform(action) }
            if let waiting = pending {
                pending = nil
                next = waiting
            } else {
                next = queued.isEmpty ? nil : queued.removeFirst()
            }
        }
        handling = false
    }

    private func perform(_ action: ExecutionStateMachine.Action) {
        switch action {
        case .prepare(let route): prepare(route)
        case .cancelPreparation:
            preparation?.cancel()
            preparation = nil
        case .acquireSlot(let route): acquireSlot(route)
        case .scheduleTimer(let seconds):
            timer = writer.loop.schedule(afterNanoseconds: Saturating.nanoseconds(seconds: seconds)) { [self] in
                timer = nil
                feed(.timerFired(now: Self.now()))
            }
        case .cancelTimer:
            if let timer { writer.loop.cancel(timer) }
            timer = nil
        case .launchAttempt(let route, let cached): launch(route, cached: cached)
        case .cancelAttempt: current?.cancel()
        case .releaseSlot(let route, let ticket, let tokens, let holdBack, let learn):
            releaseSlot(route, ticket: ticket, actualTokens: tokens, holdBackSeconds: holdBack, learn: learn)
        case .forgetCache(let key): contextCaches?.forget(key)
        case .respondWithError(let error): respond(error)
        case .record(let record): finish(record)
        case .log(let log): self.log(log)
        }
    }

    private func slot(_ route: Int) -> ProviderSlot? { slots[route] }

    // MARK: Preparation

    /// Explicit context caching where the adapter has it: reuse the entry for this prefix,
    /// or create it first. A provider that refuses to cache (prefix too small, …) gets the
    /// request uncached.
    private func prepare(_ route: Int) {
        guard let caches = contextCaches, let slot = slot(route), let caching = slot.contextCaching else {
            feed(.preparationFinished(.uncached, now: Self.now()))
            return
        }
        let plan: (any ContextCachePlan)?
        do {
            plan = try caching.contextCachePlan(for: request, model: routes[route].model)
        } catch {
            feed(.preparationFinished(.failed(error), now: Self.now()))
            return
        }
        guard let plan else {
            feed(.preparationFinished(.uncached, now: Self.now()))
            return
        }
        let key = SHA256.hex(String(decoding: plan.identity, as: UTF8.self))
        // An entry about to expire is not worth referencing: the margin is 30 s, or a quarter of a short TTL.
        let margin = Int64(min(30_000, cacheTTLSeconds * 250))
        if let entry = caches.lookup(key, nowMillis: WallClock.unixMillis(), marginMillis: margin) {
            let cache = ExecutionStateMachine.Cache(key: key, name: entry.name, messageCount: plan.messageCount)
            feed(.preparationFinished(.cached(cache), now: Self.now()))
            return
        }
        let model = routes[route].model
        let creation = ContextCacheCreation(caching: caching) { [self] created in
            preparation = nil
            // A response already over (a cancelled loop's) ends the request as cancelled.
            if writer.isClosed { feed(.clientClosed) }
            var result = ExecutionStateMachine.Preparation.uncached
            if let created {
                caches.store(key, .init(name: created.name, model: model, expiresMillis: created.expiresMillis))
                result = .cached(.init(key: key, name: created.name, messageCount: plan.messageCount))
            }
            feed(.preparationFinished(result, now: Self.now()))
        }
        preparation = creation
        creation.start(plan.createRequest(endpoint: slot.endpoint, ttlSeconds: cacheTTLSeconds), on: writer.loop)
    }

    // MARK: The provider limiter

    private func acquireSlot(_ route: Int) {
        guard let limiter = slot(route)?.limiter else { return }
        if let shared = sharedLimits, limiter.isLimited {
            acquireSharedSlot(route, limiter, shared)
            return
        }
        acquireLocalSlot(route, limiter)
    }

    func acquireLocalSlot(_ route: Int, _ limiter: ProviderLimiter) {
        switch limiter.tryAdmit(estimatedTokens: KeyAdmission.estimate(request)) {
        case .admitted(let ticket): feed(.slotGranted(ticket: ticket))
        case .wait(let seconds):
            ProviderActivity.shared.limiterWait(provider: routes[route].provider, seconds: seconds)
            feed(.slotBusy(waitSeconds: seconds, now: Self.now()))
        }
    }

    /// Gives the provider slot back with what the attempt really cost, and learns from the
    /// provider's answer.
    private func releaseSlot(_ route: Int, ticket: Int, actualTokens: Int, holdBackSeconds: Double?, learn: Bool) {
        guard let limiter = slot(route)?.limiter else { return }
        if let holdBackSeconds {
            limiter.holdBack(seconds: holdBackSeconds)
            Self.logger.info(
                "provider cooling down after a rate limit",
                metadata: [
                    "request_id": "\(writer.requestId)", "provider": "\(routes[route].provider)",
                    "seconds": "\(holdBackSeconds)",
                ])
        }
        if learn { limiter.learn(from: lastUpstreamHeaders) }
        if let attempt = sharedAttempt, let sharedLimits {
            // Admitted by Redis: settled there, with the hold-back for every daemon.
            sharedAttempt = nil
            SharedRoutingClient.forLoop(writer.loop, shared: sharedLimits).settle(
                attempt.limiter, attempt: attempt.id, tokens: actualTokens, holdSeconds: limiter.heldFor() ?? 0)
            return
        }
        limiter.complete(ticket: ticket, actualTokens: actualTokens)
    }

    // MARK: Attempts

    private func launch(_ index: Int, cached: ExecutionStateMachine.Cache?) {
        guard let slot = slot(index) else { return }
        let route = routes[index]
        var upstreamRequest: UpstreamRequest
        do {
            if index == 0, cached == nil, let ready = prebuilt {
                prebuilt = nil
                upstreamRequest = ready
            } else if let cached, let caching = slot.contextCaching {
                upstreamRequest = try caching.upstreamRequest(
                    for: request, model: route.model, endpoint: slot.endpoint,
                    stream: request.stream,
                    cached: (cached.name, cached.messageCount))
            } else {
                upstreamRequest = try slot.adapter.upstreamRequest(
                    for: request, model: route.model, endpoint: slot.endpoint, stream: request.stream)
            }
        } catch {
            feed(.attemptRefused(error))
            return
        }
        trace?.attemptStarted(&upstreamRequest, route: route.name, provider: route.provider, model: route.model)
        if let pricer, pricedRoute?.index != index {
            pricedRoute = (index, pricer.match(alias: route.name, provider: route.provider, model: route.model))
        }
        let attempt = ChatAttempt(
            requestedModel: route.name, adapter: slot.adapter, model: route.model,
            upstreamRequest: upstreamRequest, price: pricedRoute?.price)
        currentProvider = route.provider
        ProviderActivity.shared.attemptStarted(provider: route.provider)
        route.deployment?.attemptStarted()
        if request.stream {
            let relay = ChatRelay(
                writer: writer, attempt: attempt, keepAliveSeconds: keepAliveSeconds,
                encoder: encoder, secrets: secrets,
                endsResponse: !streamContinues, execution: self)
            current = relay
            relay.start()
        } else {
            let collector = ChatCollector(
                writer: writer, attempt: attempt, encoder: encoder, secrets: secrets, execution: self)
            current = collector
            collector.start()
        }
    }

    /// The upstream answer read for this request by `adapter` (some answers read differently
    /// for some requests: Anthropic's forced answer tool). Here, where the request is borrowed:
    /// read through the execution from the collector, it was copied (issue 13).
    func decodeResponse(_ adapter: any ProviderAdapter, body: [UInt8], model: String) throws(UpstreamFailure)
        -> ChatResponse
    {
        try adapter.decodeResponse(body: body, model: model, for: request)
    }

    /// The stream decoder `adapter` makes for this request (as `decodeResponse`).
    func makeStreamDecoder(_ adapter: any ProviderAdapter, model: String) -> any ProviderStreamDecoder {
        adapter.makeStreamDecoder(model: model, for: request)
    }

    /// The attempt's end, from the relay or collector in `current` (once each).
    func attemptFinished(_ reported: ChatOutcome) {
        current = nil
        if let provider = currentProvider {
            currentProvider = nil
            ProviderActivity.shared.attemptEnded(
                provider: provider, answered: reported.providerVerdict, nowMillis: WallClock.unixMillis())
        }
        if let deployment = routes[machine.routeIndex].deployment,
            let out = deployment.attemptEnded(DeploymentHealth.Outcome(reported)), let sharedLimits
        {
            tellOtherDaemons(deployment, out: out, shared: sharedLimits)
        }
        let (outcome, estimated) = settleUsage(reported)
        trace?.attemptEnded(outcome, secrets: secrets)
        lastUpstreamHeaders = outcome.upstreamHeaders
        // A failure that finds the response over (a cancelled loop's) ends the request as cancelled.
        if case .failedBeforeFirstByte = outcome.result, writer.isClosed { feed(.clientClosed) }
        feed(
            .attemptFinished(
                outcome, usageEstimated: estimated, now: Self.now(),
                jitter: RandomPool.shared.unitInterval()))
    }

    /// A cut stream's usage with what the provider did not report estimated (`UsageEstimate`).
    private func settleUsage(_ outcome: ChatOutcome) -> (ChatOutcome, estimated: Bool) {
        var settled = outcome
        switch outcome.result {
        case .completed(let usage, let finish):
            let (usage, estimated) = UsageEstimate.settle(
                usage, cut: finish == .error,
                deliveredBytes: outcome.deliveredBytes,
                inputTokens: UsageEstimate.inputTokens(of: request))
            settled.result = .completed(usage: usage, finish: finish)
            return (settled, estimated)
        case .cancelled(let usage):
            let (usage, estimated) = UsageEstimate.settle(
                usage, cut: true, deliveredBytes: outcome.deliveredBytes,
                inputTokens: UsageEstimate.inputTokens(of: request))
            settled.result = .cancelled(usage: usage)
            return (settled, estimated)
        case .failedBeforeFirstByte:
            return (outcome, false)
        }
    }

    // MARK: The end

    /// Every error this request ends with, whoever made it, is scrubbed here: the one exit to
    /// the client (and to the loop that may write it as an event).
    private func respond(_ unscrubbed: GatewayError) {
        let error = secrets.scrub(unscrubbed)
        var headers = HTTPHeaders()
        for header in error.headers { headers.add(header.name, header.value) }
        writer.respondJSON(
            status: error.status, body: encoder.error(error, requestId: writer.requestId),
            headers: headers)
    }

    private func finish(_ record: ExecutionStateMachine.Record) {
        // Before the record: a chat loop's next step may install its own close handler.
        writer.onClose = nil
        let route = routes[record.route]
        let attempted = record.attempts > 0
        var chat = ChatRecord(
            requestId: writer.requestId,
            requestedModel: routes.first?.name ?? request.model,
            provider: attempted ? route.provider : nil,
            model: attempted ? route.model : nil,
            status: record.status, usage: record.usage, finishReason: record.finish, attempts: record.attempts,
            fallbackUsed: route.name != routes[0].name ? route.name : nil,
            firstTokenNanos: record.firstTokenNanos,
            totalNanos: Saturating.subtract(EventLoop.monotonicNanoseconds(), startedNanos),
            error: record.error.map { secrets.scrub($0) },
            usageEstimated: record.usageEstimated, door: ChatDoorLabel.of(route: writer.routeLabel),
            deployment: attempted ? route.deployment?.label : nil)
        if attempted, let priced = pricedRoute, priced.index == record.route {
            chat.price = priced.price
            chat.priceLookedUp = true
        }
        // A loop's turn is not the whole request: the loop closes the request's span when it ends.
        if !streamContinues { trace?.finished(chat) }
        onComplete(chat)
    }

    static let logger = Logger(label: "switchboard.upstream")
}
