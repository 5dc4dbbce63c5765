import Pricing
import Testing

@Suite struct BudgetPeriodTests {
    static func day(_ y: Int, _ m: Int, _ d: Int) -> Int { CivilDate.days(y, m, d) }

    @Test func civilDatesRoundTrip() {
        #expect(CivilDate.days(1970, 1, 1) == 0)
        for day in stride(from: -800_000, through: 3_000_000, by: 997) {
            let (y, m, d) = CivilDate.civil(fromDays: day)
            #expect(CivilDate.days(y, m, d) == day)
        }
    }

    @Test func periodsStartAndEndOnUTCBoundaries() {
        let d = Self.day
        // 2026-11-28 is a Saturday.
        #expect(BudgetPeriod.daily.startDay(containing: d(2026, 11, 28)) == d(2026, 11, 28))
        #expect(BudgetPeriod.daily.endDay(containing: d(2026, 11, 28)) == d(2026, 11, 29))
        #expect(BudgetPeriod.weekly.startDay(containing: d(2026, 11, 28)) == d(2026, 11, 23))  // Monday
        #expect(BudgetPeriod.weekly.startDay(containing: d(2026, 11, 23)) == d(2026, 11, 23))
        #expect(BudgetPeriod.weekly.endDay(containing: d(2026, 11, 29)) == d(2026, 11, 30))  // Sunday → next Monday
        #expect(BudgetPeriod.monthly.startDay(containing: d(2026, 11, 28)) == d(2026, 11, 1))
        #expect(BudgetPeriod.monthly.endDay(containing: d(2026, 12, 31)) == d(2027, 1, 1))
        #expect(BudgetPeriod.monthly.endDay(containing: d(2028, 2, 10)) == d(2028, 3, 1))  // leap February
        #expect(BudgetPeriod.total.startDay(containing: 123) == nil)
        #expect(BudgetPeriod.total.endDay(containing: 123) == nil)
    }

    @Test func ledgerReservesAndSettles() {
        var ledger = SpendLedger()
        let today = Self.day(2026, 11, 28)
        #expect(ledger.admit(budget: 1, period: .daily, worstCase: 0.6, day: today) == .admitted)
        // 0.6 reserved: still under 1, admitted (the bound is one worst case past the budget).
        #expect(ledger.admit(budget: 1, period: .daily, worstCase: 0.6, day: today) == .admitted)
        #expect(
            ledger.admit(budget: 1, period: .daily, worstCase: 0.6, day: today)
                == .refused(spent: 1.2, resetDay: today + 1))
        ledger.settle(reserved: 0.6, cost: 0.1, day: today)
        ledger.settle(reserved: 0.6, cost: nil, day: today)
        #expect(ledger.reserved == 0)
        #expect(abs(ledger.spent(.daily, day: today) - 0.1) < 1e-12)
        #expect(abs(ledger.spent(.total, day: today) - 0.1) < 1e-12)
    }
}
