import Arithmetic
import Testing

/// The helpers every outside number goes through: none of them may trap, at any input.
@Suite("Saturating arithmetic")
struct SaturatingTests {
    @Test func addSubtractMultiplyHoldAtTheEdges() {
        #expect(Saturating.add(Int.max, 1) == .max)
        #expect(Saturating.add(Int.min, -1) == .min)
        #expect(Saturating.add(Int.max, Int.min) == -1)
        #expect(Saturating.add(40, 2) == 42)
        #expect(Saturating.subtract(Int.min, 1) == .min)
        #expect(Saturating.subtract(Int.max, -1) == .max)
        #expect(Saturating.subtract(0, Int.min) == .max)
        #expect(Saturating.subtract(5, 7) == -2)
        #expect(Saturating.multiply(Int.max, 2) == .max)
        #expect(Saturating.multiply(Int.max, -2) == .min)
        #expect(Saturating.multiply(Int.min, -1) == .max)
        #expect(Saturating.multiply(-3, 4) == -12)
        #expect(Saturating.add(UInt64.max, 1) == .max)
        #expect(Saturating.multiply(UInt64.max, 2) == .max)
        #expect(Saturating.multiply(UInt64(6), 7) == 42)
        #expect(Saturating.subtract(UInt64(7), 5) == 2)
        #expect(Saturating.subtract(UInt64(5), 7) == 0)
        #expect(Saturating.subtract(UInt64(0), .max) == 0)
        #expect(Saturating.subtract(UInt64.max, 0) == .max)
    }

    @Test(arguments: [
        (1e300, Int.max), (-1e300, Int.min), (Double.infinity, Int.max), (-Double.infinity, Int.min), (Double.nan, 0),
        (9_223_372_036_854_775_807.0, Int.max), (-9_223_372_036_854_775_808.0, Int.min), (1e-300, 0), (-1e-300, 0),
        (2.9, 2), (-2.9, -2), (0, 0),
    ])
    func intFromDoubleTowardZero(value: Double, expected: Int) {
        #expect(Int(saturating: value) == expected)
    }

    @Test func intFromDoubleRoundsAsAsked() {
        #expect(Int(saturating: 2.1, rounding: .up) == 3)
        #expect(Int(saturating: 1e-300, rounding: .up) == 1)
        #expect(Int(saturating: 2.9, rounding: .down) == 2)
        #expect(Int(saturating: -2.1, rounding: .down) == -3)
        #expect(Int(saturating: 9.3e18, rounding: .up) == .max)
    }

    @Test(
        arguments: [
            (1e300, UInt64.max), (-1, 0), (-1e300, 0), (Double.nan, 0), (Double.infinity, UInt64.max),
            (18_446_744_073_709_551_616.0, UInt64.max), (1.5, 1),
        ] as [(Double, UInt64)])
    func uint64FromDouble(value: Double, expected: UInt64) {
        #expect(UInt64(saturating: value) == expected)
    }

    @Test func timerDelaysAreBounded() {
        #expect(Saturating.nanoseconds(seconds: 1.5) == 1_500_000_000)
        #expect(Saturating.nanoseconds(seconds: 1e300) == Saturating.maxDelayNanoseconds)
        #expect(Saturating.nanoseconds(seconds: .infinity) == Saturating.maxDelayNanoseconds)
        #expect(Saturating.nanoseconds(seconds: -5) == 0)
        #expect(Saturating.nanoseconds(seconds: .nan) == 0)
        #expect(Saturating.nanoseconds(milliseconds: 7) == 7_000_000)
        #expect(Saturating.nanoseconds(milliseconds: Int.max) == Saturating.maxDelayNanoseconds)
        #expect(Saturating.nanoseconds(milliseconds: Int.min) == 0)
        // A clock reading plus the longest delay still fits.
        #expect(UInt64.max - Saturating.maxDelayNanoseconds > UInt64(1) << 62)
    }

    @Test func clamping() {
        #expect(5.clamped(to: 0...3) == 3)
        #expect((-5).clamped(to: 0...3) == 0)
        #expect(2.clamped(to: 0...3) == 2)
        #expect(Double.nan.clamped(to: 1...2) == 1)
        #expect(Double.infinity.clamped(to: 1...2) == 2)
        #expect((-Double.infinity).clamped(to: 1...2) == 1)
        #expect(1.5.clamped(to: 1...2) == 1.5)
    }
}
