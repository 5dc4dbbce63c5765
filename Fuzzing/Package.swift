// swift-tools-version:6.0
import PackageDescription

// Coverage-guided fuzz targets (libFuzzer) for Switchboard's parsers and decoders: one
// executable per target, built by `make fuzz` with `--sanitize fuzzer --sanitize address`.
// The main package is reached by path and named explicitly, so its products resolve
// whatever the clone's directory is called.

let switchboard = "switchboard"

/// Target name → the main package's modules it needs.
let targets: [(name: String, modules: [String])] = [
    ("http-request", ["HTTPServer", "HTTPTypes"]),
    ("sse", ["SSE"]),
    ("json", ["JSON"]),
    ("json-selective", ["JSON"]),
    ("chat-request", ["ChatModel"]),
    ("openai-front-door", ["Providers"]),
    ("anthropic-front-door", ["Providers"]),
    ("openai-stream", ["Providers"]),
    ("anthropic-stream", ["Providers"]),
    ("gemini-stream", ["Providers"]),
    ("openai-response", ["Providers"]),
    ("anthropic-response", ["Providers"]),
    ("gemini-response", ["Providers"]),
    ("configuration", ["Gateway"]),
]

/// Targets that drive the gateway's pipeline share its checks.
let pipelineTargets: Set<String> = [
    "chat-request", "openai-front-door", "anthropic-front-door", "openai-stream",
    "anthropic-stream", "gemini-stream", "openai-response", "anthropic-response",
    "gemini-response",
]

let package = Package(
    name: "switchboard-fuzz",
    dependencies: [.package(name: switchboard, path: "..")],
    targets: [
        .target(name: "FuzzSupport"),
        .target(
            name: "PipelineFuzzing",
            dependencies: [
                "FuzzSupport",
                .product(name: "ChatModel", package: switchboard),
                .product(name: "JSON", package: switchboard),
                .product(name: "SSE", package: switchboard),
                .product(name: "Providers", package: switchboard),
                .product(name: "Gateway", package: switchboard),
                .product(name: "HTTPTypes", package: switchboard),
            ]),
    ]
        + targets.map { target in
            .executableTarget(
                name: target.name,
                dependencies: ["FuzzSupport"] + (pipelineTargets.contains(target.name) ? ["PipelineFuzzing"] : [])
                    + target.modules.map { .product(name: $0, package: switchboard) },
                path: "Targets/\(target.name)")
        },
    swiftLanguageModes: [.v6]
)
