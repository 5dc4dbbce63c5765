import ChatModel
import Testing
@testable import Gateway

@Suite("Model catalog")
struct ModelCatalogTests {
    let catalog = ModelCatalog(
        aliases: [
            "gpt-fast": .init(provider: "openai", model: "gpt-4o-mini", fallbacks: ["claude-fast"]),
            "claude-fast": .init(provider: "anthropic", model: "claude-haiku"),
            "gem": .init(provider: "gemini", model: "gemini-2.5-flash"),
        ],
        enabledProviders: ["openai", "anthropic"])

    @Test func aliasResolvesToItsProviderAndModel() throws {
        let route = try catalog.resolve("gpt-fast")
        #expect(
            route == ModelRoute(name: "gpt-fast", provider: "openai", model: "gpt-4o-mini", fallbacks: ["claude-fast"]))
    }

    @Test func providerSlashModelResolvesWithoutAnAlias() throws {
        let route = try catalog.resolve("openai/gpt-4.1")
        #expect(route.provider == "openai")
        #expect(route.model == "gpt-4.1")
        // Everything after the first slash is the model id (ids may contain slashes).
        #expect(try catalog.resolve("anthropic/a/b").model == "a/b")
    }

    @Test(arguments: ["nope", "cohere/x", "openai/", "/x", "gemini/flash", "gem"])
    func unknownOrUnconfiguredIs404(name: String) {
        #expect(throws: GatewayError.self) { try catalog.resolve(name) }
        do { _ = try catalog.resolve(name) } catch {
            #expect(error.status == 404)
            #expect(error.type == .notFound)
            #expect(error.param == "model")
        }
    }

    @Test func chainUsesAliasFallbacksUnlessTheRequestOverrides() throws {
        #expect(
            try catalog.chain(for: "gpt-fast", overridingFallbacks: nil).map(\.name) == ["gpt-fast", "claude-fast"])
        #expect(try catalog.chain(for: "gpt-fast", overridingFallbacks: []).map(\.name) == ["gpt-fast"])
        #expect(
            try catalog.chain(for: "gpt-fast", overridingFallbacks: ["openai/o3"]).map(\.name) == [
                "gpt-fast", "openai/o3",
            ])
    }

    @Test func unknownFallbackIsA400NamingIt() {
        do {
            _ = try catalog.chain(for: "gpt-fast", overridingFallbacks: ["missing"])
            Issue.record("expected an error")
        } catch {
            #expect(error.status == 400)
            #expect(error.param == "fallbacks")
            #expect(error.message.contains("missing"))
        }
    }
}
