import Foundation
import JSON
import Logging
import Providers

/// How log entries are written: `text` for a person at a terminal, `json` for a log shipper.
public enum LogFormat: String, Sendable {
    case text, json
}

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
    private let format: LogFormat
    private static let lock = NSLock()

    public init(label: String, level: Logger.Level, secrets: LiveSecrets, format: LogFormat = .text) {
        self.label = label
        self.logLevel = level
        self.secrets = secrets
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(
        level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
        file: String, function: String, line: UInt
    ) {
        var all = metadata
        if let explicit { all.merge(explicit) { $1 } }
        let text =
            format == .json
            ? Self.jsonLine(
                time: Self.timestamp(), level: level, label: label, message: message.description,
                metadata: all, scrubber: secrets.scrubber)
            : Self.line(
                time: Self.timestamp(), level: level, label: label, message: message.description,
                metadata: all, scrubber: secrets.scrubber)
        let data = Data(text.utf8)
        // A closed stderr must not take the daemon down: `write(_:)` traps on EPIPE.
        Self.lock.withLock { try? FileHandle.standardError.write(contentsOf: data) }
    }

    /// The text of one entry, newline-terminated: scrubbed, then embedded line breaks escaped.
    static func line(
        time: String, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata,
        scrubber: SecretScrubber
    ) -> String {
        var text = "\(time) \(level) \(label): \(oneLine(scrubber.scrub(message)))"
        for key in metadata.keys.sorted() { text += " \(key)=\(oneLine(scrubber.scrub("\(metadata[key]!)")))" }
        return text + "\n"
    }

    /// One JSON object per line: `time`, `level`, `logger`, `message`, then every metadata key
    /// (a key that would shadow one of those four gets a `meta_` prefix). Values are strings,
    /// scrubbed like the text format's.
    static func jsonLine(
        time: String, level: Logger.Level, label: String, message: String,
        metadata: Logger.Metadata, scrubber: SecretScrubber
    ) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(160)
        out += Array(#"{"time":"#.utf8)
        appendJSONString(time, to: &out)
        out += Array(#","level":"#.utf8)
        appendJSONString("\(level)", to: &out)
        out += Array(#","logger":"#.utf8)
        appendJSONString(label, to: &out)
        out += Array(#","message":"#.utf8)
        appendJSONString(scrubber.scrub(message), to: &out)
        for key in metadata.keys.sorted() {
            out.append(UInt8(ascii: ","))
            appendJSONString(["time", "level", "logger", "message"].contains(key) ? "meta_" + key : key, to: &out)
            out.append(UInt8(ascii: ":"))
            appendJSONString(scrubber.scrub("\(metadata[key]!)"), to: &out)
        }
        out += Array("}\n".utf8)
        return String(decoding: out, as: UTF8.self)
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
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
            tm.tm_hour, tm.tm_min, tm.tm_sec, Int(ts.tv_nsec / 1_000_000))
    }
}

/// Installs the stderr handler for the whole process and returns a logger. Every line is
/// scrubbed with what `secrets` holds when it is written.
public func bootstrapLogging(
    level: String, label: String, secrets: LiveSecrets = LiveSecrets(),
    format: LogFormat = .text
) -> Logger {
    let parsed = Logger.Level(rawValue: level) ?? .info
    LoggingSystem.bootstrap { name in StderrLogHandler(label: name, level: parsed, secrets: secrets, format: format) }
    return Logger(label: label)
}
