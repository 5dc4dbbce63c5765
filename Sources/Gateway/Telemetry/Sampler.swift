/// Which requests are traced (the OpenTelemetry samplers `OTEL_TRACES_SAMPLER` names).
/// Pure: a decision from the trace id and the caller's context, no state, no clock.
public struct Sampler: Sendable, Equatable {
    public enum Root: Sendable, Equatable {
        case alwaysOn
        case alwaysOff
        /// The fraction of traces kept, decided from the trace id (`traceidratio`), so every
        /// service sampling by ratio keeps or drops the same traces.
        case traceIdRatio(Double)
    }

    public var root: Root
    /// A request with a caller's `traceparent` follows the caller's sampled flag; `root` only
    /// decides for new traces (the `parentbased_*` samplers, OpenTelemetry's default).
    public var parentBased: Bool

    public init(root: Root, parentBased: Bool = true) {
        self.root = root
        self.parentBased = parentBased
    }

    /// `OTEL_TRACES_SAMPLER`'s values this gateway implements.
    public static let names = [
        "always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off",
        "parentbased_traceidratio",
    ]

    /// The sampler `name` (one of `names`) with `ratio` for the ratio kinds; nil for another name.
    public static func named(_ name: String, ratio: Double) -> Sampler? {
        switch name {
        case "always_on": return Sampler(root: .alwaysOn, parentBased: false)
        case "always_off": return Sampler(root: .alwaysOff, parentBased: false)
        case "traceidratio": return Sampler(root: .traceIdRatio(ratio), parentBased: false)
        case "parentbased_always_on": return Sampler(root: .alwaysOn)
        case "parentbased_always_off": return Sampler(root: .alwaysOff)
        case "parentbased_traceidratio": return Sampler(root: .traceIdRatio(ratio))
        default: return nil
        }
    }

    /// Whether the request's spans are recorded and exported.
    public func shouldSample(_ traceId: TraceID, parent: TraceContext?) -> Bool {
        if parentBased, let parent { return parent.isSampled }
        switch root {
        case .alwaysOn: return true
        case .alwaysOff: return false
        case .traceIdRatio(let ratio): return Self.keeps(traceId, ratio: ratio)
        }
    }

    /// The trace id's last 8 bytes (the random part W3C level 2 guarantees), as a fraction of
    /// 2^64, below the ratio. Ratios outside 0...1 are refused where configured; clamped here.
    static func keeps(_ traceId: TraceID, ratio: Double) -> Bool {
        if !(ratio > 0) { return false }
        if ratio >= 1 { return true }
        // ratio < 1, so the bound is below 2^64 and the conversion cannot trap.
        let bound = UInt64(ratio * 18_446_744_073_709_551_616.0)
        return traceId.low < bound
    }
}
