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
/// admission call of a key with `rpm` and `tpm` runs six (`TIME`, the expired entries, one
/// `HMGET` of the sum, the corrected and the expired entries, `ZCARD`, `ZADD`, one `HSET` of
/// the new and corrected entries and the sum) however many requests it admits, plus two when
/// entries leave the window, plus two `PEXPIRE` once a minute; the settle runs two. A number
/// handed to `redis.call` is sent as text the script made (`'0'`, `stamp`): Redis formats a Lua
/// number with `%.17g`, which cost a tenth of an admission call.
enum LimitScripts {
    /// Admits a batch of requests of one key, in order, each seeing what the ones before it took:
    /// the requests a loop asks for in one round go in one call (the per-call work — Redis's
    /// clock, the expired entries, the window's counts, the script's set-up — is paid once).
    ///
    /// ARGV: rpm, tpm, max_concurrent (0: none), lease ms, the budgets' shared four and the
    /// dollar period's keep ms (`BudgetScripts.Arguments`), n; then n triples (estimated tokens,
    /// request id, worst case in dollars); then the corrections. Returns five values per
    /// request: code, retry ms, requests in window, tokens in window or spent, dollars committed
    /// ("" unless code 5); code 0 admitted, 1 concurrency, 2 rpm, 3 tpm, 4 token budget, 5 dollar
    /// budget. Every check of a request comes before anything is taken, so a refusal leaves
    /// nothing to undo. The window's token sum is kept in `_sum` as it changes, so a call costs
    /// O(log n) per request plus the entries that expire, however busy the key.
    ///
    /// The corrections are pairs of an earlier request of this key (admitted by this daemon,
    /// ended without a lease or budget to release) and its real token count. They are applied
    /// before any request is checked, as the settle script would have: a finished request's correction rides with the
    /// key's next admission instead of costing Redis a call of its own (`SharedLimitsClient.settle`).
    static let admit =
        clock + start + concurrency + BudgetScripts.check + window + decide + takeWindow + takeSlots
        + BudgetScripts.reserve + "\nreturn out\n"

    /// `admit` for a key with only `rpm` and `tpm` (no concurrency, no budgets), the common
    /// case: the same window, read and written the same way, but two keys instead of seven and
    /// three shared arguments instead of ten. Each argument is a Lua string Redis makes and the
    /// script converts, and the branches of limits the key does not have are gone, so Redis's one
    /// thread spends a fifth less per call.
    ///
    /// KEYS: requests, tokens (the first two of `keys`). ARGV: rpm, tpm, n; then n pairs
    /// (estimated tokens, request id); then the corrections. Returns per request its code (0
    /// admitted, 2 rpm, 3 tpm), and after a refusal's code its retry ms, the requests and the
    /// tokens in the window (every value Redis turns into a reply costs its thread: an admission
    /// needs only its code).
    static let admitRated = clock + startRated + window + decideRated + takeWindow + "\nreturn out\n"

    /// Redis's clock, in ms, as a number and as the integer text a score is sent as.
    private static let clock = """
        local t = redis.call('TIME')
        local now = t[1] * 1000 + math.floor(t[2] / 1000)
        local stamp = string.format('%d', now)

        """

    private static let startRated = """
        local rpm, tpm, n = ARGV[1] + 0, ARGV[2] + 0, ARGV[3] + 0
        local rated, first = true, 4 + 2 * n

        """

    /// Admission's first step after the clock: the arguments shared by the batch. Numbers
    /// cost Redis's one thread most of a call's time as they cross between Lua and Redis, so
    /// the arguments are read with `+ 0` (one conversion; `tonumber` makes two) and a number
    /// sent back is formatted as an integer (`%d`; Redis formats a Lua number with `%.17g`).
    private static let start = """
        local rpm, tpm, conc = ARGV[1] + 0, ARGV[2] + 0, ARGV[3] + 0
        local lease, n = ARGV[4] + 0, ARGV[10] + 0
        local rated, first = rpm > 0 or tpm > 0, 11 + 3 * n

        """

    /// The concurrency slots held (expired leases dropped first).
    private static let concurrency = """
        local held = 0
        if conc > 0 then
          redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
          held = redis.call('ZCARD', KEYS[3])
        end

        """

    /// The request and token windows (skipped for a key with neither rpm nor tpm), read in one
    /// `HMGET` with the corrections' entries and the expired ones: the corrections (ARGV after
    /// the requests: request id and real tokens) give each entry still in the window its real
    /// count and the sum the difference, as the settle script would have; entries that left
    /// the window are dropped and their tokens taken off the sum. What changes is written with
    /// the batch's own entries, in one `HSET` (`writes`). `base` is what the window held before
    /// the batch.
    private static let window = """
        local count, used, kept, dirty, writes = 0, 0, 0, false, {}
        if rated then
          local cutoff = string.format('%d', now - 60000)
          local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff, 'LIMIT', '0', '1000')
          local fields = {'_sum', '_kept'}
          for i = first, #ARGV, 2 do fields[#fields + 1] = ARGV[i] end
          local corrected = #fields - 2
          for i = 1, #expired do fields[#fields + 1] = expired[i] end
          local got = redis.call('HMGET', KEYS[2], unpack(fields))
          used, kept = tonumber(got[1]) or 0, tonumber(got[2]) or 0
          if corrected > 0 then
            local gone = {}
            if #expired > 0 then for i = 1, #expired do gone[expired[i]] = true end end
            for i = 1, corrected do
              local member, old, real = fields[2 + i], got[2 + i], ARGV[first + 2 * i - 1]
              if old and old ~= real and not gone[member] then
                used = used + real - old
                writes[#writes + 1] = member
                writes[#writes + 1] = real
                dirty = true
              end
            end
          end
          while #expired > 0 do
            for i = #got - #expired + 1, #got do used = used - (tonumber(got[i]) or 0) end
            redis.call('HDEL', KEYS[2], unpack(expired))
            redis.call('ZREM', KEYS[1], unpack(expired))
            dirty = true
            if #expired < 1000 then break end
            expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff, 'LIMIT', '0', '1000')
            if #expired > 0 then got = redis.call('HMGET', KEYS[2], unpack(expired)) end
          end
          count = redis.call('ZCARD', KEYS[1])
          if count == 0 and used ~= 0 then
            used = 0
            dirty = true
          end
        end
        local base = count

        """

    /// Each request in turn: checked against what the window, the slots and the budgets hold
    /// with the batch's earlier admissions, then taken (in memory; written once, by `take`).
    /// The batch's own entries are the window's newest (admitted `now`), so a refusal's wait
    /// reads Redis's set only for an entry that was there before the batch.
    private static let decide = """
        local out, zadd, slots, reserved = {}, {}, {}, {}
        for r = 0, n - 1 do
          local est, member, worst = ARGV[11 + 3 * r] + 0, ARGV[12 + 3 * r], ARGV[13 + 3 * r] + 0
          local code, retry, a, b, c = 0, 0, count, used, ''
          if conc > 0 and held >= conc then
            code, retry, a, b = 1, 1000, 0, 0
          elseif tbudget >= 0 and spent >= tbudget then
            code, a, b = 4, 0, spent
          elseif ubudget >= 0 and committed >= ubudget then
            code, a, b, c = 5, 0, 0, string.format('%.9f', committed)
          elseif \(rateChecks)
          else
            if rated then
              zadd[#zadd + 1] = stamp
              zadd[#zadd + 1] = member
              writes[#writes + 1] = member
              writes[#writes + 1] = ARGV[11 + 3 * r]
              count = count + 1
              used = used + est
              a, b = count, used
            end
            if conc > 0 then
              slots[#slots + 1] = now + lease
              slots[#slots + 1] = member
              held = held + 1
            end
            if ubudget >= 0 and worst > 0 then
              reserved[#reserved + 1] = member
              reserved[#reserved + 1] = ARGV[13 + 3 * r]
              committed = committed + worst
            end
          end
          out[#out + 1] = code
          out[#out + 1] = retry
          out[#out + 1] = a
          out[#out + 1] = b
          out[#out + 1] = c
        end

        """

    /// One request's rpm and tpm checks, shared by `decide` and `decideRated`: from after the
    /// `if` or `elseif` that opens them to before the `else` that takes the request. A refusal's
    /// wait reads Redis's set only for an entry that was there before the batch.
    private static let rateChecks = """
        rpm > 0 and count >= rpm then
            code, retry = 2, 60000
            if count - rpm < base then
              local oldest = redis.call('ZRANGE', KEYS[1], count - rpm, count - rpm, 'WITHSCORES')
              retry = tonumber(oldest[2]) + 60000 - now
            end
          elseif tpm > 0 and used + est > tpm then
            code, retry = 3, 60000
            if base > 0 then
              local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
              retry = tonumber(oldest[2]) + 60000 - now
            end
        """

    /// `decide` for a key with only rpm and tpm: the same checks, waits and window entries.
    private static let decideRated = """
        local out, zadd = {}, {}
        for r = 0, n - 1 do
          local est, member = ARGV[4 + 2 * r] + 0, ARGV[5 + 2 * r]
          local code, retry = 0, 0
          if \(rateChecks)
          else
            zadd[#zadd + 1] = stamp
            zadd[#zadd + 1] = member
            writes[#writes + 1] = member
            writes[#writes + 1] = ARGV[4 + 2 * r]
            count = count + 1
            used = used + est
          end
          out[#out + 1] = code
          if code ~= 0 then
            out[#out + 1] = retry
            out[#out + 1] = count
            out[#out + 1] = used
          end
        end

        """

    /// What the batch took and the window's changes, written at once. The keys' lifetime is
    /// pushed 122 s ahead when less than 61 s of it is left (and when the request set is new),
    /// not on every call: an entry always outlives its minute in the window.
    private static let takeWindow = """
        if #zadd > 0 then redis.call('ZADD', KEYS[1], unpack(zadd)) end
        if #zadd > 0 or dirty then
          writes[#writes + 1] = '_sum'
          writes[#writes + 1] = string.format('%d', used)
          if #zadd > 0 and (base == 0 or kept < now + 61000) then
            writes[#writes + 1] = '_kept'
            writes[#writes + 1] = now + 122000
            redis.call('HSET', KEYS[2], unpack(writes))
            redis.call('PEXPIRE', KEYS[1], 122000)
            redis.call('PEXPIRE', KEYS[2], 122000)
          else
            redis.call('HSET', KEYS[2], unpack(writes))
          end
        end

        """

    /// The concurrency slots the batch took.
    private static let takeSlots = """
        if #slots > 0 then
          redis.call('ZADD', KEYS[3], unpack(slots))
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

    static let all = [admit, settle, renew, admitRated]

    /// Indexes in `all`.
    static let admitIndex = 0, settleIndex = 1, renewIndex = 2, admitRatedIndex = 3

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

    /// Appends the first `count` of `keys(keyId, periodStart:)` to `command` (one buffer, no
    /// string per key).
    static func appendKeys(_ keyId: String, periodStart: Int?, count: Int = keyCount, to command: inout RedisCommand) {
        for suffix in suffixes(periodStart: periodStart).prefix(count) {
            command.append(joining: "switchboard:key:{", keyId, suffix)
        }
    }
}
