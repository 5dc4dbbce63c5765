import Foundation
import Logging
import Providers

/// One line per entry on stderr: `time level label: message key=value …` (systemd's journal
/// adds its own time, but a person running `serve` in a terminal wants one). The message and
/// every metadata value go through the live `SecretScrubber` (the configured secrets and
/// key-shaped tokens become `[redacted]`): "never a secret in a log" holds for upstream text
/// logged as it came.
public struct StderrLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let secrets: LiveSecrets
    private static let lock = NSLock()

    public init(label: String, level: Logger.Level, secrets: LiveSecrets) {
        self.label = label
        self.logLevel = level
        self.secrets = secrets
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
                    file: String, function: String, line: UInt) {
        var all = metadata
        if let explicit { all.merge(explicit) { $1 } }
        let text = Self.line(time: Self.timestamp(), level: level, label: label, message: message.description,
                             metadata: all, scrubber: secrets.scrubber)
        let data = Data(text.utf8)
        // A closed stderr must not take the daemon down: `write(_:)` traps on EPIPE.
        Self.lock.withLock { try? FileHandle.standardError.write(contentsOf: data) }
    }

    /// The text of one entry, newline-terminated: scrubbed, then embedded line breaks escaped.
    static func line(time: String, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata,
                     scrubber: SecretScrubber) -> String {
        var text = "\(time) \(level) \(label): \(oneLine(scrubber.scrub(message)))"
        for key in metadata.keys.sorted() { text += " \(key)=\(oneLine(scrubber.scrub("\(metadata[key]!)")))" }
        return text + "\n"
    }

    /// One entry, one line: embedded line breaks are escaped.
    private static func oneLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
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

/// Installs the stderr handler for the whole process and returns a logger. Every line is
/// scrubbed with what `secrets` holds when it is written.
public func bootstrapLogging(level: String, label: String, secrets: LiveSecrets = LiveSecrets()) -> Logger {
    let parsed = Logger.Level(rawValue: level) ?? .info
    LoggingSystem.bootstrap { name in StderrLogHandler(label: name, level: parsed, secrets: secrets) }
    return Logger(label: label)
}
