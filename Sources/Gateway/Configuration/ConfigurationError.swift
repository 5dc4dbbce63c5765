/// Everything wrong with a configuration, each problem naming where (file:line or the
/// environment variable), which key, and what is wrong.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var problems: [String]
    public var description: String { problems.map { "  - " + $0 }.joined(separator: "\n") }
}
