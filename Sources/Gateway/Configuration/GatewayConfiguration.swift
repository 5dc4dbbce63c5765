import Pricing
import Providers

/// The daemon's effective configuration (SPEC §10): embedded defaults, then the YAML file,
/// then `SWITCHBOARD_*` environment variables. Secrets are never in the file; it names the
/// environment variables that hold them.
public struct GatewayConfiguration: Sendable {
    public struct Listen: Sendable, Equatable {
        public var host: String
        public var port: Int
    }

    public struct Server: Sendable, Equatable {
        /// 0: one event loop per core.
        public var loops = 0
        public var maxBodyBytes = 8 * 1024 * 1024
        public var maxHeaderBytes = 16 * 1024
        public var headerTimeoutSeconds = 10.0
        public var idleTimeoutSeconds = 60.0
        public var maxConnections = 10_000
        /// File descriptors kept for the process itself when deriving the connection cap.
        public var descriptorReserve = 64
        public var shutdownGraceSeconds = 30.0
    }

    public struct Timeouts: Sendable, Equatable {
        public var connectSeconds = 10.0
        public var firstByteSeconds = 60.0
        public var idleSeconds = 120.0
    }

    public struct Limits: Sendable, Equatable {
        /// 0: unlimited.
        public var rpm = 0
        public var tpm = 0
        public var maxConcurrent = 0
        public var queueTimeoutSeconds = 5.0
    }

    public struct Retry: Sendable, Equatable {
        public var attempts = 3
        public var baseMilliseconds = 250
        public var capMilliseconds = 8000
        /// A provider's retry hint longer than this is not waited for.
        public var maxWaitMilliseconds = 5000
    }

    public struct Provider: Sendable, Equatable {
        public var enabled = false
        /// Why it is on ("providers.ollama in config.yaml:4", "OPENAI_API_KEY is set"); nil when off.
        public var enabledBy: String?
        /// The wire format; a built-in name is its own kind.
        public var kind = ProviderKind.openai
        /// The bare form (no trailing version segment): the adapter adds its own paths.
        public var baseURL: String
        public var apiKeyEnv: String
        /// The secret, read from `apiKeyEnv`. Never printed.
        public var apiKey: String?
        /// A key pool (`api_key_envs: [A, B]`): each key a deployment of its own for limits and
        /// health. Empty: the one key of `apiKeyEnv`.
        public var apiKeyEnvs: [String] = []
        /// The pool's secrets, read from `apiKeyEnvs`, in order. Never printed.
        public var apiKeys: [String] = []
        public var timeouts = Timeouts()
        public var limits = Limits()
        public var retry = Retry()
        /// Gemini context-cache entries' lifetime.
        public var cacheTTLSeconds = 600
        /// Extra request headers (OpenRouter's `HTTP-Referer`, …), name → value.
        public var headers: [String: String] = [:]
        /// Kind `openai`/`azure_openai`: how an OpenAI-compatible server differs.
        public var compat = OpenAICompat()
        /// Kind `azure_openai`: the `api-version` of the deployment path; "v1": the `/openai/v1/` path.
        public var apiVersion = AzureOpenAIAdapter.defaultAPIVersion
        /// Kind `azure_openai`: send the key as `Authorization: Bearer` (an Entra ID token) instead of `api-key`.
        public var bearer = false
    }

    /// One place an alias's requests can go (`models.<alias>.deployments[]`).
    public struct ModelDeployment: Sendable, Equatable {
        public var provider: String
        public var model: String
        /// Its share under the `weighted` strategy (relative; 0: only when the others are out).
        public var weight = 1.0
        /// Its own limits (`limits: {rpm, tpm, max_concurrent}`), in place of its provider's; nil: the provider's.
        public var limits: Limits?
    }

    public struct Model: Sendable, Equatable {
        /// The one-deployment form (`{provider, model}`); empty in the list form.
        public var provider: String
        public var model: String
        public var fallbacks: [String] = []
        public var strategy = RoutingStrategy.weighted
        /// The list form (`deployments: [...]`); empty in the one-deployment form.
        public var deployments: [ModelDeployment] = []
        public var health = HealthPolicy()

        /// The deployments, whichever form the alias was written in.
        public var allDeployments: [ModelDeployment] {
            deployments.isEmpty ? [ModelDeployment(provider: provider, model: model)] : deployments
        }
    }

    public enum Source: Sendable, Equatable, CustomStringConvertible {
        case embedded
        case file(String)
        public var description: String {
            switch self {
            case .embedded: return "embedded default"
            case .file(let path): return path
            }
        }
    }

    public var source: Source = .embedded
    public var listen = Listen(host: "127.0.0.1", port: 8080)
    /// A SQLite file path, or `postgres://…` / `postgresql://…` for a store shared by daemons.
    public var database = "./switchboard.db"
    /// With PostgreSQL: the local file usage rows wait in while the server is unreachable
    /// (one per daemon; a daemon locks its own).
    public var usageSpool = "./switchboard-usage.spool"
    public var logLevel = "info"
    /// `text` (a line a person reads) or `json` (one object per line, for log shippers).
    public var logFormat = LogFormat.text
    public var adminKeyEnv = "SWITCHBOARD_ADMIN_KEY"
    /// The admin key, read from `adminKeyEnv`. Never printed.
    public var adminKey: String?
    public var keepAliveSeconds = 15.0
    public var server = Server()
    /// `/v1/loops`: live loops per key and in all, and how long ended transcripts are kept.
    public var chatLoops = LoopLimits()
    /// `/v1/responses`: how long a stored response is kept (OpenAI keeps them 30 days).
    public var responsesRetentionDays = 30.0
    /// `limits:` — where keys' limits are counted (this daemon, or Redis shared by several).
    public var sharedLimits = SharedLimitsSettings()
    public var providers: [String: Provider] = GatewayConfiguration.defaultProviders
    public var models: [String: Model] = [:]
    /// `prices:` — USD per million tokens per model id or alias, over the built-in table.
    public var prices: [String: ModelPrice] = [:]
    /// `telemetry:` — traces to an OTLP receiver (`GatewayConfiguration+Telemetry`).
    public var telemetry = Telemetry()
    /// Where each set key's value came from ("config.yaml:7", "environment OPENAI_BASE_URL"), by
    /// dotted key; a key not here has its default.
    public var origins: [String: String] = [:]

    /// The built-in provider names, each of its own kind; a configuration may add any others.
    public static let providerNames = ["openai", "anthropic", "gemini"]

    static let defaultProviders: [String: Provider] = [
        "openai": Provider(kind: .openai),
        "anthropic": Provider(kind: .anthropic),
        "gemini": Provider(kind: .gemini),
    ]

    /// Enabled providers' names, sorted.
    public var enabledProviderNames: [String] { providers.keys.filter { providers[$0]!.enabled }.sorted() }

    /// Every secret value, so responses and log output can be scrubbed of them.
    public var secrets: [String] {
        ([adminKey] + providers.values.map(\.apiKey) + providers.values.flatMap(\.apiKeys)
            + telemetry.headers.values.map { $0 }).compactMap { $0 }
            .filter { !$0.isEmpty }
    }

    /// The scrubber that knows `secrets` (every provider's key, enabled or not, and the admin key).
    public var scrubber: SecretScrubber { SecretScrubber(secrets: secrets) }

    /// 127.0.0.0/8, ::1 and localhost. Parsed, not prefix-matched: a host name such as
    /// "127.evil.example" must not pass for loopback (it would turn auth off).
    public static func isLoopback(host: String) -> Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered == "::1" || lowered == "0:0:0:0:0:0:0:1" { return true }
        let octets = lowered.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return false }
        let values = octets.compactMap { $0.count <= 3 && $0.allSatisfy(\.isNumber) ? Int($0) : nil }
        return values.count == 4 && values.allSatisfy { $0 <= 255 } && values[0] == 127
    }
}
