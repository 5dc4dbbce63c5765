/// SHA-256 (FIPS 180-4). Keys are stored only as this hash; a small pure implementation
/// spares the daemon a crypto library for one function. Every authenticated request hashes
/// its key, so it runs on the bytes in place, with the message schedule and the padded
/// tail on the stack: no array per block, no bounds checks in the rounds.
public enum SHA256 {
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    /// The eight words of the state, in order.
    private typealias State = SIMD8<UInt32>

    public static func hash(_ message: [UInt8]) -> [UInt8] {
        let h = message.withUnsafeBufferPointer { digest($0) }
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for i in 0..<8 {
            let v = h[i]
            out.append(UInt8(v >> 24))
            out.append(UInt8(truncatingIfNeeded: v >> 16))
            out.append(UInt8(truncatingIfNeeded: v >> 8))
            out.append(UInt8(truncatingIfNeeded: v))
        }
        return out
    }

    /// The digest of `text`'s UTF-8 bytes as 64 lower-case hex digits.
    public static func hex(_ text: String) -> String {
        var text = text
        let h = text.withUTF8 { digest($0) }
        return String(unsafeUninitializedCapacity: 64) { out in
            let digits: StaticString = "0123456789abcdef"
            let table = digits.utf8Start
            for i in 0..<8 {
                let v = h[i]
                for j in 0..<8 {
                    out[i * 8 + j] = table[Int((v >> UInt32(28 - j * 4)) & 0xF)]
                }
            }
            return 64
        }
    }

    private static func digest(_ bytes: UnsafeBufferPointer<UInt8>) -> State {
        var h = State(0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
        let count = bytes.count
        k.withUnsafeBufferPointer { k in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                var offset = 0
                if let base = bytes.baseAddress {
                    while count - offset >= 64 {
                        compress(base + offset, w.baseAddress!, k.baseAddress!, &h)
                        offset += 64
                    }
                }
                // The last bytes, the 0x80 marker, zeros, and the length in bits: one block or two.
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { tail in
                    let rest = count - offset
                    tail.initialize(repeating: 0)
                    for i in 0..<rest { tail[i] = bytes[offset + i] }
                    tail[rest] = 0x80
                    let blocks = rest + 9 <= 64 ? 1 : 2
                    let bits = UInt64(count) &* 8
                    for i in 0..<8 { tail[blocks * 64 - 1 - i] = UInt8(truncatingIfNeeded: bits >> UInt64(i * 8)) }
                    for b in 0..<blocks { compress(tail.baseAddress! + b * 64, w.baseAddress!, k.baseAddress!, &h) }
                }
            }
        }
        return h
    }

    /// One 64-byte block into the state.
    @inline(__always)
    private static func compress(
        _ block: UnsafePointer<UInt8>, _ w: UnsafeMutablePointer<UInt32>, _ k: UnsafePointer<UInt32>, _ h: inout State
    ) {
        for i in 0..<16 {
            let p = block + i * 4
            w[i] = UInt32(p[0]) << 24 | UInt32(p[1]) << 16 | UInt32(p[2]) << 8 | UInt32(p[3])
        }
        for i in 16..<64 {
            let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
            let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
            w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
        }
        var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
        for i in 0..<64 {
            let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
            let ch = (e & f) ^ (~e & g)
            let t1 = hh &+ s1 &+ ch &+ k[i] &+ w[i]
            let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
            let maj = (a & b) ^ (a & c) ^ (b & c)
            let t2 = s0 &+ maj
            (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
        }
        h &+= State(a, b, c, d, e, f, g, hh)
    }

    @inline(__always)
    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
}

/// Equality that takes the same time whatever the inputs share, so a key's hash cannot be
/// guessed byte by byte from response timing.
public func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    var a = a, b = b
    return a.withUTF8 { x in
        b.withUTF8 { y in
            var difference = UInt8(truncatingIfNeeded: x.count ^ y.count)
            for i in 0..<max(x.count, y.count) {
                difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
            }
            return difference == 0
        }
    }
}
