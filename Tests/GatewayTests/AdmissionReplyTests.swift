import Redis
@testable import Store
import Testing

@testable import Gateway

/// The admit scripts' replies read back into each request's outcome, and which script a batch
/// goes to. The scripts themselves run against a real Redis in `AdmissionBatchTests`.
@Suite("Admission replies")
struct AdmissionReplyTests {
    static func key(rpm: Int? = 3, tpm: Int? = 45, maxConcurrent: Int? = nil) -> VirtualKey {
        VirtualKey(
            id: "k", name: "k", created: 0, revoked: nil, models: [], rpm: rpm, tpm: tpm, maxConcurrent: maxConcurrent,
            tokenBudget: nil, hash: "")
    }

    static func requests(_ n: Int) -> [AdmissionBatch.Request] {
        (0..<n).map { AdmissionBatch.Request(id: "r\($0)", estimatedTokens: 1, worstCase: "0", done: { _ in }) }
    }

    static func describe(_ outcomes: [SharedLimitsClient.Outcome]?) -> [String]? {
        outcomes?.map {
            switch $0 {
            case .admitted(let request): "admitted \(request)"
            case .refused(let error): "\(error.status) \(error.message)"
            case .tokenBudgetSpent(let n): "tokens \(n)"
            case .dollarBudgetSpent(let x): "dollars \(x)"
            case .unavailable: "unavailable"
            }
        }
    }

    /// The rated-only script sends an admission's code alone and a refusal's code with three
    /// values, so the requests' values do not start at fixed places.
    @Test func aRatedReplyIsReadRequestByRequest() {
        let items: [RedisReply] = [
            .integer(0), .integer(3), .integer(1500), .integer(2), .integer(40), .integer(0),
            .integer(2), .integer(60000), .integer(3), .integer(40),
        ]
        let outcomes = SharedLimitsClient.outcomes(items, of: Self.requests(4), key: Self.key(), rated: true)
        #expect(
            Self.describe(outcomes) == [
                "admitted r0", "429 token rate limit reached for this key (tpm 45)", "admitted r2",
                "429 request rate limit reached for this key (rpm 3)",
            ])
    }

    @Test func theFullScriptsReplyHasFiveValuesPerRequest() {
        let items: [RedisReply] = [
            .integer(0), .integer(0), .integer(1), .integer(10), .string(""),
            .integer(4), .integer(0), .integer(0), .integer(900), .string(""),
            .integer(5), .integer(0), .integer(0), .integer(0), .string("2.5"),
        ]
        let outcomes = SharedLimitsClient.outcomes(items, of: Self.requests(3), key: Self.key(), rated: false)
        #expect(Self.describe(outcomes) == ["admitted r0", "tokens 900", "dollars 2.5"])
    }

    /// A reply of another shape (too short, too long, not a code where one is due) is no
    /// decision: every request of the batch is told Redis is unavailable.
    @Test func aReplyOfTheWrongShapeDecidesNothing() {
        let rated: [[RedisReply]] = [
            [.integer(0)],
            [.integer(0), .integer(0), .integer(0)],
            [.integer(0), .integer(2), .integer(60000)],
            [.integer(0), .string("0")],
        ]
        for items in rated {
            #expect(SharedLimitsClient.outcomes(items, of: Self.requests(2), key: Self.key(), rated: true) == nil)
        }
        let full: [RedisReply] = [.integer(0), .integer(0), .integer(1), .integer(10)]
        #expect(SharedLimitsClient.outcomes(full, of: Self.requests(1), key: Self.key(), rated: false) == nil)
    }

    /// Only a key whose limits are all in the request window (rpm, tpm) goes to the smaller
    /// script; concurrency or a budget needs the full one, and a key with no rate has no window.
    @Test func onlyAKeyWithARateAndNothingElseGoesToTheRatedScript() {
        let none = BudgetScripts.arguments(
            tokenBudget: nil, tokensSpent: 0, budgetUSD: nil, spentUSD: 0, worstCaseUSD: 0, keepMillis: 0)
        let tokens = BudgetScripts.arguments(
            tokenBudget: 100, tokensSpent: 0, budgetUSD: nil, spentUSD: 0, worstCaseUSD: 0, keepMillis: 0)
        let dollars = BudgetScripts.arguments(
            tokenBudget: nil, tokensSpent: 0, budgetUSD: 5, spentUSD: 0, worstCaseUSD: 0.1, keepMillis: 0)
        let cases: [(VirtualKey, BudgetScripts.Arguments, Bool)] = [
            (Self.key(), none, true),
            (Self.key(rpm: nil), none, true),
            (Self.key(tpm: nil), none, true),
            (Self.key(rpm: 0, tpm: 0), none, false),
            (Self.key(rpm: nil, tpm: nil, maxConcurrent: 2), none, false),
            (Self.key(maxConcurrent: 2), none, false),
            (Self.key(maxConcurrent: 0), none, true),
            (Self.key(), tokens, false),
            (Self.key(), dollars, false),
        ]
        for (key, budgets, rated) in cases {
            #expect(AdmissionBatch(key: key, periodStart: nil, budgets: budgets.shared).isRatedOnly == rated)
        }
    }
}
