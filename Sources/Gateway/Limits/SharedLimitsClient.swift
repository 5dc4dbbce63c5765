import ChatModel
import Reactor
import Redis
import Store

/// One event loop's side of the Redis limits: its connection, the scripts' hashes, and the
/// leases of its requests in flight (renewed together, one call per key, not per request).
///
/// Loop-confined: every method runs on `loop`.
final class SharedLimitsClient: @unchecked Sendable {
    let loop: EventLoop
    private let shared: SharedLimits
    private let connection: RedisConnection
    private let loopTag: String
    private var sequence = 0
    private let scripts: RedisScripts
    /// Key id → requests of this loop holding a concurrency lease.
    private var leases: [String: Set<String>] = [:]
    private var renewTimer: TimerHandle?
    /// Finished requests' token counts waiting for their key's next admission.
    private var corrections = PendingCorrections()
    private var correctionTimer: TimerHandle?
    private var leaseMillis: Int { Int(shared.settings.leaseSeconds * 1000) }

    enum Outcome {
        case admitted(request: String)
        case refused(GatewayError)
        /// The key's token budget is spent (tokens spent so far, all daemons).
        case tokenBudgetSpent(Int)
        /// The key's dollar budget is spent or reserved (dollars, all daemons).
        case dollarBudgetSpent(Double)
        case unavailable
    }

    private init(loop: EventLoop, shared: SharedLimits, tag: Int) {
        self.loop = loop
        self.shared = shared
        self.loopTag = "\(shared.nodeId):\(tag)"
        connection = RedisConnection(loop: loop, endpoint: shared.endpoint)
        scripts = RedisScripts(LimitScripts.all, on: connection)
    }

    /// Connects. On the loop. The advertising client keeps this daemon's address in Redis
    /// (a key with a TTL, refreshed) while it runs.
    func start(advertising: Bool) {
        connection.onStateChange = { [unowned self] up in
            shared.connectionChanged(up: up)
            scripts.connectionChanged(up: up)
            if up && advertising { advertise() }
        }
        connection.start()
        if advertising { scheduleAdvertising() }
    }

    static let nodeTTLMillis = 30_000

    private func advertise() {
        guard let address = shared.advertisedAddress else { return }
        connection.send(["SET", "switchboard:node:\(shared.nodeId)", address, "PX", String(Self.nodeTTLMillis)]) { _ in
        }
    }

    private func scheduleAdvertising() {
        loop.schedule(afterNanoseconds: UInt64(Self.nodeTTLMillis / 3) * 1_000_000) { [unowned self] in
            advertise()
            scheduleAdvertising()
        }
    }

    /// The address daemon `node` advertises, nil when unknown (gone, or Redis away).
    func lookupNode(_ node: String, _ done: @escaping (String?) -> Void) {
        connection.send(["GET", "switchboard:node:\(node)"]) { reply in
            if case .string(let address)? = reply { done(address) } else { done(nil) }
        }
    }

    /// Checks and takes the key's rpm, tpm, concurrency and budgets in one atomic call;
    /// `budgets` are `BudgetScripts.arguments`, `periodStart` the dollar period's first day.
    /// A request that finds the connection idle goes at once; the others of the round wait for
    /// its end and go in one call per key (`AdmissionBatch`).
    func admit(
        _ key: VirtualKey, estimatedTokens: Int, budgets: BudgetScripts.Arguments, periodStart: Int?,
        _ done: @escaping (Outcome) -> Void
    ) {
        sequence &+= 1
        let request = AdmissionBatch.Request(
            id: "\(loopTag):\(sequence)", estimatedTokens: min(max(0, estimatedTokens), LimitScripts.maxTokens),
            worstCase: budgets.worstCase, done: done)
        if batches.isEmpty && connection.isIdle {
            var batch = AdmissionBatch(key: key, periodStart: periodStart, budgets: budgets.shared)
            batch.append(request)
            send(batch, urgent: true)
            return
        }
        if let i = batchIndex[key.id] {
            if batches[i].accepts(key, periodStart: periodStart, budgets: budgets.shared) {
                batches[i].append(request)
                return
            }
            // Full, or the key changed: the waiting batch goes with this round's other
            // commands, and a new one takes its place.
            send(batches[i], urgent: false)
            batches[i] = AdmissionBatch(key: key, periodStart: periodStart, budgets: budgets.shared)
            batches[i].append(request)
            return
        }
        var batch = AdmissionBatch(key: key, periodStart: periodStart, budgets: budgets.shared)
        batch.append(request)
        batchIndex[key.id] = batches.count
        batches.append(batch)
        if batches.count == 1 { loop.beforeWaiting { [unowned self] in sendBatches() } }
    }

    /// The round's batches, in the order their keys were first asked for.
    private var batches: [AdmissionBatch] = []
    private var batchIndex: [String: Int] = [:]

    private func sendBatches() {
        let round = batches
        batches.removeAll(keepingCapacity: true)
        batchIndex.removeAll(keepingCapacity: true)
        for batch in round { send(batch, urgent: false) }
    }

    private func send(_ batch: AdmissionBatch, urgent: Bool) {
        let key = batch.key
        let concurrent = key.maxConcurrent ?? 0
        let rated = batch.isRatedOnly
        var command: RedisCommand
        if rated {
            command = head(LimitScripts.admitRatedIndex, keys: 2)
            command.append(contentsOf: names(key.id, periodStart: nil, count: 2))
            command.append(key.rpm ?? 0)
            command.append(key.tpm ?? 0)
        } else {
            command = head(LimitScripts.admitIndex)
            command.append(contentsOf: names(key.id, periodStart: batch.periodStart))
            command.append(key.rpm ?? 0)
            command.append(key.tpm ?? 0)
            command.append(concurrent)
            command.append(leaseMillis)
            for budget in batch.budgets { command.append(budget) }
        }
        command.append(batch.requests.count)
        for request in batch.requests {
            command.append(request.estimatedTokens)
            command.append(request.id)
            if !rated { command.append(request.worstCase) }
        }
        for correction in corrections.take(keyId: key.id) {
            command.append(correction.request)
            command.append(correction.tokens)
        }
        let holds = concurrent > 0 || key.budgetUSD != nil
        run(rated ? LimitScripts.admitRatedIndex : LimitScripts.admitIndex, command, urgent: urgent) {
            [unowned self] reply in
            let requests = batch.requests
            guard let items = reply?.array,
                let outcomes = Self.outcomes(items, of: requests, key: key, rated: rated)
            else {
                for request in requests { request.done(.unavailable) }
                return
            }
            for (request, outcome) in zip(requests, outcomes) {
                if case .admitted = outcome, holds { holdLease(key.id, request.id) }
                request.done(outcome)
            }
        }
    }

    /// Each request's outcome from the admit script's reply: five values per request, or from
    /// `admitRated` a code, followed by three values when it is a refusal. Nil when the reply
    /// does not have that shape.
    static func outcomes(
        _ items: [RedisReply], of requests: [AdmissionBatch.Request], key: VirtualKey, rated: Bool
    ) -> [Outcome]? {
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(requests.count)
        var at = 0
        for request in requests {
            guard at < items.count else { return nil }
            let count = rated ? (items[at].integer == 0 ? 1 : 4) : 5
            guard items.count - at >= count else { return nil }
            outcomes.append(outcome(items[at..<at + count], key: key, request: request.id))
            at += count
        }
        return at == items.count ? outcomes : nil
    }

    /// One request's values of the admit script's reply (five; one or four from `admitRated`,
    /// which never refuses for a budget).
    private static func outcome(_ values: ArraySlice<RedisReply>, key: VirtualKey, request: String) -> Outcome {
        let v = { (k: Int) in values[values.startIndex + k] }
        guard let code = v(0).integer else { return .unavailable }
        switch code {
        case 0: return .admitted(request: request)
        case 4: return .tokenBudgetSpent(v(3).integer ?? 0)
        case 5:
            guard values.count > 4, case .string(let text) = v(4), let spent = Double(text) else { return .unavailable }
            return .dollarBudgetSpent(spent)
        default: break
        }
        let retry = Double(max(1, v(1).integer ?? 1000)) / 1000
        let inWindow = v(2).integer ?? 0, tokens = v(3).integer ?? 0
        let reason: String
        switch code {
        case 1: reason = "too many concurrent requests for this key (max_concurrent \(key.maxConcurrent ?? 0))"
        case 2: reason = "request rate limit reached for this key (rpm \(key.rpm ?? 0))"
        default: reason = "token rate limit reached for this key (tpm \(key.tpm ?? 0))"
        }
        let status = KeyWindow.Status(
            limitRequests: key.rpm, remainingRequests: key.rpm.map { max(0, $0 - inWindow) },
            resetRequests: retry, limitTokens: key.tpm, remainingTokens: key.tpm.map { max(0, $0 - tokens) },
            resetTokens: retry)
        return .refused(.rateLimited(reason, retryAfterSeconds: retry, headers: KeyLimiter.headers(status)))
    }

    /// The request ended: releases its lease and reservation and books its real token count
    /// and cost (nil: no price) in the dollar period starting `periodStart`. Not on the
    /// admission path; a lost reply costs little (the lease and reservation expire, the token
    /// estimate stays, the spend is missing from Redis but in the store).
    ///
    /// A request of a key without budgets that held no lease has only its token count to
    /// correct (`withoutBudgets`): that waits for the key's next admission from this loop, or
    /// `limits.correction_delay_ms` at most, and then goes on its own.
    func settle(keyId: String, request: String, tokens: Int, usd: Double?, periodStart: Int?, withoutBudgets: Bool) {
        var held = false
        if var requests = leases[keyId], requests.remove(request) != nil {
            leases[keyId] = requests.isEmpty ? nil : requests
            held = true
        }
        let tokens = min(max(0, tokens), LimitScripts.maxTokens)
        let delayMillis = shared.settings.correctionDelayMillis
        guard held || !withoutBudgets || delayMillis == 0 else {
            corrections.add(keyId: keyId, request: request, tokens: tokens)
            if correctionTimer == nil {
                correctionTimer = loop.schedule(afterNanoseconds: UInt64(delayMillis) * 1_000_000) { [unowned self] in
                    correctionTimer = nil
                    for (keyId, correction) in corrections.takeAll() {
                        send(settle: keyId, correction.request, tokens: correction.tokens, usd: nil, periodStart: nil)
                    }
                }
            }
            return
        }
        send(settle: keyId, request, tokens: tokens, usd: usd, periodStart: periodStart, held: held)
    }

    /// Sends every correction still waiting for its key's next admission, and calls `done`
    /// once Redis has answered them (at once when none wait or the connection is down), so a
    /// daemon that stops leaves the window's token counts right. On the loop.
    func flushCorrections(_ done: @escaping () -> Void) {
        if let correctionTimer { loop.cancel(correctionTimer) }
        correctionTimer = nil
        let waiting = corrections.takeAll()
        guard !waiting.isEmpty else { return done() }
        var answered = 0
        for (keyId, correction) in waiting {
            send(settle: keyId, correction.request, tokens: correction.tokens, usd: nil, periodStart: nil) { _ in
                answered += 1
                if answered == waiting.count { done() }
            }
        }
    }

    private func send(
        settle keyId: String, _ request: String, tokens: Int, usd: Double?, periodStart: Int?, held: Bool = false,
        _ reply: @escaping (RedisReply?) -> Void = { _ in }
    ) {
        var command = head(LimitScripts.settleIndex)
        command.append(contentsOf: names(keyId, periodStart: periodStart))
        command.append(request)
        command.append(tokens)
        command.append(usd.map(BudgetScripts.dollars) ?? "")
        command.append(held ? "1" : "0")
        run(LimitScripts.settleIndex, command, reply)
    }

    private func holdLease(_ keyId: String, _ request: String) {
        leases[keyId, default: []].insert(request)
        guard renewTimer == nil else { return }
        // A third of the lease: two renewals may be lost before a live request's slot lapses.
        let period = UInt64(max(1, leaseMillis / 3)) * 1_000_000
        renewTimer = loop.schedule(afterNanoseconds: period) { [unowned self] in renewLeases() }
    }

    private func renewLeases() {
        renewTimer = nil
        guard !leases.isEmpty else { return }
        for (keyId, requests) in leases {
            let keys = LimitScripts.keys(keyId)
            // The concurrency slots' and the dollar reservations' lease sets.
            var command = head(LimitScripts.renewIndex, keys: 2)
            command.append(keys[2])
            command.append(keys[5])
            command.append(leaseMillis)
            for request in requests.sorted() { command.append(request) }
            run(LimitScripts.renewIndex, command) { _ in }
        }
        let period = UInt64(max(1, leaseMillis / 3)) * 1_000_000
        renewTimer = loop.schedule(afterNanoseconds: period) { [unowned self] in renewLeases() }
    }

    /// A virtual key's seven Redis keys, encoded once: every admission and settle sends them,
    /// and encoding them each time was a third of what a request's Redis calls cost here.
    private func names(_ keyId: String, periodStart: Int?, count: Int = LimitScripts.keyCount) -> RedisCommand {
        let name = KeyNames(id: keyId, periodStart: periodStart, count: count)
        if let known = encodedNames[name] { return known }
        // Bounded: a daemon serving very many keys re-encodes rather than grows.
        if encodedNames.count >= Self.maxEncodedNames { encodedNames.removeAll(keepingCapacity: true) }
        var block = RedisCommand()
        LimitScripts.appendKeys(keyId, periodStart: periodStart, count: count, to: &block)
        encodedNames[name] = block
        return block
    }

    private struct KeyNames: Hashable {
        let id: String
        let periodStart: Int?
        let count: Int
    }

    private var encodedNames: [KeyNames: RedisCommand] = [:]
    private static let maxEncodedNames = 4096

    private func head(_ script: Int, keys: Int = LimitScripts.keyCount) -> RedisCommand {
        scripts.head(script, keys: keys)
    }

    private func run(
        _ script: Int, _ command: RedisCommand, urgent: Bool = false, _ reply: @escaping (RedisReply?) -> Void
    ) {
        scripts.run(script, command, urgent: urgent, reply)
    }

    // MARK: One per loop

    /// The loop's client of `shared`, made on first use (the daemon makes and starts them all
    /// when it starts). On the loop.
    static func forLoop(_ loop: EventLoop, shared: SharedLimits) -> SharedLimitsClient {
        loop.local(shared.keyClients) { SharedLimitsClient(loop: loop, shared: shared, tag: shared.nextClientTag()) }
    }
}
