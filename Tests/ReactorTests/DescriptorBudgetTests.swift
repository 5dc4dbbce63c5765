import Testing
@testable import Reactor

@Suite("Descriptor budget")
struct DescriptorBudgetTests {
    @Test func descriptorsCapConnectionsAtTwoPerStreamAfterTheReserve() {
        let budget = DescriptorBudget(openFileLimit: 20_000, reserve: 64, configuredConnections: 10_000)
        #expect(budget.connectionCap == 9_968)
        #expect(budget.limitedByDescriptors)
        #expect(budget.explanation.contains("limited by file descriptors"))
    }

    @Test func theConfiguredCapRulesWhenDescriptorsAllowMore() {
        let budget = DescriptorBudget(openFileLimit: 1_048_576, configuredConnections: 10_000)
        #expect(budget.connectionCap == 10_000)
        #expect(!budget.limitedByDescriptors)
        #expect(budget.explanation.hasPrefix("connection cap 10000: server.max_connections"))
    }

    @Test(arguments: [(0, 64), (10, 64), (64, 64), (65, 64), (-5, -5)])
    func tinyOrNonsenseLimitsStillAllowOneConnection(limit: Int, reserve: Int) {
        let budget = DescriptorBudget(openFileLimit: limit, reserve: reserve, configuredConnections: 5)
        #expect(budget.connectionCap >= 1)
        #expect(budget.connectionCap <= 5)
    }

    @Test func raisingTheLimitReportsWhatIsInForce() {
        let soft = DescriptorBudget.raiseOpenFileLimit()
        #expect(soft >= 1)
        #expect(DescriptorBudget.raiseOpenFileLimit() == soft)
    }
}
