import Arithmetic
import ChatModel
import HTTPTypes
import Pricing
import Store
import Synchronization

/// Every key's `SpendLedger` behind one lock, so a budget holds whichever event loop its
/// requests land on: admission checks and reserves in one step, the request's end settles.
/// Spend is tracked for every key (a budget set later by `PATCH` sees what was spent before).
public final class DollarBudgets: Sendable {
    private let ledgers: Mutex<[String: SpendLedger]>
    /// Unix seconds, UTC (injected by tests to cross period boundaries).
    private let now: @Sendable () -> Double

    public init(seed: [String: SpendLedger] = [:], now: @escaping @Sendable () -> Double = DollarBudgets.wallClock) {
        ledgers = Mutex(seed)
        self.now = now
    }

    /// Seeded from the usage table: the total and the last `SpendLedger.daysKept` days per key.
    public convenience init(reader: any UsageQuerying) throws {
        let today = Int(WallClock.unixMillis() / 86_400_000)
        let spend = try reader.spendByKey(sinceDay: today - SpendLedger.daysKept)
        var seed: [String: SpendLedger] = [:]
        for (key, total) in spend.total { seed[key] = SpendLedger(total: total, byDay: spend.byDay[key] ?? [:]) }
        self.init(seed: seed)
    }

    /// Unix seconds now, UTC.
    @Sendable public static func wallClock() -> Double { Double(WallClock.unixMillis()) / 1000 }

    private var clock: (seconds: Double, day: Int) {
        let seconds = now()
        return (seconds, Int(saturating: (seconds / 86_400).rounded(.down)))
    }

    /// Spent by `keyId` in `period`, as of now.
    public func spent(keyId: String, period: BudgetPeriod) -> Double {
        let day = clock.day
        return ledgers.withLock { $0[keyId]?.spent(period, day: day) ?? 0 }
    }

    /// Admits a request of `key` (reserving `worstCase` dollars) or throws 429
    /// `budget_exceeded` with the period's reset in `Retry-After` and `x-ratelimit-reset-usd`.
    /// A key without a dollar budget reserves nothing.
    public func admit(_ key: VirtualKey, worstCase: Double) throws(GatewayError) -> Double {
        guard let budget = key.budgetUSD else { return 0 }
        let (seconds, day) = clock
        let decision = ledgers.withLock {
            $0[key.id, default: SpendLedger()]
                .admit(budget: budget, period: key.budgetPeriod, worstCase: worstCase, day: day)
        }
        guard case .refused(let spent, let resetDay) = decision else { return worstCase }
        throw refusal(key, budget: budget, spent: spent, resetDay: resetDay, now: seconds)
    }

    /// Where `key`'s dollars are counted today: the period's first day (nil: `total`), what
    /// this daemon's ledger has spent in it, and how long a shared counter of it is worth
    /// keeping (ms; 0: forever): to the period's end and a day more.
    func currentPeriod(of key: VirtualKey) -> (start: Int?, spent: Double, keepMillis: Int) {
        let (seconds, day) = clock
        let spent = ledgers.withLock { $0[key.id]?.spent(key.budgetPeriod, day: day) ?? 0 }
        guard let end = key.budgetPeriod.endDay(containing: day) else { return (nil, spent, 0) }
        let keep = (Double(end + 1) * 86_400 - seconds) * 1000
        return (key.budgetPeriod.startDay(containing: day), spent, Int(saturating: keep.rounded(.up)))
    }

    /// The 429 `budget_exceeded` of `key` having `spent` (and reserved) its `budget`.
    func refusal(_ key: VirtualKey, budget: Double, spent: Double, resetDay: Int?, now seconds: Double? = nil)
        -> GatewayError
    {
        let seconds = seconds ?? now()
        var headers = HTTPHeaders()
        let wait = resetDay.map { max(1, Int(saturating: (Double($0) * 86_400 - seconds).rounded(.up))) }
        var message =
            "key \(key.id) has reached its \(key.budgetPeriod.rawValue) budget of $\(Self.dollars(budget))"
            + " ($\(Self.dollars(spent)) spent or in flight)"
        if let wait {
            headers.add("Retry-After", String(wait))
            message += "; it resets in \(wait) s"
        } else {
            message += "; ask an admin to raise it"
        }
        headers.add("x-ratelimit-limit-usd", Self.dollars(budget))
        headers.add("x-ratelimit-remaining-usd", "0")
        if let wait { headers.add("x-ratelimit-reset-usd", "\(wait)s") }
        return GatewayError(status: 429, type: .budgetExceeded, message: message, headers: headers)
    }

    /// The day the key's current period ends (nil: never).
    func resetDay(of key: VirtualKey) -> Int? { key.budgetPeriod.endDay(containing: clock.day) }

    /// The request ended: releases its reservation and books its cost (nil: no price).
    public func settle(keyId: String, reserved: Double, cost: Double?) {
        let day = clock.day
        ledgers.withLock { $0[keyId, default: SpendLedger()].settle(reserved: reserved, cost: cost, day: day) }
    }

    /// Dollars for headers and messages: up to six decimals, no exponent.
    static func dollars(_ x: Double) -> String {
        let micros = Int(saturating: (x * 1_000_000).rounded())
        let whole = micros / 1_000_000, fraction = micros % 1_000_000
        guard fraction > 0 else { return String(whole) }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 6 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }
}
