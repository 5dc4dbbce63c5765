// swift-tools-version:6.0
import PackageDescription

/// Upstream's `poll` (ReadinessShortcut.swift) must be in the dynamic symbol table for libcurl's
/// calls to reach it: the binaries that link it export it.
let readinessShortcut: [LinkerSetting] = [.unsafeFlags(["-Xlinker", "--export-dynamic-symbol=poll"])]

let package = Package(
    name: "switchboard",
    products: [
        .executable(name: "switchboard", targets: ["switchboard"]),
        // For the fuzz package under Fuzz/, which reaches the modules by path.
        .library(name: "JSON", targets: ["JSON"]),
        .library(name: "SSE", targets: ["SSE"]),
        .library(name: "ChatModel", targets: ["ChatModel"]),
        .library(name: "HTTPServer", targets: ["HTTPServer"]),
        .library(name: "HTTPTypes", targets: ["HTTPTypes"]),
        .library(name: "Providers", targets: ["Providers"]),
        .library(name: "Gateway", targets: ["Gateway"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // System-library shims: the only places C headers enter the package.
        .systemLibrary(
            name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),
        .systemLibrary(
            name: "CHiredis", path: "Sources/CHiredis",
            providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "CPostgres", path: "Sources/CPostgres", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),

        // Pure value layers.
        .target(name: "Arithmetic"),
        .target(name: "JSON"),
        .target(name: "SSE"),
        // One header type and the upstream request value, for everything that speaks HTTP.
        .target(name: "HTTPTypes"),
        .target(name: "ChatModel", dependencies: ["Arithmetic", "JSON", "HTTPTypes"]),

        // I/O layers. Reactor: the event loops (epoll, timers, POSIX calls) under both the HTTP
        // server and the upstream client.
        .target(
            name: "Reactor",
            dependencies: [
                "Arithmetic", "CLinux", .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "HTTPServer",
            dependencies: [
                "Arithmetic", "HTTPTypes", "Reactor", .product(name: "Logging", package: "swift-log"),
            ]),
        .target(name: "Upstream", dependencies: ["Arithmetic", "CCurl", "CLinux", "HTTPTypes", "Reactor"]),
        // Redis on our event loops (hiredis's async API): the shared limits of several daemons.
        .target(name: "Redis", dependencies: ["CHiredis", "Reactor"]),
        .target(name: "Store", dependencies: ["Arithmetic", "CSQLite", "CPostgres", "ChatModel", "Pricing"]),
        // Prices and the cost of a request's tokens: pure, the price list embedded in the binary.
        .target(
            name: "Pricing", dependencies: ["Arithmetic", "ChatModel", "JSON"],
            resources: [.embedInCode("prices.json")]),

        // Provider adapters: pure mapping, no I/O (no path to libcurl or epoll).
        .target(name: "Providers", dependencies: ["Arithmetic", "ChatModel", "JSON", "SSE", "HTTPTypes"]),

        .target(
            name: "Gateway",
            dependencies: [
                "Arithmetic", "HTTPTypes", "Reactor", "HTTPServer", "Upstream", "Providers", "ChatModel", "JSON", "SSE",
                "Store", "Pricing", "Redis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]),
        .target(
            name: "Emulator",
            dependencies: [
                "Arithmetic", "HTTPTypes", "Reactor", "HTTPServer", "JSON", "SSE",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "switchboard",
            dependencies: [
                "Arithmetic", "Gateway", "Emulator", "Reactor", "HTTPServer", "JSON", "ChatModel", "SSE",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ], linkerSettings: readinessShortcut),

        // Helpers the test suites share (fixture files); a plain target so several suites can link it.
        .target(name: "TestSupport", dependencies: ["CTestSpawn"], path: "Tests/TestSupport"),
        // posix_spawn for the tests' child processes (Foundation's Process.run can crash the runner).
        .target(name: "CTestSpawn", path: "Tests/CTestSpawn"),

        .testTarget(name: "ArithmeticTests", dependencies: ["Arithmetic"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON", "TestSupport"]),
        .testTarget(name: "SSETests", dependencies: ["SSE", "TestSupport"]),
        .testTarget(name: "ChatModelTests", dependencies: ["ChatModel", "JSON", "HTTPTypes"]),
        .testTarget(name: "HTTPTypesTests", dependencies: ["HTTPTypes"]),
        .testTarget(name: "ReactorTests", dependencies: ["Reactor"]),
        .testTarget(
            name: "HTTPServerTests",
            dependencies: [
                "HTTPServer", "Reactor", "TestSupport", .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "UpstreamTests", dependencies: ["Upstream", "HTTPTypes", "Reactor", "HTTPServer"],
            linkerSettings: readinessShortcut),
        .testTarget(
            name: "ProvidersTests",
            dependencies: [
                "Providers", "ChatModel", "JSON", "SSE", "HTTPTypes", "TestSupport",
            ], exclude: ["Golden"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "ChatModel", "TestSupport"]),
        .testTarget(name: "RedisTests", dependencies: ["Redis"]),
        .testTarget(
            name: "PricingTests",
            dependencies: [
                "Pricing", "ChatModel", "JSON", "SSE", "Providers", "TestSupport",
            ]),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "ChatModel", "JSON", "HTTPTypes", "Providers", "TestSupport",
            ]),
        .testTarget(
            name: "EmulatorTests",
            dependencies: [
                "Emulator", "Reactor", "HTTPServer", "JSON", "SSE", "TestSupport",
            ]),
        .testTarget(name: "EndToEndTests", dependencies: ["JSON", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// Release builds check exclusive access at compile time only (issue 13). The runtime check of
// each class property, global and escaping-closure capture (`swift_beginAccess`) cost 2.3 % of the
// instructions of a small request and 7.4 % of a relayed chunk's. Debug builds, which every test
// runs, keep the runtime check, so a conflicting access still fails a test.
for target in package.targets where target.type == .regular || target.type == .executable {
    target.swiftSettings =
        (target.swiftSettings ?? []) + [
            .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
        ]
}
