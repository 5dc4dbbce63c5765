import ChatModel
@testable import Gateway
import Pricing
@testable import Store
import Synchronization
import Testing

/// Dollar budgets over an injected clock: periods reset exactly at their UTC boundary.
@Suite struct DollarBudgetsTests {
    final class Clock: Sendable {
        let seconds: Mutex<Double>
        init(_ s: Double) { seconds = Mutex(s) }
        func set(_ s: Double) { seconds.withLock { $0 = s } }
        var now: @Sendable () -> Double { { [self] in seconds.withLock { $0 } } }
    }

    static func key(_ budget: Double, _ period: BudgetPeriod) -> VirtualKey {
        VirtualKey(
            id: "key_1", name: "k", created: 0, revoked: nil, models: [], rpm: nil, tpm: nil, maxConcurrent: nil,
            tokenBudget: nil, hash: "", budgetUSD: budget, budgetPeriod: period)
    }

    /// Unix seconds of a UTC date and time.
    static func at(_ y: Int, _ m: Int, _ d: Int, _ seconds: Double = 0) -> Double {
        Double(CivilDate.days(y, m, d)) * 86_400 + seconds
    }

    func spendToTheLimit(_ budgets: DollarBudgets, _ key: VirtualKey) throws {
        let reserved = try budgets.admit(key, worstCase: 2)
        budgets.settle(keyId: key.id, reserved: reserved, cost: 1.5)
    }

    func refusal(_ budgets: DollarBudgets, _ key: VirtualKey) -> GatewayError? {
        do { _ = try budgets.admit(key, worstCase: 0.1); return nil } catch { return error }
    }

    @Test(arguments: [
        (BudgetPeriod.daily, at(2026, 11, 28, 86_399.5), at(2026, 11, 29)),
        (BudgetPeriod.weekly, at(2026, 11, 29, 86_399.5), at(2026, 11, 30)),  // Sunday night → Monday
        (BudgetPeriod.monthly, at(2026, 12, 31, 86_399.5), at(2027, 1, 1)),
    ])
    func aPeriodResetsAtItsUTCBoundary(period: BudgetPeriod, lastMoment: Double, boundary: Double) throws {
        let clock = Clock(lastMoment - 3600)
        let budgets = DollarBudgets(now: clock.now)
        let key = Self.key(1, period)
        try spendToTheLimit(budgets, key)
        clock.set(lastMoment)
        let refused = try #require(refusal(budgets, key))
        #expect(refused.status == 429)
        #expect(refused.type == .budgetExceeded)
        // Half a second before the boundary: Retry-After rounds up to 1 s, the reset is then.
        #expect(refused.headers["Retry-After"] == "1")
        #expect(refused.headers["x-ratelimit-reset-usd"] == "1s")
        #expect(refused.headers["x-ratelimit-limit-usd"] == "1")
        clock.set(boundary)
        #expect(refusal(budgets, key) == nil)
        #expect(budgets.spent(keyId: key.id, period: period) == 0)
        #expect(budgets.spent(keyId: key.id, period: .total) == 1.5)
    }

    @Test func aTotalBudgetNeverResets() throws {
        let clock = Clock(Self.at(2026, 1, 1))
        let budgets = DollarBudgets(now: clock.now)
        let key = Self.key(1, .total)
        try spendToTheLimit(budgets, key)
        clock.set(Self.at(2030, 1, 1))
        let refused = try #require(refusal(budgets, key))
        #expect(refused.headers["Retry-After"] == nil)
        #expect(refused.message.contains("ask an admin"))
    }

    @Test func inFlightReservationsCountAgainstTheBudget() throws {
        let budgets = DollarBudgets(now: { Self.at(2026, 11, 28) })
        let key = Self.key(1, .daily)
        let first = try budgets.admit(key, worstCase: 0.7)
        _ = try budgets.admit(key, worstCase: 0.7)  // 0.7 < 1: admitted, the bound's one worst case
        #expect(refusal(budgets, key) != nil)  // 1.4 committed
        budgets.settle(keyId: key.id, reserved: first, cost: 0.1)
        #expect(refusal(budgets, key) == nil)  // 0.1 spent + 0.7 in flight
    }

    @Test func aKeyWithoutADollarBudgetStillHasItsSpendTracked() throws {
        let budgets = DollarBudgets(now: { Self.at(2026, 11, 28) })
        var key = Self.key(1, .monthly)
        key.budgetUSD = nil
        #expect(try budgets.admit(key, worstCase: 5) == 0)
        budgets.settle(keyId: key.id, reserved: 0, cost: 3)
        #expect(budgets.spent(keyId: key.id, period: .monthly) == 3)
    }
}
