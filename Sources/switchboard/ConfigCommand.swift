import ArgumentParser
import Foundation
import Gateway

/// `switchboard config check`: validate and print the effective configuration, secrets redacted.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Inspect the configuration.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the configuration and print it with secrets redacted; exit 1 when invalid.")

        @Option(help: "Configuration file (default: as `serve` finds it).")
        var config: String?

        func run() throws {
            let configuration = try loadOrExit(path: config, environment: ProcessInfo.processInfo.environment)
            print(configuration.redactedDescription())
        }
    }
}
