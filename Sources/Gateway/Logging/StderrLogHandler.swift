import Foundation
import Logging

/// One line per entry on stderr: `time level label: message key=value …` (systemd's journal
/// adds its own time, but a person running `serve` in a terminal wants one). Any metadata
/// value or message equal to a known secret is replaced, belt and braces for "never a secret".
public struct StderrLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let secrets: [String]
    private static let lock = NSLock()

    public init(label: String, level: Logger.Level, secrets: [String]) {
        self.label = label
        self.logLevel = level
        self.secrets = secrets.filter { $0.count >= 4 }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
                    file: String, function: String, line: UInt) {
        var all = metadata
        if let explicit { all.merge(explicit) { $1 } }
        var text = "\(Self.timestamp()) \(level) \(label): \(oneLine(scrub(message.description)))"
        for key in all.keys.sorted() { text += " \(key)=\(oneLine(scrub("\(all[key]!)")))" }
        text += "\n"
        let data = Data(text.utf8)
        // A closed stderr must not take the daemon down: `write(_:)` traps on EPIPE.
        Self.lock.withLock { try? FileHandle.standardError.write(contentsOf: data) }
    }

    /// One entry, one line: embedded line breaks are escaped.
    private func oneLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
    }

    private func scrub(_ text: String) -> String {
        var out = text
        for secret in secrets where out.contains(secret) { out = out.replacingOccurrences(of: secret, with: "[redacted]") }
        return out
    }

    private static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var tm = tm()
        var seconds = ts.tv_sec
        gmtime_r(&seconds, &tm)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour, tm.tm_min, tm.tm_sec, Int(ts.tv_nsec / 1_000_000))
    }
}

/// Installs the stderr handler for the whole process and returns a logger.
public func bootstrapLogging(level: String, label: String, secrets: [String] = []) -> Logger {
    let parsed = Logger.Level(rawValue: level) ?? .info
    LoggingSystem.bootstrap { name in StderrLogHandler(label: name, level: parsed, secrets: secrets) }
    return Logger(label: label)
}
