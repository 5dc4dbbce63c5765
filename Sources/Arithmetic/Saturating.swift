/// Arithmetic that holds at the edge of its type instead of trapping.
///
/// Swift traps on integer overflow and on converting a Double that does not fit (or is NaN)
/// into an integer. Numbers from outside the process (requests, provider answers, headers,
/// configuration, database rows) go through these helpers wherever they meet arithmetic or a
/// conversion, so no input can stop the daemon.
public enum Saturating {
    /// `a + b`, held at `Int.min`/`Int.max`.
    @inlinable
    public static func add(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : sum
    }

    /// `a - b`, held at `Int.min`/`Int.max`.
    @inlinable
    public static func subtract(_ a: Int, _ b: Int) -> Int {
        let (difference, overflow) = a.subtractingReportingOverflow(b)
        return overflow ? (b < 0 ? .max : .min) : difference
    }

    /// `a * b`, held at `Int.min`/`Int.max`.
    @inlinable
    public static func multiply(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? ((a < 0) == (b < 0) ? .max : .min) : product
    }

    /// `a + b`, held at `UInt64.max`.
    @inlinable
    public static func add(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }

    /// `a - b`, held at 0: for the time between two clock readings that may come from different
    /// rounds or threads (a loop's round time can be older than a fresh reading).
    @inlinable
    public static func subtract(_ a: UInt64, _ b: UInt64) -> UInt64 {
        a > b ? a &- b : 0
    }

    /// `a * b`, held at `UInt64.max`.
    @inlinable
    public static func multiply(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : product
    }

    /// The longest delay a timer is given (about 146 years): far beyond any real wait, and
    /// small enough that a clock reading plus it cannot overflow `UInt64`.
    public static let maxDelayNanoseconds: UInt64 = 1 << 62

    /// Nanoseconds in `seconds`, for timers: negative and NaN give 0, anything beyond
    /// `maxDelayNanoseconds` (infinity included) gives that.
    @inlinable
    public static func nanoseconds(seconds: Double) -> UInt64 {
        min(UInt64(saturating: seconds * 1e9), maxDelayNanoseconds)
    }

    /// Nanoseconds in `milliseconds`, for timers, bounded as `nanoseconds(seconds:)`.
    @inlinable
    public static func nanoseconds(milliseconds: Int) -> UInt64 {
        guard milliseconds > 0 else { return 0 }
        return min(multiply(UInt64(milliseconds), 1_000_000), maxDelayNanoseconds)
    }
}

extension Int {
    /// `value` rounded by `rule` and held in `Int`'s range; NaN gives 0.
    @inlinable
    public init(saturating value: Double, rounding rule: FloatingPointRoundingRule = .towardZero) {
        let rounded = value.rounded(rule)
        // 2^63 is exactly representable; Int.max is not (it rounds up to 2^63).
        if rounded.isNaN {
            self = 0
        } else if rounded >= 9_223_372_036_854_775_808.0 {
            self = .max
        } else if rounded < -9_223_372_036_854_775_808.0 {
            self = .min
        } else {
            self = Int(rounded)
        }
    }
}

extension UInt64 {
    /// `value` rounded by `rule` and held in `UInt64`'s range; negative values and NaN give 0.
    @inlinable
    public init(saturating value: Double, rounding rule: FloatingPointRoundingRule = .towardZero) {
        let rounded = value.rounded(rule)
        if rounded.isNaN || rounded <= 0 {
            self = 0
        } else if rounded >= 18_446_744_073_709_551_616.0 {
            self = .max
        } else {
            self = UInt64(rounded)
        }
    }
}

extension Comparable {
    /// The value held inside `range`.
    @inlinable
    public func clamped(to range: ClosedRange<Self>) -> Self {
        Swift.min(Swift.max(self, range.lowerBound), range.upperBound)
    }
}

extension Double {
    /// The value held inside `range`; NaN gives the lower bound (`Swift.max` would pass it
    /// through, and NaN poisons every comparison after it).
    @inlinable
    public func clamped(to range: ClosedRange<Double>) -> Double {
        isNaN ? range.lowerBound : Swift.min(Swift.max(self, range.lowerBound), range.upperBound)
    }
}
