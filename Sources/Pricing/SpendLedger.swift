/// One key's spending: dollars per UTC day (enough days back for any period but `total`), in
/// all, and reserved by requests in flight. Pure: every call takes the day.
public struct SpendLedger: Sendable, Equatable {
    /// Days kept: a month is at most 31 days, a week 7.
    public static let daysKept = 62

    public private(set) var total = 0.0
    public private(set) var byDay: [Int: Double] = [:]
    /// The worst cases of requests admitted and not yet settled.
    public private(set) var reserved = 0.0

    public init(total: Double = 0, byDay: [Int: Double] = [:]) {
        self.total = Self.sane(total)
        self.byDay = byDay.mapValues(Self.sane)
    }

    /// Spent in the period holding `day` (settled requests only).
    public func spent(_ period: BudgetPeriod, day: Int) -> Double {
        guard let start = period.startDay(containing: day) else { return total }
        return byDay.reduce(0) { $1.key >= start && $1.key <= day ? $0 + $1.value : $0 }
    }

    public enum Decision: Sendable, Equatable {
        case admitted
        /// Spent (plus reserved) has reached the budget; it resets on `resetDay` (nil: never).
        case refused(spent: Double, resetDay: Int?)
    }

    /// Admits a request when what is spent and reserved in this period is below `budget`, and
    /// reserves its `worstCase`; refuses it otherwise. So every admitted request found the
    /// budget not yet reached, and the period can end above it by at most the last admitted
    /// request's worst case.
    public mutating func admit(budget: Double, period: BudgetPeriod, worstCase: Double, day: Int) -> Decision {
        let committed = spent(period, day: day) + reserved
        guard committed < budget else { return .refused(spent: committed, resetDay: period.endDay(containing: day)) }
        reserved += Self.sane(worstCase)
        return .admitted
    }

    /// A request ended: its reservation is released and its cost (nil: no price) is spent on `day`.
    public mutating func settle(reserved amount: Double, cost: Double?, day: Int) {
        reserved = max(0, reserved - Self.sane(amount))
        if reserved < 1e-12 { reserved = 0 }  // floating-point dust once nothing is in flight
        guard let cost else { return }
        let usd = Self.sane(cost)
        total += usd
        byDay[day, default: 0] += usd
        if byDay.count > Self.daysKept { byDay = byDay.filter { $0.key > day - Self.daysKept } }
    }

    /// Costs are finite and non-negative by construction; this keeps the ledger so whatever
    /// a database row held.
    static func sane(_ x: Double) -> Double { x.isFinite && x > 0 ? min(x, 1e15) : 0 }
}
