import Foundation

/// Starting the daemon and the emulator the way a user would, for end-to-end tests.
enum Launch {
    /// The provider emulator on an ephemeral port.
    static func mock() throws -> SwitchboardProcess {
        try SwitchboardProcess(["mock", "--listen", "127.0.0.1:0", "--fixtures", Repo.fixtures])
    }

    /// A daemon with a config file: `yaml` is appended after the listen/database lines.
    static func daemon(
        yaml: String = "", environment: [String: String] = [:],
        wrapper: [String] = []
    ) throws -> (SwitchboardProcess, String) {
        let dir = TempDir()
        let config = dir.write(
            "config.yaml",
            """
            listen: 127.0.0.1:0
            database: \(dir.path("switchboard.db"))
            log_level: info
            \(yaml)
            """)
        let process = try SwitchboardProcess(["serve", "--config", config], environment: environment, wrapper: wrapper)
        process.attachments.append(dir)
        return (process, config)
    }

    /// A daemon whose three providers all point at `mock` (keys "test-key-…").
    static func daemon(
        behind mock: SwitchboardProcess, yaml: String = "",
        environment: [String: String] = [:], wrapper: [String] = []
    ) throws -> SwitchboardProcess {
        let providers = """
            providers:
              openai: {base_url: "\(mock.baseURL)", api_key_env: OPENAI_API_KEY, \
            retry: {attempts: 3, base_ms: 10, cap_ms: 50}}
              anthropic: {base_url: "\(mock.baseURL)", api_key_env: ANTHROPIC_API_KEY, \
            retry: {attempts: 2, base_ms: 10, cap_ms: 50}}
              gemini: {base_url: "\(mock.baseURL)", api_key_env: GEMINI_API_KEY, \
            retry: {attempts: 2, base_ms: 10, cap_ms: 50}}
            """
        let process = try daemon(
            yaml: providers + "\n" + yaml,
            environment: [
                "OPENAI_API_KEY": "test-key-openai", "ANTHROPIC_API_KEY": "test-key-anthropic",
                "GEMINI_API_KEY": "test-key-gemini",
            ].merging(environment) { $1 },
            wrapper: wrapper
        ).0
        // The daemon is useless without its emulator: keep it alive as long as the daemon.
        process.attachments.append(mock)
        return process
    }
}
