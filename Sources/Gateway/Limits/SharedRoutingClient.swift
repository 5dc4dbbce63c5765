import Reactor
import Redis

/// One event loop's side of what the daemons share about providers and deployments, with
/// the Redis limits backend: each limited provider key's (and deployment's) rpm, tpm and
/// max_concurrent counted in Redis (`ProviderLimitScripts`, one call per attempt), and the
/// cool-downs one daemon learns published for the others (no call per request). The client
/// of the daemon's first loop also listens for the other daemons' cool-downs.
///
/// A connection of its own (beside the keys' `SharedLimitsClient`), so the two concerns
/// evolve apart. Loop-confined: every method runs on `loop`.
final class SharedRoutingClient: @unchecked Sendable {
    let loop: EventLoop
    private let shared: SharedLimits
    private let connection: RedisConnection
    private var subscriber: RedisConnection?
    private let tag: String
    private var sequence = 0
    private let scripts: RedisScripts
    /// Lease set key → this loop's attempts holding a concurrency slot in it.
    private var leases: [String: Set<String>] = [:]
    private var renewTimer: TimerHandle?
    private var leaseMillis: Int { Int(shared.settings.leaseSeconds * 1000) }

    enum Admission: Equatable {
        case admitted(attempt: String)
        /// Try again after this many seconds (its limits, or a provider's hold-back).
        case busy(Double)
        case unavailable
    }

    private init(loop: EventLoop, shared: SharedLimits, tag: Int) {
        self.loop = loop
        self.shared = shared
        self.tag = "\(shared.nodeId):r\(tag)"
        connection = RedisConnection(loop: loop, endpoint: shared.endpoint)
        scripts = RedisScripts(ProviderLimitScripts.all, on: connection)
    }

    /// Connects (and reconnects). With `listener`, also subscribes to the cool-down channel
    /// on a second connection and hands each other daemon's message to it.
    func start(listener: ((CooldownMessage) -> Void)?) {
        connection.onStateChange = { [unowned self] up in
            shared.connectionChanged(up: up)
            scripts.connectionChanged(up: up)
        }
        connection.start()
        guard let listener else { return }
        let subscriber = RedisConnection(loop: loop, endpoint: shared.endpoint)
        let node = shared.nodeId
        subscriber.onStateChange = { [unowned subscriber] up in
            guard up else { return }
            subscriber.subscribe(CooldownMessage.channel) { payload in
                guard let message = CooldownMessage(payload: payload), message.node != node else { return }
                listener(message)
            }
        }
        self.subscriber = subscriber
        subscriber.start()
    }

    /// Tells the other daemons that this one took a deployment out (fire and forget: a lost
    /// message costs them a request that finds out for itself).
    func publish(_ message: CooldownMessage) {
        connection.send(["PUBLISH", CooldownMessage.channel, message.payload]) { _ in }
    }

    /// Checks and takes one attempt of `limiter`'s slot, for all daemons at once.
    func admit(_ limiter: ProviderLimiter, estimatedTokens: Int, _ done: @escaping (Admission) -> Void) {
        sequence &+= 1
        let attempt = "\(tag):\(sequence)"
        let limits = limiter.limits
        let concurrent = limits.maxConcurrent ?? 0
        let args = [
            String(limits.rpm ?? 0), String(limits.tpm ?? 0), String(concurrent),
            String(min(max(0, estimatedTokens), ProviderLimitScripts.maxTokens)), attempt, String(leaseMillis),
        ]
        let keys = ProviderLimitScripts.keys(limiter.identity)
        run(0, keys: keys, args: args) { [unowned self] reply in
            guard let items = reply?.array, items.count == 2, let code = items[0].integer,
                let retry = items[1].integer
            else {
                done(.unavailable)
                return
            }
            if code == 0 {
                if concurrent > 0 { holdLease(keys[2], attempt) }
                done(.admitted(attempt: attempt))
            } else {
                // Redis's answer is range-checked: at most an hour's wait.
                done(.busy(Double(min(max(retry, 1), 3_600_000)) / 1000))
            }
        }
    }

    /// The attempt ended: frees its slot, books what it used, and shares a hold-back of
    /// `holdSeconds` (0: none). Not on the admission path; a lost reply costs little (the
    /// lease lapses, the estimate stays in the window).
    func settle(_ limiter: ProviderLimiter, attempt: String, tokens: Int, holdSeconds: Double) {
        let keys = ProviderLimitScripts.keys(limiter.identity)
        if var held = leases[keys[2]], held.remove(attempt) != nil {
            leases[keys[2]] = held.isEmpty ? nil : held
        }
        let holdMillis = holdSeconds.isFinite ? Int((min(max(holdSeconds, 0), 3600) * 1000).rounded(.up)) : 0
        let args = [attempt, String(min(max(0, tokens), ProviderLimitScripts.maxTokens)), String(holdMillis)]
        run(1, keys: keys, args: args) { _ in }
    }

    private func holdLease(_ key: String, _ attempt: String) {
        leases[key, default: []].insert(attempt)
        guard renewTimer == nil else { return }
        scheduleRenewal()
    }

    /// A third of the lease: two renewals may be lost before a live attempt's slot lapses.
    private func scheduleRenewal() {
        let period = UInt64(max(1, leaseMillis / 3)) * 1_000_000
        renewTimer = loop.schedule(afterNanoseconds: period) { [unowned self] in
            renewTimer = nil
            guard !leases.isEmpty else { return }
            for (key, attempts) in leases {
                run(2, keys: [key], args: [String(leaseMillis)] + attempts.sorted()) { _ in }
            }
            scheduleRenewal()
        }
    }

    private func run(_ script: Int, keys: [String], args: [String], _ reply: @escaping (RedisReply?) -> Void) {
        var command = scripts.head(script, keys: keys.count)
        for argument in keys { command.append(argument) }
        for argument in args { command.append(argument) }
        scripts.run(script, command, reply)
    }

    // MARK: One per loop

    /// The loop's client of `shared`, made on first use (the daemon makes and starts them all
    /// when it starts). On the loop.
    static func forLoop(_ loop: EventLoop, shared: SharedLimits) -> SharedRoutingClient {
        loop.local(shared.routingClients) {
            SharedRoutingClient(loop: loop, shared: shared, tag: shared.nextClientTag())
        }
    }
}
