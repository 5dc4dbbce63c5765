import ChatModel
import HTTPTypes
import Providers

extension ExecutionStateMachine {
    /// What the machine knows about one route, fixed for the request's life (the registry is
    /// an immutable snapshot).
    struct Route: Sendable, Equatable {
        /// The name the client used (an alias, or "provider/model").
        var name: String
        var provider: String
        /// The provider's model id.
        var model: String
        /// The provider's retry policy; nil when the provider is not configured.
        var retry: RetryPolicy?
        /// The provider's first-byte timeout: a retry that could not start within it is not
        /// worth the client's wait.
        var firstByteBudget: Double
        /// How long a request may wait for the provider limiter; nil when it has none.
        var queueTimeout: Double?
        /// The next route is another deployment of the same alias: a provider failure or a
        /// busy limiter moves on to it at once, without a retry or a wait here.
        var siblingFollows = false
    }

    /// A context-cache entry an attempt references.
    struct Cache: Sendable, Equatable {
        /// The store's key for the entry (to forget it when the provider no longer knows it).
        var key: String
        /// The provider's name for the entry.
        var name: String
        /// Unified messages the entry holds.
        var messageCount: Int
    }

    /// How the route's provider-specific preparation (Gemini's cache) ended.
    enum Preparation: Sendable, Equatable {
        /// Nothing to prepare, or the provider would not cache (prefix too small, …): the
        /// request goes uncached.
        case uncached
        case cached(Cache)
        /// The request cannot be prepared as asked: the client's answer.
        case failed(GatewayError)
    }

    /// What happened, fed in by the I/O shell. Time comes in with the event (monotonic
    /// seconds); the machine never reads a clock.
    enum Event: Sendable {
        case start(now: Double)
        case preparationFinished(Preparation, now: Double)
        /// The provider limiter admitted the attempt.
        case slotGranted(ticket: Int)
        /// The provider limiter says to try again after `waitSeconds`: waited for within the
        /// queue time, else the slot wait is exceeded.
        case slotBusy(waitSeconds: Double, now: Double)
        /// The limiter cannot be asked (the shared limits store is down under fail_closed):
        /// the request ends with `error`.
        case slotRefused(GatewayError)
        /// The adapter could not build the upstream request (a field the provider has no
        /// equivalent of): nothing was sent.
        case attemptRefused(GatewayError)
        /// The attempt in flight ended. `jitter` in 0..<1 scales the backoff.
        case attemptFinished(ChatOutcome, usageEstimated: Bool, now: Double, jitter: Double)
        case timerFired(now: Double)
        /// The client went away (or the chat loop was cancelled).
        case clientClosed
    }

    /// What the I/O shell is to do, in order.
    enum Action: Sendable, Equatable {
        /// Provider-specific preparation for the route; answered by `preparationFinished`.
        case prepare(route: Int)
        case cancelPreparation
        /// Ask the route's provider limiter; answered by `slotGranted`, `slotBusy` or `slotRefused`.
        case acquireSlot(route: Int)
        /// The one timer (a slot wait or a backoff); answered by `timerFired`.
        case scheduleTimer(seconds: Double)
        case cancelTimer
        /// Build and send the upstream request; a refusal is answered by `attemptRefused`,
        /// the attempt's end by `attemptFinished`.
        case launchAttempt(route: Int, cached: Cache?)
        case cancelAttempt
        /// Give the limiter slot back with what the attempt cost; hold the provider back after
        /// a 429; learn from the provider's rate-limit headers when an answer came.
        case releaseSlot(route: Int, ticket: Int, actualTokens: Int, holdBackSeconds: Double?, learn: Bool)
        case forgetCache(key: String)
        case respondWithError(GatewayError)
        /// The request is over: its one record.
        case record(Record)
        case log(Log)
    }

    /// The request's one record, in the machine's terms (the shell adds names and times).
    struct Record: Sendable, Equatable {
        var status: Int
        var usage: Usage
        var finish: FinishReason?
        var error: GatewayError?
        var usageEstimated = false
        var firstTokenNanos: UInt64?
        var attempts: Int
        /// The route the request ended on.
        var route: Int
    }

    /// What the operator is told.
    enum Log: Sendable, Equatable {
        case attemptFailed(route: Int, failure: UpstreamFailure)
        /// Attempt `attempt` on the route follows after `delaySeconds`.
        case retry(route: Int, attempt: Int, delaySeconds: Double, reason: GatewayError)
        case fallback(from: Int, to: Int, reason: String)
        /// A fallback whose provider cannot take the request as asked.
        case fallbackSkipped(route: Int, reason: GatewayError)
        /// The provider limiter holds the request back longer than its queue time.
        case heldBack(route: Int, waitSeconds: Double)
        /// The provider no longer knows the cache entry: it is made again, once.
        case cacheRecreate(route: Int, status: Int)
    }
}
