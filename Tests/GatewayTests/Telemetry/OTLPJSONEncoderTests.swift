import Foundation
import Testing

@testable import Gateway

@Suite("OTLP/JSON encoding")
struct OTLPJSONEncoderTests {
    static let goldenPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Telemetry/otlp-golden.json").path

    /// A request span with a client parent and a failed then a successful attempt under it.
    static func spans() -> [SpanRecord] {
        let trace = TraceID(high: 0x0af7_6519_16cd_43dd, low: 0x8448_eb21_1c80_319c)
        var server = SpanRecord(
            traceId: trace, spanId: SpanID(0x1111), parentSpanId: SpanID(0xb7ad_6b71_6920_3331),
            traceState: "rojo=00f067aa0ba902b7", name: "chat fast", kind: .server,
            startUnixNanos: 1_795_000_000_000_000_000, endUnixNanos: 1_795_000_000_250_000_000,
            attributes: [
                .string("gen_ai.operation.name", "chat"), .string("gen_ai.request.model", "fast"),
                .int("gen_ai.usage.output_tokens", 3), .init("gen_ai.response.finish_reasons", .strings(["stop"])),
                .init("switchboard.usage_estimated", .bool(false)), .string("quote", "a \"b\"\n\\"),
            ])
        server.events = [SpanEvent(name: "first_token", unixNanos: 1_795_000_000_200_000_000)]
        var failed = SpanRecord(
            traceId: trace, spanId: SpanID(0x2222), parentSpanId: SpanID(0x1111), name: "chat gpt-4o", kind: .client,
            startUnixNanos: 1_795_000_000_010_000_000, endUnixNanos: 1_795_000_000_050_000_000,
            attributes: [.int("switchboard.attempt", 1), .int("switchboard.status", 503)])
        failed.status = .error
        failed.statusMessage = "openai: upstream error"
        var ok = failed
        ok.spanId = SpanID(0x3333)
        ok.status = .unset
        ok.statusMessage = nil
        ok.attributes = [.int("switchboard.attempt", 2), .int("http.response.status_code", 200)]
        return [failed, ok, server]
    }

    static func encoder() -> OTLPJSONEncoder {
        OTLPJSONEncoder(resource: [.string("service.name", "switchboard")], scopeVersion: "test")
    }

    @Test func matchesTheGoldenFile() throws {
        let encoded = String(decoding: Self.encoder().encode(Self.spans()), as: UTF8.self)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] != nil {
            try (encoded + "\n").write(toFile: Self.goldenPath, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOfFile: Self.goldenPath, encoding: .utf8)
        #expect(encoded + "\n" == golden)
    }

    @Test func isJSONWithHexIdsAndStringInt64s() throws {
        let bytes = Self.encoder().encode(Self.spans())
        let root = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let resourceSpans = try #require((root["resourceSpans"] as? [[String: Any]])?.first)
        let scope = try #require((resourceSpans["scopeSpans"] as? [[String: Any]])?.first)
        let spans = try #require(scope["spans"] as? [[String: Any]])
        #expect(spans.count == 3)
        let server = spans[2]
        #expect(server["traceId"] as? String == "0af7651916cd43dd8448eb211c80319c")
        #expect(server["parentSpanId"] as? String == "b7ad6b7169203331")
        #expect(server["spanId"] as? String == "0000000000001111")
        #expect(server["kind"] as? Int == 2)
        #expect(server["startTimeUnixNano"] as? String == "1795000000000000000")
        let attributes = try #require(server["attributes"] as? [[String: Any]])
        let tokens = attributes.first { $0["key"] as? String == "gen_ai.usage.output_tokens" }
        #expect((tokens?["value"] as? [String: Any])?["intValue"] as? String == "3")
        let quoted = attributes.first { $0["key"] as? String == "quote" }
        #expect((quoted?["value"] as? [String: Any])?["stringValue"] as? String == "a \"b\"\n\\")
        #expect((spans[0]["status"] as? [String: Any])?["code"] as? Int == 2)
        #expect(spans[1]["parentSpanId"] as? String == "0000000000001111")
    }
}

@Suite("Span exporter")
struct SpanExporterTests {
    static func span() -> SpanRecord {
        SpanRecord(
            traceId: TraceID(high: 1, low: 2), spanId: SpanID(3), parentSpanId: nil, name: "chat", kind: .server,
            startUnixNanos: 1, endUnixNanos: 2)
    }

    @Test func aFullQueueDropsAndCounts() {
        var settings = SpanExporter.Settings(url: "http://127.0.0.1:1/v1/traces")
        settings.maxQueueSize = 2
        let exporter = SpanExporter(settings: settings, encoder: OTLPJSONEncoderTests.encoder())
        for _ in 0..<5 { exporter.submit(Self.span()) }  // not started: nothing drains the queue
        #expect(exporter.droppedSpans == 3)
    }

    @Test func aDeadReceiverCostsAFailureCount() throws {
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        var settings = SpanExporter.Settings(url: "http://127.0.0.1:1/v1/traces")
        settings.scheduleDelaySeconds = 0.01
        settings.exportTimeoutSeconds = 2
        let exporter = SpanExporter(settings: settings, encoder: OTLPJSONEncoderTests.encoder())
        exporter.start()
        exporter.submit(Self.span())
        let deadline = Date().addingTimeInterval(10)
        while exporter.exportFailures == 0, Date() < deadline { usleep(1000) }
        #expect(exporter.exportFailures == 1)
        #expect(exporter.exportedSpans == 0)
        exporter.shutdown(timeoutSeconds: 5)
    }
}
