import Testing

@testable import Gateway

@Suite("Pending token corrections")
struct PendingCorrectionsTests {
    @Test func aKeysCorrectionsAreTakenOldestFirstAndOnlyOnce() {
        var pending = PendingCorrections()
        pending.add(keyId: "a", request: "r1", tokens: 15)
        pending.add(keyId: "b", request: "r2", tokens: 7)
        pending.add(keyId: "a", request: "r3", tokens: 0)
        #expect(Array(pending.take(keyId: "a")) == [.init(request: "r1", tokens: 15), .init(request: "r3", tokens: 0)])
        #expect(pending.take(keyId: "a").isEmpty)
        #expect(!pending.isEmpty)
        #expect(pending.takeAll().map { "\($0.keyId) \($0.1.request)" } == ["b r2"])
        #expect(pending.isEmpty)
    }

    /// One admission carries a bounded number; the rest wait for the next one, in order.
    @Test func anAdmissionCarriesAtMostItsShare() {
        var pending = PendingCorrections()
        let count = PendingCorrections.perAdmission + 3
        for i in 0..<count { pending.add(keyId: "k", request: "r\(i)", tokens: i) }
        let first = pending.take(keyId: "k")
        #expect(first.count == PendingCorrections.perAdmission)
        #expect(first.first?.request == "r0")
        #expect(pending.take(keyId: "k").map(\.request) == (0..<3).map { "r\(PendingCorrections.perAdmission + $0)" })
        #expect(pending.isEmpty)
    }
}
