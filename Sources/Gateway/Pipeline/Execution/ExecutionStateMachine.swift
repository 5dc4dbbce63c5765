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

    mutating func handle(_ event: Event) -> [Action] {
        switch event {
        case .start(let now): return start(now: now)
        case .preparationFinished(let preparation, let now): return preparationFinished(preparation, now: now)
        case .slotGranted(let ticket): return slotGranted(ticket)
        case .slotBusy(let wait, let now): return slotBusy(waitSeconds: wait, now: now)
        case .slotRefused(let error):
            guard case .waitingForSlot(_, _, false) = state else { return [] }
            return finish(with: error)
        case .attemptRefused(let error): return attemptRefused(error)
        case .attemptFinished(let outcome, let estimated, let now, let jitter):
            return attemptFinished(outcome, usageEstimated: estimated, now: now, jitter: jitter)
        case .timerFired: return timerFired()
        case .clientClosed: return clientClosed()
        }
    }

    // MARK: Events

    private mutating func start(now: Double) -> [Action] {
        guard case .admitting = state else { return [] }
        startedAt = now
        return beginRoute()
    }

    private mutating func preparationFinished(_ preparation: Preparation, now: Double) -> [Action] {
        guard case .preparing = state else { return [] }
        switch preparation {
        case .failed(let error): return finish(with: error)
        case .uncached: return takeSlot(cache: nil, now: now)
        case .cached(let cache): return takeSlot(cache: cache, now: now)
        }
    }

    private mutating func slotGranted(_ ticket: Int) -> [Action] {
        guard case .waitingForSlot(let cache, _, false) = state else { return [] }
        return launch(cache: cache, ticket: ticket)
    }

    private mutating func slotBusy(waitSeconds: Double, now: Double) -> [Action] {
        guard case .waitingForSlot(let cache, let deadline, false) = state else { return [] }
        if now + waitSeconds <= deadline {
            state = .waitingForSlot(cache: cache, deadline: deadline, timerArmed: true)
            return [.scheduleTimer(seconds: waitSeconds)]
        }
        // Held back (its limits, or a provider's retry hint too long to wait): the next
        // fallback runs now, else the client hears when to come back.
        var actions: [Action] = [.log(.heldBack(route: routeIndex, waitSeconds: waitSeconds))]
        if routeIndex + 1 < routes.count {
            actions += fallBack(reason: "\(route.provider) held back for \(waitSeconds) s")
            return actions
        }
        return actions
            + finish(
                with: .rateLimited(
                    "\(route.provider) is at its configured rate limit; try again later",
                    retryAfterSeconds: waitSeconds, provider: route.provider))
    }

    private mutating func timerFired() -> [Action] {
        switch state {
        case .waitingForSlot(let cache, let deadline, true):
            state = .waitingForSlot(cache: cache, deadline: deadline, timerArmed: false)
            return [.acquireSlot(route: routeIndex)]
        case .backingOff:
            return beginRoute()
        default:
            return []
        }
    }

    /// The route's provider cannot take this request as asked (a field it has no equivalent
    /// of). On the first route that is the client's answer: a 400 naming the field and the
    /// provider, with no fallback tried (the request, not the provider, is at fault). On a
    /// fallback, reached only because earlier routes failed, the route is skipped, and when
    /// none is left the client hears the earlier failure, which is why it got no answer.
    private mutating func attemptRefused(_ error: GatewayError) -> [Action] {
        guard case .streaming(let ticket, _, let cancelling) = state else { return [] }
        // Nothing left: it was no attempt.
        attemptsOnRoute -= 1
        totalAttempts -= 1
        var actions: [Action] = []
        if let ticket {
            actions.append(
                .releaseSlot(
                    route: routeIndex, ticket: ticket, actualTokens: 0, holdBackSeconds: nil,
                    learn: false))
        }
        if cancelling { return actions + finishCancelled() }
        guard let earlier = providerFailure, error.status == 400 else { return actions + finish(with: error) }
        actions.append(.log(.fallbackSkipped(route: routeIndex, reason: error)))
        guard routeIndex + 1 < routes.count else { return actions + finish(with: earlier) }
        return actions + fallBack(reason: "\(route.provider) cannot take the request")
    }

    private mutating func attemptFinished(
        _ outcome: ChatOutcome, usageEstimated: Bool, now: Double,
        jitter: Double
    ) -> [Action] {
        guard case .streaming(let ticket, let cache, let cancelling) = state else { return [] }
        var actions: [Action] = []
        if let ticket { actions.append(release(ticket, after: outcome.result)) }
        switch outcome.result {
        case .completed(let usage, let finish):
            return actions
                + end(
                    Record(
                        status: 200, usage: usage, finish: finish, usageEstimated: usageEstimated,
                        firstTokenNanos: outcome.firstTokenNanos, attempts: totalAttempts,
                        route: routeIndex))
        case .cancelled(let usage):
            return actions
                + end(
                    Record(
                        status: 499, usage: usage, finish: .cancelled, usageEstimated: usageEstimated,
                        firstTokenNanos: outcome.firstTokenNanos, attempts: totalAttempts,
                        route: routeIndex))
        case .failedBeforeFirstByte(let failure):
            actions.append(.log(.attemptFailed(route: routeIndex, failure: failure)))
            if cancelling { return actions + finishCancelled(firstTokenNanos: outcome.firstTokenNanos) }
            let status = failure.error.status
            if let cache, !cacheRecreated, [400, 403, 404].contains(status) {
                // The provider no longer knows the entry (expired early, deleted): recreate it once.
                cacheRecreated = true
                actions += [.forgetCache(key: cache.key), .log(.cacheRecreate(route: routeIndex, status: status))]
                return actions + beginRoute()
            }
            if route.siblingFollows, !outcome.sentToClient,
                failure.retryable || Retryability.isProviderFault(failure.error)
            {
                providerFailure = failure.error
                return actions + fallBack(reason: "\(status): \(failure.error.message); next deployment")
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
                return actions + [
                    .log(
                        .retry(
                            route: routeIndex, attempt: attemptsOnRoute + 1, delaySeconds: delay,
                            reason: failure.error)),
                    .scheduleTimer(seconds: delay),
                ]
            }
            if Retryability.isProviderFault(failure.error), routeIndex + 1 < routes.count {
                providerFailure = failure.error
                return actions + fallBack(reason: "\(status): \(failure.error.message)")
            }
            return actions + finish(with: failure.error)
        }
    }

    /// Ends the request as cancelled, whatever it was doing: the timer or the preparation is
    /// cancelled and recorded at once; an attempt in flight is cancelled and recorded when it
    /// reports back (with the usage it got so far).
    private mutating func clientClosed() -> [Action] {
        switch state {
        case .admitting:
            return finishCancelled()
        case .preparing:
            return [.cancelPreparation] + finishCancelled()
        case .waitingForSlot(_, _, let timerArmed):
            return (timerArmed ? [.cancelTimer] : []) + finishCancelled()
        case .backingOff:
            return [.cancelTimer] + finishCancelled()
        case .streaming(let ticket, let cache, let cancelling):
            guard !cancelling else { return [] }
            state = .streaming(ticket: ticket, cache: cache, cancelling: true)
            return [.cancelAttempt]
        case .finished:
            return []
        }
    }

    // MARK: Steps

    /// A fresh go at the current route: preparation first, then the slot, then the attempt.
    private mutating func beginRoute() -> [Action] {
        guard route.retry != nil else {
            return finish(
                with: GatewayError(
                    status: 404, type: .notFound,
                    message: "provider \(route.provider) is not configured", param: "model"))
        }
        state = .preparing
        return [.prepare(route: routeIndex)]
    }

    private mutating func takeSlot(cache: Cache?, now: Double) -> [Action] {
        guard let queueTimeout = route.queueTimeout else { return launch(cache: cache, ticket: nil) }
        // With another deployment to go to, a busy limiter is not waited for.
        let deadline = route.siblingFollows ? now : now + queueTimeout
        state = .waitingForSlot(cache: cache, deadline: deadline, timerArmed: false)
        return [.acquireSlot(route: routeIndex)]
    }

    private mutating func launch(cache: Cache?, ticket: Int?) -> [Action] {
        attemptsOnRoute += 1
        totalAttempts += 1
        state = .streaming(ticket: ticket, cache: cache, cancelling: false)
        return [.launchAttempt(route: routeIndex, cached: cache)]
    }

    private mutating func fallBack(reason: String) -> [Action] {
        let from = routeIndex
        routeIndex += 1
        attemptsOnRoute = 0
        return [.log(.fallback(from: from, to: routeIndex, reason: reason))] + beginRoute()
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

    private mutating func finish(with error: GatewayError) -> [Action] {
        [.respondWithError(error)]
            + end(
                Record(
                    status: error.status, usage: .zero, finish: nil, error: error, attempts: totalAttempts,
                    route: routeIndex))
    }

    private mutating func finishCancelled(firstTokenNanos: UInt64? = nil) -> [Action] {
        end(
            Record(
                status: 499, usage: .zero, finish: .cancelled, firstTokenNanos: firstTokenNanos,
                attempts: totalAttempts, route: routeIndex))
    }

    private mutating func end(_ record: Record) -> [Action] {
        state = .finished
        return [.record(record)]
    }
}
