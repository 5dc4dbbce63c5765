import ChatModel
import Pricing
import Testing
import TestSupport

@testable import Gateway

/// Issue 13: metrics find the label set a request used last without hashing it. These compare
/// the table with a dictionary, and the exposition of requests recorded interleaved (the last
/// label set often differs) with the same requests recorded grouped (it almost never does).
@Suite("Series table")
struct SeriesTableTests {
    @Test func keepsWhatADictionaryKeepsWhateverTheOrderOfLabelSets() {
        var draw = SeededDraw(seed: 13)
        let pool = ["openai", "anthropic", "gemini", "a-model-name-longer-than-fifteen-bytes", ""]
        var table = SeriesTable<String, Int>()
        var reference: [String: Int] = [:]
        var arrival: [String] = []
        for step in 0..<2000 {
            let key = draw.pick(pool)
            // Runs of one key (the memo hits) and alternations (it misses) both occur.
            let repeats = 1 + draw.next(3)
            for _ in 0..<repeats {
                if reference[key] == nil { arrival.append(key) }
                table[key, default: 0] += step
                reference[key, default: 0] += step
            }
            let probe = draw.pick(pool)
            #expect(table[probe] == reference[probe], "step \(step): \(probe)")
        }
        #expect(table.count == reference.count)
        #expect(table.keys == arrival)
        #expect(table.dictionary == reference)
    }

    @Test func aLabelSetAbsentIsNilAndGetsItsDefaultOnce() {
        var table = SeriesTable<String, [Int]>()
        #expect(table["x"] == nil)
        table["x", default: [1]].append(2)
        table["y", default: [7]].append(8)
        table["x", default: [100]].append(3)
        #expect(table["x"] == [1, 2, 3])
        #expect(table["y"] == [7, 8])
        #expect(table["z"] == nil)
        #expect(table.count == 2)
    }

    private struct Drawn {
        var route: String
        var status: Int
        var seconds: Double
        var record: ChatRecord
        var cost: Cost?
        var keyId: String?
    }

    /// Values whose sums are exact in any order (whole seconds, quarter dollars), and label sets
    /// fewer than `ChatHistograms.maxSeries` (162): only a count put under the wrong label set can
    /// make two orders' expositions differ.
    private func drawRequests(_ n: Int) -> [Drawn] {
        var draw = SeededDraw(seed: 1313)
        let routes = ["/v1/chat", "/v1/chat/completions", "/v1/messages"]
        let providers = ["openai", "anthropic", "gemini"]
        let models = ["gpt-4o-mini", "claude-3-5-haiku-latest", "m"]
        let aliases = ["fast", "openai/gpt-4o-mini", "a-long-alias-name-for-hashing"]
        return (0..<n).map { i in
            var usage = Usage.zero
            usage.inputTokens = draw.next(50)
            usage.outputTokens = draw.next(40)
            usage.reasoningTokens = draw.next(2) * draw.next(9)
            let totalSeconds = UInt64(1 + draw.next(4))
            let streamed = draw.next(2) == 1
            let route = draw.pick(routes)
            let record = ChatRecord(
                requestId: "req_\(i)", requestedModel: draw.pick(aliases), provider: draw.pick(providers),
                model: draw.pick(models), status: draw.pick([200, 200, 502]), usage: usage,
                finishReason: .stop, attempts: 1 + draw.next(3), fallbackUsed: draw.next(5) == 0 ? "b" : nil,
                firstTokenNanos: streamed ? (totalSeconds - 1) * 1_000_000_000 : nil,
                totalNanos: totalSeconds * 1_000_000_000, door: ChatDoorLabel.of(route: route))
            let cost = draw.next(4) == 0 ? nil : Cost(usd: Double(draw.next(8)) / 4, entry: "table:x")
            return Drawn(
                route: route, status: record.status, seconds: Double(draw.next(3)), record: record, cost: cost,
                keyId: draw.pick([nil, "key_1", "key_2"]))
        }
    }

    /// `underOneLock`: chat and cost recorded by the one call `GatewayState.record` makes.
    private func exposition(_ requests: [Drawn], underOneLock: Bool = false) -> String {
        let metrics = MetricsRegistry()
        for r in requests {
            metrics.recordRequest(route: r.route, status: r.status, seconds: r.seconds)
            if underOneLock {
                metrics.recordChat(r.record, cost: r.cost, keyId: r.keyId)
                continue
            }
            metrics.recordChat(r.record)
            metrics.recordCost(
                r.cost, usage: r.record.usage, provider: r.record.provider, model: r.record.model, keyId: r.keyId)
        }
        return metrics.render(openConnections: 0, inFlightRequests: 0)
    }

    @Test func chatAndCostUnderOneLockExposeWhatTheTwoCallsDo() {
        let requests = drawRequests(300)
        let separately = exposition(requests)
        #expect(exposition(requests, underOneLock: true) == separately)
        #expect(separately.contains("switchboard_cost_usd_total{"))
        #expect(separately.contains("switchboard_unpriced_requests_total{"))
    }

    @Test func theExpositionDoesNotDependOnWhichLabelSetCameLast() {
        let requests = drawRequests(600)
        let interleaved = exposition(requests)
        let grouped = exposition(
            requests.sorted {
                ($0.record.provider ?? "", $0.record.model ?? "", $0.record.requestedModel, $0.route, $0.record.status)
                    < (
                        $1.record.provider ?? "", $1.record.model ?? "", $1.record.requestedModel, $1.route,
                        $1.record.status
                    )
            })
        #expect(interleaved == grouped)
        // And the counts are the requests' own, not only the same in both orders.
        for provider in ["openai", "anthropic", "gemini"] {
            let attempts = requests.filter { $0.record.provider == provider }.map(\.record.attempts).reduce(0, +)
            #expect(interleaved.contains("switchboard_upstream_attempts_total{provider=\"\(provider)\"} \(attempts)\n"))
        }
        let chatOK = requests.filter { $0.route == "/v1/chat" && $0.status == 200 }.count
        #expect(interleaved.contains("switchboard_http_requests_total{route=\"/v1/chat\",status=\"200\"} \(chatOK)\n"))
    }
}
