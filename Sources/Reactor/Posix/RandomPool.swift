import CLinux
import Glibc
import Synchronization

/// Kernel randomness read 4 KiB at a time: a request id per request would otherwise cost
/// several `getrandom` calls, each a system call on the request's path.
package final class RandomPool: Sendable {
    package static let shared = RandomPool()

    private struct Buffer {
        var bytes = [UInt8](repeating: 0, count: 4096)
        var used = 4096
    }
    private let buffer = Mutex(Buffer())

    /// A uniform draw from [0, 1) (53 random bits), from the pool: no system call per draw.
    package func unitInterval() -> Double {
        var bits: UInt64 = 0
        withBytes(8) { bytes in
            for byte in bytes { bits = bits << 8 | UInt64(byte) }
        }
        return Double(bits >> 11) * 0x1p-53
    }

    package func withBytes(_ count: Int, _ body: (ArraySlice<UInt8>) -> Void) {
        precondition(count <= 4096)
        buffer.withLock { b in
            if b.used + count > b.bytes.count {
                b.bytes.withUnsafeMutableBytes { raw in
                    var filled = 0
                    while filled < raw.count {
                        let n = Int(sb_getrandom(raw.baseAddress! + filled, UInt(raw.count - filled)))
                        if n > 0 { filled += n } else if errno != EINTR { break }
                    }
                    if filled < raw.count {
                        // No kernel randomness (never expected): fall back to the standard generator.
                        var generator = SystemRandomNumberGenerator()
                        for i in stride(from: 0, to: raw.count - 7, by: 8) {
                            raw.storeBytes(of: generator.next() as UInt64, toByteOffset: i, as: UInt64.self)
                        }
                    }
                }
                b.used = 0
            }
            body(b.bytes[b.used..<(b.used + count)])
            b.used += count
        }
    }
}
