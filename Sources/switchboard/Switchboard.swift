import ArgumentParser

/// `switchboard`: the daemon, its provider emulator, and the clients that talk to it (SPEC §9).
@main
struct Switchboard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "A local streaming gateway to OpenAI, Anthropic and Gemini.",
        subcommands: [Serve.self, Mock.self, ConfigCommand.self, Chat.self, Models.self, Keys.self, UsageCommand.self])
}

/// Options every long-running server command shares.
struct ListenOptions: ParsableArguments {
    @Option(help: "Address to listen on, host:port (port 0 picks a free one).")
    var listen: String?

    @Option(
        help: ArgumentHelp(
            "Write the bound port to this file once listening (for tests and scripts).",
            visibility: .hidden))
    var readyFile: String?
}
