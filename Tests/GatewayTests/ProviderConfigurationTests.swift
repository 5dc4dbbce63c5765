import Foundation
import Providers
import Testing
@testable import Gateway

/// Issue 14 §1: providers by name and kind, base URLs in every SDK's form, and where each
/// setting came from.
@Suite("Provider configuration")
struct ProviderConfigurationTests {
    func load(_ yaml: String?, _ env: [String: String] = [:]) throws(ConfigurationError) -> GatewayConfiguration {
        try GatewayConfiguration.load(
            path: yaml.map(ConfigurationTests.file), environment: env,
            defaultPath: "/nonexistent")
    }

    func problems(_ yaml: String, _ env: [String: String] = [:]) -> [String] {
        do {
            _ = try load(yaml, env)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func namedProvidersOfEveryKind() throws {
        let config = try load(
            """
            providers:
              openai: {}
              ollama: {kind: openai, base_url: "http://127.0.0.1:11434/v1",
                       compat: {reasoning_field: reasoning, requires_key: false}}
              claude-b: {kind: anthropic, api_key_env: ANTHROPIC_KEY_B}
              azure: {kind: azure_openai, base_url: "https://myco.openai.azure.com", api_version: "2024-10-21"}
            models:
              local: {provider: ollama, model: llama3.2}
            """, ["OPENAI_API_KEY": "sk-1", "ANTHROPIC_KEY_B": "b", "AZURE_API_KEY": "az"])
        #expect(config.enabledProviderNames == ["azure", "claude-b", "ollama", "openai"])
        #expect(config.providers["openai"]?.kind == .openai)
        #expect(config.providers["openai"]?.baseURL == "https://api.openai.com")
        let ollama = try #require(config.providers["ollama"])
        #expect(ollama.kind == .openai)
        #expect(ollama.baseURL == "http://127.0.0.1:11434")
        #expect(ollama.compat == OpenAICompat(reasoningField: .reasoning, requiresKey: false))
        #expect(ollama.apiKeyEnv == "OLLAMA_API_KEY", "a name of its own, never another service's key")
        #expect(ollama.apiKey == nil)
        #expect(config.providers["claude-b"]?.kind == .anthropic)
        #expect(config.providers["claude-b"]?.baseURL == "https://api.anthropic.com")
        #expect(config.providers["claude-b"]?.apiKey == "b")
        #expect(config.providers["azure"]?.apiKeyEnv == "AZURE_API_KEY")
        #expect(config.providers["azure"]?.apiVersion == "2024-10-21")
        #expect(config.providers["anthropic"]?.enabled == false, "a providers: section says exactly which are on")
        let snapshot = GatewayDaemon.snapshot(from: config)
        #expect(snapshot.registry["ollama"]?.adapter.name == "ollama")
        #expect(snapshot.registry["azure"]?.adapter is AzureOpenAIAdapter)
        #expect(try snapshot.catalog.resolve("ollama/qwen3").provider == "ollama")
        #expect(try snapshot.catalog.resolve("claude-b/claude-haiku-4-5").model == "claude-haiku-4-5")
        #expect(try snapshot.catalog.resolve("local").provider == "ollama")
    }

    @Test func namesAndKeysAreChecked() {
        let found = problems(
            """
            providers:
              groq: {base_url: "https://api.groq.com/openai/v1"}
              my.server: {kind: openai}
              ollama: {kind: ollama}
              local: {kind: openai, base_ur: "http://x", compat: {reasoning_feld: reasoning}}
              other: {kind: openai, compat: {reasoning_field: thoughts, stream_options: maybe}}
            """, ["OPENAI_API_KEY": "k"])
        #expect(found.contains { $0.contains("providers.groq.kind: required") })
        #expect(found.contains { $0.contains("providers.my.server: a provider name is letters") })
        #expect(
            found.contains {
                $0.contains("providers.ollama.kind: unknown kind \"ollama\" (openai, anthropic, gemini, azure_openai)")
            })
        #expect(
            found.contains {
                $0.contains("providers.local.base_ur: unknown key (did you mean providers.local.base_url?)")
            })
        #expect(
            found.contains {
                $0.contains(
                    "providers.local.compat.reasoning_feld: unknown key "
                        + "(did you mean providers.local.compat.reasoning_field?)")
            })
        #expect(
            found.contains {
                $0.contains("providers.other.compat.reasoning_field: expected reasoning_content or reasoning")
            })
        #expect(found.contains { $0.contains("providers.other.compat.stream_options: expected true or false") })
        let keyless = problems("providers:\n  lm: {kind: openai, base_url: \"http://127.0.0.1:1234/v1\"}\n")
        #expect(
            keyless.contains {
                $0.contains("LM_API_KEY is not set (a local server without keys: compat: {requires_key: false})")
            })
        let azure = problems("providers:\n  az: {kind: azure_openai}\n", ["AZ_API_KEY": "k"])
        #expect(azure.contains { $0.contains("providers.az.base_url: required for kind azure_openai") })
    }

    /// The SDK form and the bare host form of each kind's base URL reach the same place.
    @Test(arguments: [
        (ProviderKind.openai, "http://127.0.0.1:11434/v1", "http://127.0.0.1:11434"),
        (.openai, "http://127.0.0.1:11434/", "http://127.0.0.1:11434"),
        (.openai, "https://api.groq.com/openai/v1", "https://api.groq.com/openai"),
        (.openai, "https://openrouter.ai/api/v1/", "https://openrouter.ai/api"),
        (.anthropic, "https://api.anthropic.com", "https://api.anthropic.com"),
        (.anthropic, "https://proxy.example/anthropic/v1", "https://proxy.example/anthropic"),
        (.gemini, "https://generativelanguage.googleapis.com/v1beta", "https://generativelanguage.googleapis.com"),
        (.gemini, "https://generativelanguage.googleapis.com", "https://generativelanguage.googleapis.com"),
        (.azureOpenAI, "https://myco.openai.azure.com/openai/v1/", "https://myco.openai.azure.com"),
        (.azureOpenAI, "https://myco.openai.azure.com/openai", "https://myco.openai.azure.com"),
    ])
    func baseURLForms(kind: ProviderKind, given: String, bare: String) {
        #expect(kind.normalizedBaseURL(given) == bare)
    }

    @Test func azureV1BaseURLSelectsTheV1Path() throws {
        let yaml = "providers:\n  az: {kind: azure_openai, base_url: \"https://x.openai.azure.com/openai/v1/\"}\n"
        let config = try load(yaml, ["AZ_API_KEY": "k"])
        #expect(config.providers["az"]?.apiVersion == "v1")
        #expect(config.providers["az"]?.baseURL == "https://x.openai.azure.com")
        let adapter = AzureOpenAIAdapter(apiVersion: "2024-10-21")
        #expect(
            adapter.path(deployment: "gpt-4o mini")
                == "/openai/deployments/gpt-4o%20mini/chat/completions?api-version=2024-10-21")
        #expect(AzureOpenAIAdapter(apiVersion: "v1").path(deployment: "x") == "/openai/v1/chat/completions")
    }

    /// A file without `providers:` keeps the key-variable defaults and the base-URL variables.
    @Test func fileWithoutProvidersKeepsTheVariables() throws {
        let config = try load(
            "log_level: debug\n",
            [
                "OPENAI_API_KEY": "sk-1", "OPENAI_BASE_URL": "http://127.0.0.1:11434/v1", "GEMINI_API_KEY": "g",
            ])
        #expect(config.enabledProviderNames == ["gemini", "openai"])
        #expect(config.providers["openai"]?.baseURL == "http://127.0.0.1:11434")
        #expect(config.providers["openai"]?.enabledBy == "OPENAI_API_KEY is set")
        #expect(config.origin(of: "providers.openai.base_url") == "environment OPENAI_BASE_URL")
        #expect(config.origin(of: "providers.gemini.base_url") == "default")
        let text = config.redactedDescription()
        #expect(text.contains("  openai:  # enabled: OPENAI_API_KEY is set"))
        #expect(text.contains("    base_url: http://127.0.0.1:11434  # environment OPENAI_BASE_URL"))
        #expect(text.contains("  anthropic:  # disabled"))
        #expect(!text.contains("sk-1"))
    }

    /// With a `providers:` section the base-URL variable still applies where the file is silent;
    /// the file wins where it sets a value; `SWITCHBOARD_PROVIDERS_…` wins over both.
    @Test func fileWinsWhereItSetsAValue() throws {
        let path = ConfigurationTests.file(
            """
            providers:
              openai: {retry: {attempts: 2}}
              anthropic: {base_url: "http://file-anthropic:1"}
              my-vllm: {kind: openai, base_url: "http://file-vllm:8000/v1",
                        compat: {reasoning_field: reasoning_content}}
            """)
        let config = try GatewayConfiguration.load(
            path: path,
            environment: [
                "OPENAI_API_KEY": "a", "ANTHROPIC_API_KEY": "b", "OPENAI_BASE_URL": "http://env-openai:1/v1",
                "ANTHROPIC_BASE_URL": "http://env-anthropic:1",
                "SWITCHBOARD_PROVIDERS_MY_VLLM_BASE_URL": "http://env-vllm:1",
                "MY_VLLM_API_KEY": "v",
            ], defaultPath: "/nonexistent")
        #expect(config.providers["openai"]?.baseURL == "http://env-openai:1")
        #expect(config.providers["anthropic"]?.baseURL == "http://file-anthropic:1")
        #expect(config.providers["my-vllm"]?.baseURL == "http://env-vllm:1")
        #expect(config.origin(of: "providers.openai.base_url") == "environment OPENAI_BASE_URL")
        #expect(config.origin(of: "providers.anthropic.base_url") == "\(path):3")
        #expect(config.origin(of: "providers.my-vllm.base_url") == "environment SWITCHBOARD_PROVIDERS_MY_VLLM_BASE_URL")
        #expect(config.providers["openai"]?.enabledBy == "providers.openai in \(path):2")
        let text = config.redactedDescription()
        #expect(
            text.contains(
                "    retry: {attempts: 2, base_ms: 250, cap_ms: 8000, max_wait_ms: 5000}"
                    + "  # attempts from \(path):2"))
        #expect(
            text.contains(
                "    compat: {stream_options: true, max_tokens_field: max_completion_tokens, "
                    + "reasoning_field: reasoning_content, requires_key: true}"
                    + "  # reasoning_field from \(path):5"))
        let summary = config.providerSummary()
        #expect(summary.contains { $0.hasPrefix("provider my-vllm (kind openai) enabled by providers.my-vllm in") })
        #expect(summary.count == 3)
    }

    @Test func extraHeadersReachTheEndpoint() throws {
        let config = try load(
            """
            providers:
              openrouter: {kind: openai, base_url: "https://openrouter.ai/api/v1", api_key_env: OPENROUTER_API_KEY,
                           headers: {HTTP-Referer: "https://example.org", X-Title: Switchboard}}
            """, ["OPENROUTER_API_KEY": "or"])
        let slot = try #require(GatewayDaemon.snapshot(from: config).registry["openrouter"])
        let request = slot.endpoint.request(
            path: "/v1/chat/completions", headers: [("Authorization", "Bearer or")],
            body: [])
        #expect(request.url == "https://openrouter.ai/api/v1/chat/completions")
        #expect(request.headers["x-title"] == "Switchboard")
        #expect(request.headers["http-referer"] == "https://example.org")
        let bad = problems("providers:\n  o: {kind: openai, api_key_env: K, headers: {\"bad name\": x}}\n", ["K": "k"])
        #expect(bad.contains { $0.contains("providers.o.headers: expected header: value pairs") })
    }
}
