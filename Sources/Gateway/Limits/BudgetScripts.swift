/// The budgets' part of the Redis limits scripts (spliced into `LimitScripts`' admit and
/// settle), so a key's token and dollar budgets are checked, reserved and booked in the same
/// atomic round trip as its rate limits, however many daemons serve it.
///
/// Keys (after `LimitScripts`' three): 4 `tspent` (tokens spent, ever), 5 `usd:<period start
/// day>` (dollars spent in the period; `usd:total` for `total`), 6 `usdres` (sorted set:
/// request → reservation expiry, ms, renewed with the concurrency leases so a dead daemon's
/// reservations lapse), 7 `usdamt` (hash: request → dollars reserved at worst).
///
/// Each spent counter is seeded once from the store's figure of the daemon that first needs it
/// (`SET … NX`), then only counts up; with one shared store every daemon's figure is the same.
enum BudgetScripts {
    /// A key's budget arguments for one admission call: `shared` (ARGV 5–9: token budget, -1
    /// for none; tokens spent per the store; dollar budget, -1 for none; dollars spent in the
    /// period per the store; ms the period's counter is kept, 0 forever), the same for every
    /// request of the key in a batch, and the request's own worst case in dollars.
    struct Arguments {
        let shared: [String]
        let worstCase: String
    }

    static func arguments(
        tokenBudget: Int?, tokensSpent: Int, budgetUSD: Double?, spentUSD: Double, worstCaseUSD: Double,
        keepMillis: Int
    ) -> Arguments {
        if tokenBudget == nil && budgetUSD == nil { return Arguments(shared: none, worstCase: "0") }
        return Arguments(
            shared: [
                String(tokenBudget.map { min(max(0, $0), LimitScripts.maxTokens) } ?? -1),
                String(min(max(0, tokensSpent), LimitScripts.maxTokens)),
                budgetUSD.map { dollars(max(0, $0)) } ?? "-1", dollars(spentUSD), String(max(0, keepMillis)),
            ], worstCase: dollars(worstCaseUSD))
    }

    /// The arguments of a key without budgets (the same for every request: nothing to format).
    static let none = ["-1", "0", "-1", "0", "0"]

    /// Dollars as Redis and Lua both read them (exponents included): finite, 0 ... 1e15.
    static func dollars(_ x: Double) -> String { String(x.isFinite && x > 0 ? min(x, 1e15) : 0) }

    /// What both budgets hold before the batch: tokens spent, and dollars spent and reserved
    /// (lapsed reservations dropped first). Each request is checked against them in turn
    /// (`LimitScripts.admit`): code 4 (tokens spent) or 5 (dollars spent and reserved).
    static let check = """
        local tbudget, ubudget, spent, committed = ARGV[5] + 0, ARGV[7] + 0, 0, 0
        if tbudget >= 0 then
          redis.call('SET', KEYS[4], ARGV[6], 'NX')
          spent = tonumber(redis.call('GET', KEYS[4]))
        end
        if ubudget >= 0 then
          if redis.call('SET', KEYS[5], ARGV[8], 'NX') and tonumber(ARGV[9]) > 0 then
            redis.call('PEXPIRE', KEYS[5], tonumber(ARGV[9]))
          end
          local lapsed = redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', stamp, 'LIMIT', '0', '1000')
          if #lapsed > 0 then
            redis.call('HDEL', KEYS[7], unpack(lapsed))
            redis.call('ZREM', KEYS[6], unpack(lapsed))
          end
          committed = tonumber(redis.call('GET', KEYS[5]))
          for _, v in ipairs(redis.call('HVALS', KEYS[7])) do committed = committed + tonumber(v) end
        end

        """

    /// Reserves the admitted requests' worst cases (`reserved`: request, dollars) against the
    /// dollar budget until they settle.
    static let reserve = """
        if #reserved > 0 then
          local expiries = {}
          for i = 1, #reserved, 2 do
            expiries[#expiries + 1] = now + lease
            expiries[#expiries + 1] = reserved[i]
          end
          redis.call('ZADD', KEYS[6], unpack(expiries))
          redis.call('HSET', KEYS[7], unpack(reserved))
          redis.call('PEXPIRE', KEYS[6], lease * 2)
          redis.call('PEXPIRE', KEYS[7], lease * 2)
        end
        """

    /// Books the tokens and dollars spent, on counters that exist (one not yet made is seeded
    /// from the store, which has this request by then). The reservation is released with the
    /// lease (`LimitScripts.settle`).
    static let settle = """
        if redis.call('EXISTS', KEYS[4]) == 1 then redis.call('INCRBY', KEYS[4], ARGV[2]) end
        if ARGV[3] ~= '' and redis.call('EXISTS', KEYS[5]) == 1 then
          redis.call('INCRBYFLOAT', KEYS[5], ARGV[3])
        end
        """
}
