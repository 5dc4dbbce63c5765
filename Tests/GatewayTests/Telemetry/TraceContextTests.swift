import Testing

@testable import Gateway

@Suite("W3C trace context")
struct TraceContextTests {
    static let valid = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    @Test func parsesTheSpecExampleAndFormatsItBack() throws {
        let context = try #require(TraceContext.parse(traceparent: Self.valid, tracestate: "rojo=00f067aa0ba902b7"))
        #expect(context.traceId.hex == "0af7651916cd43dd8448eb211c80319c")
        #expect(context.spanId.hex == "b7ad6b7169203331")
        #expect(context.isSampled)
        #expect(context.traceState == "rojo=00f067aa0ba902b7")
        #expect(context.traceparent == Self.valid)
        let unsampled = try #require(TraceContext.parse(traceparent: String(Self.valid.dropLast()) + "0"))
        #expect(!unsampled.isSampled)
        #expect(unsampled.traceState == nil)
    }

    @Test(arguments: [
        "",  // empty
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0",  // short
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-",  // version 00 is exactly 55
        "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",  // version ff is invalid
        "00-00000000000000000000000000000000-b7ad6b7169203331-01",  // all-zero trace id
        "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",  // all-zero parent id
        "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",  // uppercase
        "00-0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331-01",  // wrong separator
        "00-0af7651916cd43dd8448eb211c8031zz-b7ad6b7169203331-01",  // not hex
        "0g-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",  // version not hex
        "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01x",  // a later version: '-' after 55
    ])
    func refusesMalformed(_ header: String) {
        #expect(TraceContext.parse(traceparent: header) == nil)
    }

    @Test func acceptsALaterVersionWithMoreFields() throws {
        let context = try #require(
            TraceContext.parse(traceparent: "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra"))
        #expect(context.traceparent == Self.valid)  // passed on as the version we speak
    }

    @Test func dropsAnUnsafeOrOversizedTraceState() throws {
        let long = String(repeating: "a", count: 513)
        #expect(TraceContext.parse(traceparent: Self.valid, tracestate: long)?.traceState == nil)
        #expect(TraceContext.parse(traceparent: Self.valid, tracestate: "a=1\u{7f}")?.traceState == nil)
        #expect(TraceContext.parse(traceparent: Self.valid, tracestate: String(long.dropLast()))?.traceState != nil)
    }

    @Test func generatedIdsAreValidAndDistinct() {
        var ids = SpanIDGenerator(seed: 0)
        var seen = Set<UInt64>()
        for _ in 0..<1000 {
            let span = ids.spanId()
            #expect(span.isValid)
            seen.insert(span.value)
        }
        #expect(seen.count == 1000)
        #expect(ids.traceId().isValid)
        #expect(SpanID(0x0102).hex == "0000000000000102")
    }
}

@Suite("Trace sampler")
struct SamplerTests {
    static let parentSampled = TraceContext(traceId: TraceID(high: 1, low: 1), spanId: SpanID(1), flags: 1)
    static let parentUnsampled = TraceContext(traceId: TraceID(high: 1, low: 1), spanId: SpanID(1), flags: 0)

    @Test func parentBasedFollowsTheCaller() {
        let never = Sampler(root: .alwaysOff)
        #expect(never.shouldSample(TraceID(high: 1, low: 1), parent: Self.parentSampled))
        #expect(!never.shouldSample(TraceID(high: 1, low: 1), parent: nil))
        let always = Sampler(root: .alwaysOn)
        #expect(!always.shouldSample(TraceID(high: 1, low: 1), parent: Self.parentUnsampled))
        #expect(always.shouldSample(TraceID(high: 1, low: 1), parent: nil))
        let rootOnly = Sampler(root: .alwaysOn, parentBased: false)
        #expect(rootOnly.shouldSample(TraceID(high: 1, low: 1), parent: Self.parentUnsampled))
    }

    @Test func ratioKeepsTheLowTraceIdsAndAboutThatFraction() {
        let half = Sampler(root: .traceIdRatio(0.5), parentBased: false)
        #expect(half.shouldSample(TraceID(high: 9, low: 0x7fff_ffff_ffff_ffff), parent: nil))
        #expect(!half.shouldSample(TraceID(high: 9, low: 0x8000_0000_0000_0000), parent: nil))
        #expect(
            !Sampler(root: .traceIdRatio(0), parentBased: false).shouldSample(TraceID(high: 1, low: 0), parent: nil))
        #expect(
            Sampler(root: .traceIdRatio(1), parentBased: false).shouldSample(TraceID(high: 1, low: .max), parent: nil))
        var ids = SpanIDGenerator(seed: 42)
        let kept = (0..<10_000).filter { _ in
            Sampler(root: .traceIdRatio(0.25), parentBased: false).shouldSample(ids.traceId(), parent: nil)
        }.count
        #expect((2_200...2_800).contains(kept))
    }

    @Test func namesAreTheOpenTelemetryOnes() {
        for name in Sampler.names { #expect(Sampler.named(name, ratio: 0.5)?.name == name) }
        #expect(Sampler.named("jaeger_remote", ratio: 1) == nil)
    }
}
