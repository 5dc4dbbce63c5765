/// How often a dollar budget starts again: never (`total`), or at the start of each UTC day,
/// ISO week (Monday) or calendar month. Pure day arithmetic on days since 1970-01-01 (UTC).
public enum BudgetPeriod: String, Sendable, CaseIterable {
    case total, daily, weekly, monthly

    /// The first day of the period holding `day`; nil for `total` (it has no start).
    public func startDay(containing day: Int) -> Int? {
        switch self {
        case .total: return nil
        case .daily: return day
        case .weekly: return day - Self.floorMod(day + 3, 7)  // 1970-01-01 was a Thursday
        case .monthly:
            let (y, m, _) = CivilDate.civil(fromDays: day)
            return CivilDate.days(y, m, 1)
        }
    }

    /// The first day of the next period (when this one resets); nil for `total`.
    public func endDay(containing day: Int) -> Int? {
        switch self {
        case .total: return nil
        case .daily: return day + 1
        case .weekly: return startDay(containing: day).map { $0 + 7 }
        case .monthly:
            let (y, m, _) = CivilDate.civil(fromDays: day)
            return m == 12 ? CivilDate.days(y + 1, 1, 1) : CivilDate.days(y, m + 1, 1)
        }
    }

    static func floorMod(_ a: Int, _ n: Int) -> Int { ((a % n) + n) % n }
}

/// Proleptic Gregorian dates ↔ days since 1970-01-01 (Howard Hinnant's algorithms).
public enum CivilDate {
    public static func days(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
