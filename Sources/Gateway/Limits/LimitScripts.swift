/// The Lua scripts of the Redis limits backend. Each runs atomically inside Redis, so one call
/// checks and takes a key's limits however many daemons ask at once. Time is Redis's own
/// (`TIME`), so the daemons' clocks need not agree.
///
/// Keys of one virtual key share a hash tag (`{id}`), so they live on one shard of a cluster:
/// `req` (sorted set: request → admission time, ms), `tok` (hash: request → tokens, the
/// estimate until settled), `lease` (sorted set: request in flight → lease expiry, ms), `sum`
/// (the tokens of the window's requests); and the budgets' keys (see `BudgetScripts`).
enum LimitScripts {
    /// ARGV: rpm, tpm, max_concurrent (0: none), estimated tokens, request id, lease ms, then
    /// the budgets' (`BudgetScripts.arguments`). Returns {code, retry ms, requests in window,
    /// tokens in window or spent, dollars committed}; code 0 admitted, 1 concurrency, 2 rpm,
    /// 3 tpm, 4 token budget, 5 dollar budget. Every check comes before anything is taken, so
    /// a refusal leaves nothing to undo. The window's token sum is kept in `sum` as it changes,
    /// so an admission costs O(log n) plus the entries that expire, however busy the key.
    static let admit =
        start + BudgetScripts.check + "\n" + rates + BudgetScripts.reserve + "\nreturn {0, 0, count, used}\n"

    /// Admission's first step: Redis's clock, the arguments, the concurrency check.
    private static let start = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local rpm, tpm, conc = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
        local est, member, lease = tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6])
        if conc > 0 then
          redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
          if redis.call('ZCARD', KEYS[3]) >= conc then return {1, 1000, 0, 0} end
        end

        """

    /// The request and token windows (skipped for a key with neither rpm nor tpm), then the
    /// taking of the windows and the concurrency slot.
    private static let rates = """
        local count, used = 0, 0
        if rpm > 0 or tpm > 0 then
          local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - 60000, 'LIMIT', 0, 1000)
          while #expired > 0 do
            local freed = 0
            for _, v in ipairs(redis.call('HMGET', KEYS[2], unpack(expired))) do
              freed = freed + (tonumber(v) or 0)
            end
            redis.call('HDEL', KEYS[2], unpack(expired))
            redis.call('ZREM', KEYS[1], unpack(expired))
            redis.call('DECRBY', KEYS[4], freed)
            expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - 60000, 'LIMIT', 0, 1000)
          end
          count = redis.call('ZCARD', KEYS[1])
          used = tonumber(redis.call('GET', KEYS[4]) or '0')
          if count == 0 and used ~= 0 then
            used = 0
            redis.call('DEL', KEYS[4])
          end
        end
        if rpm > 0 and count >= rpm then
          local first = redis.call('ZRANGE', KEYS[1], count - rpm, count - rpm, 'WITHSCORES')
          return {2, tonumber(first[2]) + 60000 - now, count, used}
        end
        if tpm > 0 and used + est > tpm then
          local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
          local wait = 60000
          if #first > 0 then wait = tonumber(first[2]) + 60000 - now end
          return {3, wait, count, used}
        end
        if rpm > 0 or tpm > 0 then
          redis.call('ZADD', KEYS[1], now, member)
          redis.call('HSET', KEYS[2], member, est)
          redis.call('INCRBY', KEYS[4], est)
          for i = 1, 2 do redis.call('PEXPIRE', KEYS[i], 61000) end
          redis.call('PEXPIRE', KEYS[4], 61000)
          count = count + 1
          used = used + est
        end
        if conc > 0 then
          redis.call('ZADD', KEYS[3], now + lease, member)
          redis.call('PEXPIRE', KEYS[3], lease * 2)
        end

        """

    /// The request ended: its lease is released, its estimate replaced by the real count (if
    /// it is still in the window), and the budgets book what it spent. ARGV: request id,
    /// tokens, dollars ("": no price).
    static let settle = releaseAndCorrect + BudgetScripts.settle + "\nreturn 1\n"

    private static let releaseAndCorrect = """
        redis.call('ZREM', KEYS[3], ARGV[1])
        local old = redis.call('HGET', KEYS[2], ARGV[1])
        if old then
          redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
          redis.call('INCRBY', KEYS[4], tonumber(ARGV[2]) - tonumber(old))
        end

        """

    /// Leases of requests still running are pushed forward (a lease already expired and pruned
    /// stays gone). KEYS: lease sets (concurrency slots, dollar reservations); ARGV: lease ms,
    /// request ids.
    static let renew = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local lease = tonumber(ARGV[1])
        local n = 0
        for k = 1, #KEYS do
          if redis.call('EXISTS', KEYS[k]) == 1 then
            for i = 2, #ARGV do n = n + redis.call('ZADD', KEYS[k], 'XX', 'CH', now + lease, ARGV[i]) end
            redis.call('PEXPIRE', KEYS[k], lease * 2)
          end
        end
        return n
        """

    /// Token counts sent to the scripts stay exact in Lua's doubles and in `INCRBY`.
    static let maxTokens = 1_000_000_000_000

    static let all = [admit, settle, renew]

    /// The keys of a virtual key: requests, their tokens, leases, the window's token sum; then
    /// the budgets': tokens spent, dollars spent in the period starting on day `periodStart`
    /// (nil: `total`), the dollar reservations' expiries and amounts.
    static func keys(_ keyId: String, periodStart: Int? = nil) -> [String] {
        let prefix = "switchboard:key:{\(keyId)}:"
        return [
            prefix + "req", prefix + "tok", prefix + "lease", prefix + "sum", prefix + "tspent",
            prefix + "usd:" + (periodStart.map { String($0) } ?? "total"), prefix + "usdres", prefix + "usdamt",
        ]
    }
}
