import Foundation
import Synchronization

/// Reads the captures under the fixtures directory (`<dir>/<provider>/<name>`), once each.
/// Thread-safe.
final class FixtureStore: Sendable {
    let directory: String?
    private let cache = Mutex<[String: [UInt8]]>([:])

    init(directory: String?) {
        self.directory = directory
    }

    /// The bytes of `<provider>/<file>`, or nil when there is no such file (or no directory).
    func bytes(_ provider: String, _ file: String) -> [UInt8]? {
        guard let directory, Self.isSafe(file) else { return nil }
        let path = directory + "/" + provider + "/" + file
        if let hit = cache.withLock({ $0[path] }) { return hit }
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let bytes = [UInt8](data)
        cache.withLock { $0[path] = bytes }
        return bytes
    }

    /// The path a fixture name maps to, for error messages.
    func path(_ provider: String, _ file: String) -> String {
        (directory ?? "<no fixtures directory>") + "/" + provider + "/" + file
    }

    /// A fixture name is a plain file name: no directories, no "..".
    static func isSafe(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && !name.contains("\\") && !name.hasPrefix(".")
    }

    /// Splits a capture into frames after each blank line (LF or CRLF framing), so a replay
    /// can be paced and cut; the frames concatenate to the file byte for byte.
    static func frames(_ bytes: [UInt8]) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        var start = 0
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0A {
                let blankLF = i + 1 < bytes.count && bytes[i + 1] == 0x0A
                let blankCRLF = i + 2 < bytes.count && bytes[i + 1] == 0x0D && bytes[i + 2] == 0x0A
                if blankLF || blankCRLF {
                    let end = i + (blankLF ? 2 : 3)
                    frames.append(Array(bytes[start..<end]))
                    start = end
                    i = end
                    continue
                }
            }
            i += 1
        }
        if start < bytes.count { frames.append(Array(bytes[start...])) }
        return frames
    }
}
