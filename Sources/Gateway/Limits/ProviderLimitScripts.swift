/// The Lua scripts that count a provider's (or a deployment's) own limits in Redis, so N
/// daemons together keep a provider key's `rpm`, `tpm` and `max_concurrent`, and a 429's
/// hold-back reaches them all. One call per attempt; time is Redis's own (`TIME`).
///
/// Keys of one limited slot share a hash tag (`{slot}`, one cluster shard): `req` (sorted
/// set: attempt → admission ms), `tok` (hash: attempt → tokens, the estimate until settled),
/// `lease` (sorted set: attempt in flight → lease expiry ms, so a dead daemon's slots lapse),
/// `sum` (the window's tokens), `hold` (present while the provider holds every attempt back).
enum ProviderLimitScripts {
    /// ARGV: rpm, tpm, max_concurrent (0: none), estimated tokens, attempt id, lease ms.
    /// Returns {code, retry ms}: 0 admitted, 1 concurrency, 2 rpm, 3 tpm, 6 held back. Every
    /// check comes before anything is taken: a refusal leaves nothing to undo.
    static let admit = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local rpm, tpm, conc = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
        local est, member, lease = tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6])
        local held = redis.call('PTTL', KEYS[5])
        if held > 0 then return {6, held} end
        if conc > 0 then
          redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
          if redis.call('ZCARD', KEYS[3]) >= conc then return {1, 5} end
        end
        local count, used = 0, 0
        if rpm > 0 or tpm > 0 then
          local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - 60000, 'LIMIT', '0', '500')
          while #gone > 0 do
            local freed = 0
            for _, v in ipairs(redis.call('HMGET', KEYS[2], unpack(gone))) do freed = freed + (tonumber(v) or 0) end
            redis.call('HDEL', KEYS[2], unpack(gone))
            redis.call('ZREM', KEYS[1], unpack(gone))
            redis.call('DECRBY', KEYS[4], freed)
            gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - 60000, 'LIMIT', '0', '500')
          end
          count = redis.call('ZCARD', KEYS[1])
          used = tonumber(redis.call('GET', KEYS[4]) or '0')
          if count == 0 then used = 0 end
        end
        if rpm > 0 and count >= rpm then
          local first = redis.call('ZRANGE', KEYS[1], count - rpm, count - rpm, 'WITHSCORES')
          return {2, math.max(1, tonumber(first[2]) + 60000 - now)}
        end
        if tpm > 0 and count > 0 and used + est > tpm then
          local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
          return {3, math.max(1, tonumber(first[2]) + 60000 - now)}
        end
        if rpm > 0 or tpm > 0 then
          redis.call('ZADD', KEYS[1], now, member)
          redis.call('HSET', KEYS[2], member, est)
          redis.call('SET', KEYS[4], used + est, 'PX', 61000)
          redis.call('PEXPIRE', KEYS[1], 61000)
          redis.call('PEXPIRE', KEYS[2], 61000)
        end
        if conc > 0 then
          redis.call('ZADD', KEYS[3], now + lease, member)
          redis.call('PEXPIRE', KEYS[3], lease * 2)
        end
        return {0, 0}
        """

    /// The attempt ended: its slot is freed, its estimate replaced by what it really used
    /// (while it is in the window), and a hold-back (a 429, or rate-limit headers saying
    /// nothing is left) is shared. ARGV: attempt id, tokens, hold ms (0: none).
    static let settle = """
        redis.call('ZREM', KEYS[3], ARGV[1])
        local old = redis.call('HGET', KEYS[2], ARGV[1])
        if old then
          redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
          redis.call('INCRBY', KEYS[4], tonumber(ARGV[2]) - tonumber(old))
        end
        local hold = tonumber(ARGV[3])
        if hold > 0 and redis.call('PTTL', KEYS[5]) < hold then
          redis.call('SET', KEYS[5], '1', 'PX', hold)
        end
        return 1
        """

    /// Leases of attempts still running are pushed forward (one already lapsed stays gone).
    /// KEYS: one lease set; ARGV: lease ms, attempt ids.
    static let renew = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local lease = tonumber(ARGV[1])
        for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + lease, ARGV[i]) end
        redis.call('PEXPIRE', KEYS[1], lease * 2)
        return 1
        """

    static let all = [admit, settle, renew]

    /// Token counts sent to the scripts stay exact in Lua's doubles and in `INCRBY`.
    static let maxTokens = 1_000_000_000_000

    /// The keys of one limited slot, `identity` naming it the same on every daemon.
    static func keys(_ identity: String) -> [String] {
        let prefix = "switchboard:provider:{\(identity)}:"
        return [prefix + "req", prefix + "tok", prefix + "lease", prefix + "sum", prefix + "hold"]
    }
}
