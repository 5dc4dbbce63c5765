import Redis

/// The Lua scripts of the Redis limits backend. Each runs atomically inside Redis, so one call
/// checks and takes a key's limits however many daemons ask at once. Time is Redis's own
/// (`TIME`), so the daemons' clocks need not agree.
///
/// Keys of one virtual key share a hash tag (`{id}`), so they live on one shard of a cluster:
/// `req` (sorted set: request → admission time, ms), `tok` (hash: request → tokens, the
/// estimate until settled; and two fields of the key's own: `_sum`, the tokens of the window's
/// requests, and `_kept`, until when (ms) both keys are kept), `lease` (sorted set: request in
/// flight → lease expiry, ms); and the budgets' keys (see `BudgetScripts`).
///
/// Every Redis command a script runs is time on the one thread every daemon waits on, so an
/// admission of a key with `rpm` and `tpm` runs six (`TIME`, the expired entries, `HMGET` of
/// the sum, `ZCARD`, `ZADD`, one `HSET` for the entry and the sum), plus three when entries
/// leave the window, plus two `PEXPIRE` once a minute; the settle runs two.
enum LimitScripts {
    /// ARGV: rpm, tpm, max_concurrent (0: none), estimated tokens, request id, lease ms, then
    /// the budgets' (`BudgetScripts.arguments`). Returns {code, retry ms, requests in window,
    /// tokens in window or spent, dollars committed}; code 0 admitted, 1 concurrency, 2 rpm,
    /// 3 tpm, 4 token budget, 5 dollar budget. Every check comes before anything is taken, so
    /// a refusal leaves nothing to undo. The window's token sum is kept in `_sum` as it
    /// changes, so an admission costs O(log n) plus the entries that expire, however busy the key.
    ///
    /// After the budgets' six, ARGV may carry corrections: pairs of an earlier request of this
    /// key (admitted by this daemon, ended without a lease or budget to release) and its real
    /// token count. They are applied first, before any check can return, as the settle script
    /// would have: a finished request's correction rides with the key's next admission instead
    /// of costing Redis a call of its own (`SharedLimitsClient.settle`).
    static let admit =
        start + corrections + concurrency + BudgetScripts.check + "\n" + rates + BudgetScripts.reserve
        + "\nreturn {0, 0, count, used}\n"

    /// Admission's first step: Redis's clock and the arguments.
    private static let start = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local rpm, tpm, conc = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
        local est, member, lease = tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6])

        """

    /// The corrections (ARGV from 13, member and tokens): each entry still in the window takes
    /// its real count, and the window's sum the difference, in one `HMGET` and one `HSET`.
    private static let corrections = """
        if #ARGV > 12 then
          local fields = {'_sum'}
          for i = 13, #ARGV, 2 do fields[#fields + 1] = ARGV[i] end
          local old = redis.call('HMGET', KEYS[2], unpack(fields))
          local sum, set = tonumber(old[1]) or 0, {}
          for i = 2, #old do
            if old[i] and old[i] ~= ARGV[10 + 2 * i] then
              sum = sum + tonumber(ARGV[10 + 2 * i]) - tonumber(old[i])
              set[#set + 1] = fields[i]
              set[#set + 1] = ARGV[10 + 2 * i]
            end
          end
          if #set > 0 then redis.call('HSET', KEYS[2], '_sum', sum, unpack(set)) end
        end

        """

    /// The concurrency check.
    private static let concurrency = """
        if conc > 0 then
          redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
          if redis.call('ZCARD', KEYS[3]) >= conc then return {1, 1000, 0, 0} end
        end

        """

    /// The request and token windows (skipped for a key with neither rpm nor tpm), then the
    /// taking of the windows and the concurrency slot. Entries that left the window are
    /// dropped and their tokens taken off the sum (read with the sum, in one `HMGET`); a
    /// refusal still writes the sum back when they changed it. The keys' lifetime is pushed
    /// 122 s ahead when less than 61 s of it is left (and when the request set is new), not
    /// on every call: an entry always outlives its minute in the window.
    private static let rates = """
        local count, used, kept, dirty = 0, 0, 0, false
        if rpm > 0 or tpm > 0 then
          local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - 60000, 'LIMIT', 0, 1000)
          local got = redis.call('HMGET', KEYS[2], '_sum', '_kept', unpack(expired))
          used, kept = tonumber(got[1]) or 0, tonumber(got[2]) or 0
          while #expired > 0 do
            for i = #got - #expired + 1, #got do used = used - (tonumber(got[i]) or 0) end
            redis.call('HDEL', KEYS[2], unpack(expired))
            redis.call('ZREM', KEYS[1], unpack(expired))
            dirty = true
            if #expired < 1000 then break end
            expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - 60000, 'LIMIT', 0, 1000)
            if #expired > 0 then got = redis.call('HMGET', KEYS[2], unpack(expired)) end
          end
          count = redis.call('ZCARD', KEYS[1])
          if count == 0 and used ~= 0 then
            used = 0
            dirty = true
          end
        end
        if (rpm > 0 and count >= rpm) or (tpm > 0 and used + est > tpm) then
          if dirty then redis.call('HSET', KEYS[2], '_sum', used) end
          if rpm > 0 and count >= rpm then
            local first = redis.call('ZRANGE', KEYS[1], count - rpm, count - rpm, 'WITHSCORES')
            return {2, tonumber(first[2]) + 60000 - now, count, used}
          end
          local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
          local wait = 60000
          if #first > 0 then wait = tonumber(first[2]) + 60000 - now end
          return {3, wait, count, used}
        end
        if rpm > 0 or tpm > 0 then
          redis.call('ZADD', KEYS[1], now, member)
          if count == 0 or kept < now + 61000 then
            redis.call('HSET', KEYS[2], member, est, '_sum', used + est, '_kept', now + 122000)
            redis.call('PEXPIRE', KEYS[1], 122000)
            redis.call('PEXPIRE', KEYS[2], 122000)
          else
            redis.call('HSET', KEYS[2], member, est, '_sum', used + est)
          end
          count = count + 1
          used = used + est
        end
        if conc > 0 then
          redis.call('ZADD', KEYS[3], now + lease, member)
          redis.call('PEXPIRE', KEYS[3], lease * 2)
        end

        """

    /// The request ended: its estimate is replaced by the real count (if it is still in the
    /// window), its lease and reservation released (when it held them), and the budgets book
    /// what it spent. ARGV: request id, tokens, dollars ("": no price), "1" when it held a lease.
    static let settle = releaseAndCorrect + BudgetScripts.settle + "\nreturn 1\n"

    private static let releaseAndCorrect = """
        if ARGV[4] == '1' then
          redis.call('ZREM', KEYS[3], ARGV[1])
          redis.call('ZREM', KEYS[6], ARGV[1])
          redis.call('HDEL', KEYS[7], ARGV[1])
        end
        local got = redis.call('HMGET', KEYS[2], ARGV[1], '_sum')
        local tokens = tonumber(ARGV[2])
        if got[1] and tonumber(got[1]) ~= tokens then
          redis.call('HSET', KEYS[2], ARGV[1], tokens, '_sum', (tonumber(got[2]) or 0) + tokens - tonumber(got[1]))
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

    /// How many keys `keys` gives (the admit and settle scripts take them all).
    static let keyCount = 7

    /// What follows `switchboard:key:{<id>` in each of a virtual key's keys, in KEYS order:
    /// requests, their tokens (and the sum), leases; then the budgets': tokens spent, dollars
    /// spent in the period (`usd:<its first day>`, or `usd:total`), the dollar reservations'
    /// expiries and amounts.
    private static func suffixes(periodStart: Int?) -> [String] {
        [
            "}:req", "}:tok", "}:lease", "}:tspent", "}:usd:" + (periodStart.map { String($0) } ?? "total"),
            "}:usdres", "}:usdamt",
        ]
    }

    /// The keys of a virtual key; the dollars' counter is that of the period starting on day
    /// `periodStart` (nil: `total`).
    static func keys(_ keyId: String, periodStart: Int? = nil) -> [String] {
        suffixes(periodStart: periodStart).map { "switchboard:key:{" + keyId + $0 }
    }

    /// Appends `keys(keyId, periodStart:)` to `command` (one buffer, no string per key).
    static func appendKeys(_ keyId: String, periodStart: Int?, to command: inout RedisCommand) {
        for suffix in suffixes(periodStart: periodStart) {
            command.append(joining: "switchboard:key:{", keyId, suffix)
        }
    }
}
