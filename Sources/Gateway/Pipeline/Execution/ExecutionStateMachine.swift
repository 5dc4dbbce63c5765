import ChatModel
import Providers

/// The decisions of one chat execution, without any I/O: attempts with retries per route,
/// then fallbacks, then the final error; the provider limiter's wait; provider-specific
/// preparation (a context cache, recreated once when the provider forgot it); cancellation.
/// Retries and fallbacks happen only while nothing has reached the client.
///
/// A value: each event (`handle`) moves it on and returns what the I/O shell (`ChatExecution`)
/// is to do. Time comes in with the events, so tests drive it with a manual clock.
///
///     admitting ─start─▶ preparing ─▶ waitingForSlot ─▶ streaming ─▶ finished
///                           ▲   (no limiter: straight on) │
///                           └──── backingOff ◀─ retry ────┤ (fallback: next route, preparing)
///
/// Every state ends in `finished` on `clientClosed`, with exactly one record; in `finished`
/// every event is ignored.
struct ExecutionStateMachine: Sendable {
    enum State: Sendable, Equatable {
        case admitting
        case preparing
        /// `timerArmed`: waiting out the limiter's hint rather than asking it.
        case waitingForSlot(cache: Cache?, deadline: Double, timerArmed: Bool)
        case streaming(ticket: Int?, cache: Cache?, cancelling: Bool)
        case backingOff
        case finished
    }

    let routes: [Route]
    private(set) var state = State.admitting
    /// The route in use.
    private(set) var routeIndex = 0
    private(set) var attemptsOnRoute = 0
    private(set) var totalAttempts = 0
    /// Why the previous route was left for a fallback.
    private var providerFailure: GatewayError?
    private var cacheRecreated = false
    private var startedAt = 0.0

    /// `routes` is the chain: the requested model, then its fallbacks (at least one).
    init(routes: [Route]) {
        precondition(!routes.isEmpty, "a chat execution needs a route")
        self.routes = routes
    }

    private var route: Route { routes[routeIndex] }

    /// What to do about `event`, as a new array (tests; the shell uses `handle(_:into:)`).
    mutating func handle(_ event: Event) -> [Action] {
        var actions: [Action] = []
        handle(event, into: &actions)
        return actions
    }

    /// Appends what to do about `event` to `actions`: the shell passes one array for the whole
    /// request, so no event allocates one.
    mutating func handle(_ event: Event, into actions: inout [Action]) {
        switch event {
        case .start(let now): start(now: now, into: &actions)
        case .preparationFinished(let preparation, let now):
            preparationFinished(preparation, now: now, into: &actions)
        case .slotGranted(let ticket): slotGranted(ticket, into: &actions)
        case .slotBusy(let wait, let now): slotBusy(waitSeconds: wait, now: now, into: &actions)
        case .slotRefused(let error):
            guard case .waitingForSlot(_, _, false) = state else { return }
            finish(with: error, into: &actions)
        case .attemptRefused(let error): attemptRefused(error, into: &actions)
        case .attemptFinished(let outcome, let estimated, let now, let jitter):
            attemptFinished(outcome, usageEstimated: estimated, now: now, jitter: jitter, into: &actions)
        case .timerFired: timerFired(into: &actions)
        case .clientClosed: clientClosed(into: &actions)
        }
    }

    // MARK: Events

    private mutating func start(now: Double, into actions: inout [Action]) {
        guard case .admitting = state else { return }
        startedAt = now
        beginRoute(into: &actions)
    }

    private mutating func preparationFinished(_ preparation: Preparation, now: Double, into actions: inout [Action]) {
        guard case .preparing = state else { return }
        switch preparation {
        case .failed(let error): finish(with: error, into: &actions)
        case .uncached: takeSlot(cache: nil, now: now, into: &actions)
        case .cached(let cache): takeSlot(cache: cache, now: now, into: &actions)
        }
    }

    private mutating func slotGranted(_ ticket: Int, into actions: inout [Action]) {
        guard case .waitingForSlot(let cache, _, false) = state else { return }
        launch(cache: cache, ticket: ticket, into: &actions)
    }

    private mutating func slotBusy(waitSeconds: Double, now: Double, into actions: inout [Action]) {
        guard case .waitingForSlot(let cache, let deadline, false) = state else { return }
        if now + waitSeconds <= deadline {
            state = .waitingForSlot(cache: cache, deadline: deadline, timerArmed: true)
            actions.append(.scheduleTimer(seconds: waitSeconds))
            return
        }
        // Held back (its limits, or a provider's retry hint too long to wait): the next
        // fallback runs now, else the client hears when to come back.
        actions.append(.log(.heldBack(route: routeIndex, waitSeconds: waitSeconds)))
        if routeIndex + 1 < routes.count {
            fallBack(reason: "\(route.provider) held back for \(waitSeconds) s", into: &actions)
            return
        }
        finish(
            with: .rateLimited(
                "\(route.provider) is at its configured rate limit; try again later",
                retryAfterSeconds: waitSeconds, provider: route.provider),
            into: &actions)
    }

    private mutating func timerFired(into actions: inout [Action]) {
        switch state {
        case .waitingForSlot(let cache, let deadline, true):
            state = .waitingForSlot(cache: cache, deadline: deadline, timerArmed: false)
            actions.append(.acquireSlot(route: routeIndex))
        case .backingOff:
            beginRoute(into: &actions)
        default:
            break
        }
    }

    /// The route's provider cannot take this request as asked (a field it has no equivalent
    /// of). On the first route that is the client's answer: a 400 naming the field and the
    /// provider, with no fallback tried (the request, not the provider, is at fault). On a
    /// fallback, reached only because earlier routes failed, the route is skipped, and when
    /// none is left the client hears the earlier failure, which is why it got no answer.
    private mutating func attemptRefused(_ error: GatewayError, into actions: inout [Action]) {
        guard case .streaming(let ticket, _, let cancelling) = state else { return }
        // Nothing left: it was no attempt.
        attemptsOnRoute -= 1
        totalAttempts -= 1
        if let ticket {
            actions.append(
                .releaseSlot(
                    route: routeIndex, ticket: ticket, actualTokens: 0, holdBackSeconds: nil,
                    learn: false))
        }
        if cancelling { return finishCancelled(into: &actions) }
        guard let earlier = providerFailure, error.status == 400 else { return finish(with: error, into: &actions) }
        actions.append(.log(.fallbackSkipped(route: routeIndex, reason: error)))
        guard routeIndex + 1 < routes.count else { return finish(with: earlier, into: &actions) }
        fallBack(reason: "\(route.provider) cannot take the request", into: &actions)
    }

    private mutating func attemptFinished(
        _ outcome: ChatOutcome, usageEstimated: Bool, now: Double,
        jitter: Double, into actions: inout [Action]
    ) {
        guard case .streaming(let ticket, let cache, let cancelling) = state else { return }
        if let ticket { actions.append(release(ticket, after: outcome.result)) }
        switch outcome.result {
        case .completed(let usage, let finish):
            end(
                Record(
                    status: 200, usage: usage, finish: finish, usageEstimated: usageEstimated,
                    firstTokenNanos: outcome.firstTokenNanos, attempts: totalAttempts,
                    route: routeIndex),
                into: &actions)
        case .cancelled(let usage):
            end(
                Record(
                    status: 499, usage: usage, finish: .cancelled, usageEstimated: usageEstimated,
                    firstTokenNanos: outcome.firstTokenNanos, attempts: totalAttempts,
                    route: routeIndex),
                into: &actions)
        case .failedBeforeFirstByte(let failure):
            actions.append(.log(.attemptFailed(route: routeIndex, failure: failure)))
            if cancelling { return finishCancelled(firstTokenNanos: outcome.firstTokenNanos, into: &actions) }
            let status = failure.error.status
            if let cache, !cacheRecreated, [400, 403, 404].contains(status) {
                // The provider no longer knows the entry (expired early, deleted): recreate it once.
                cacheRecreated = true
                actions += [.forgetCache(key: cache.key), .log(.cacheRecreate(route: routeIndex, status: status))]
                return beginRoute(into: &actions)
            }
            if route.siblingFollows, !outcome.sentToClient,
                failure.retryable || Retryability.isProviderFault(failure.error)
            {
                providerFailure = failure.error
                return fallBack(reason: "\(status): \(failure.error.message); next deployment", into: &actions)
            }
            if let retry = route.retry, failure.retryable, !outcome.sentToClient,
                retry.allowsRetry(afterAttempts: attemptsOnRoute),
                let delay = retry.delay(
                    afterAttempts: attemptsOnRoute, retryAfter: failure.retryAfterSeconds,
                    random: jitter),
                now - startedAt + delay < route.firstByteBudget
            {
                // The request's deadline is the provider's first-byte budget: a retry that
                // could not start within it is not worth the client's wait. A provider hint
                // beyond the retry's `max_wait_ms` gave no delay: fallback or the error now.
                state = .backingOff
                actions.append(
                    .log(
                        .retry(
                            route: routeIndex, attempt: attemptsOnRoute + 1, delaySeconds: delay,
                            reason: failure.error)))
                actions.append(.scheduleTimer(seconds: delay))
                return
            }
            if Retryability.isProviderFault(failure.error), routeIndex + 1 < routes.count {
                providerFailure = failure.error
                return fallBack(reason: "\(status): \(failure.error.message)", into: &actions)
            }
            finish(with: failure.error, into: &actions)
        }
    }

    /// Ends the request as cancelled, whatever it was doing: the timer or the preparation is
    /// cancelled and recorded at once; an attempt in flight is cancelled and recorded when it
    /// reports back (with the usage it got so far).
    private mutating func clientClosed(into actions: inout [Action]) {
        switch state {
        case .admitting:
            finishCancelled(into: &actions)
        case .preparing:
            actions.append(.cancelPreparation)
            finishCancelled(into: &actions)
        case .waitingForSlot(_, _, let timerArmed):
            if timerArmed { actions.append(.cancelTimer) }
            finishCancelled(into: &actions)
        case .backingOff:
            actions.append(.cancelTimer)
            finishCancelled(into: &actions)
        case .streaming(let ticket, let cache, let cancelling):
            guard !cancelling else { return }
            state = .streaming(ticket: ticket, cache: cache, cancelling: true)
            actions.append(.cancelAttempt)
        case .finished:
            break
        }
    }

    // MARK: Steps

    /// A fresh go at the current route: preparation first, then the slot, then the attempt.
    private mutating func beginRoute(into actions: inout [Action]) {
        guard route.retry != nil else {
            return finish(
                with: GatewayError(
                    status: 404, type: .notFound,
                    message: "provider \(route.provider) is not configured", param: "model"),
                into: &actions)
        }
        state = .preparing
        actions.append(.prepare(route: routeIndex))
    }

    private mutating func takeSlot(cache: Cache?, now: Double, into actions: inout [Action]) {
        guard let queueTimeout = route.queueTimeout else { return launch(cache: cache, ticket: nil, into: &actions) }
        // With another deployment to go to, a busy limiter is not waited for.
        let deadline = route.siblingFollows ? now : now + queueTimeout
        state = .waitingForSlot(cache: cache, deadline: deadline, timerArmed: false)
        actions.append(.acquireSlot(route: routeIndex))
    }

    private mutating func launch(cache: Cache?, ticket: Int?, into actions: inout [Action]) {
        attemptsOnRoute += 1
        totalAttempts += 1
        state = .streaming(ticket: ticket, cache: cache, cancelling: false)
        actions.append(.launchAttempt(route: routeIndex, cached: cache))
    }

    private mutating func fallBack(reason: String, into actions: inout [Action]) {
        let from = routeIndex
        routeIndex += 1
        attemptsOnRoute = 0
        actions.append(.log(.fallback(from: from, to: routeIndex, reason: reason)))
        beginRoute(into: &actions)
    }

    /// The slot back with what the attempt really cost; a 429 holds the provider back.
    private func release(_ ticket: Int, after result: ChatOutcome.Result) -> Action {
        var tokens = 0
        var holdBack: Double?
        switch result {
        case .completed(let usage, _), .cancelled(let usage): tokens = usage.totalTokens
        case .failedBeforeFirstByte(let failure):
            if failure.error.status == 429 { holdBack = failure.retryAfterSeconds ?? 1 }
        }
        return .releaseSlot(
            route: routeIndex, ticket: ticket, actualTokens: tokens, holdBackSeconds: holdBack,
            learn: true)
    }

    private mutating func finish(with error: GatewayError, into actions: inout [Action]) {
        actions.append(.respondWithError(error))
        end(
            Record(
                status: error.status, usage: .zero, finish: nil, error: error, attempts: totalAttempts,
                route: routeIndex),
            into: &actions)
    }

    private mutating func finishCancelled(firstTokenNanos: UInt64? = nil, into actions: inout [Action]) {
        end(
            Record(
                status: 499, usage: .zero, finish: .cancelled, firstTokenNanos: firstTokenNanos,
                attempts: totalAttempts, route: routeIndex),
            into: &actions)
    }

    private mutating func end(_ record: Record, into actions: inout [Action]) {
        state = .finished
        actions.append(.record(record))
    }
}
