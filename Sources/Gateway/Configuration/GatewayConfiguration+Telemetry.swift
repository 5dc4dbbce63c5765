extension GatewayConfiguration {
    /// `telemetry:` — OpenTelemetry traces over OTLP/HTTP (JSON). Off until an endpoint is set,
    /// in the file or by the standard `OTEL_EXPORTER_OTLP_*` variables (the file wins).
    public struct Telemetry: Sendable, Equatable {
        /// The receiver's base URL (`http://collector:4318`); spans go to `<base>/v1/traces`.
        public var otlpEndpoint: String?
        /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`: the full traces URL, used as it is.
        public var tracesEndpoint: String?
        /// Fraction of new traces recorded (0…1); a client's sampled flag decides for its own.
        public var samplingRatio = 1.0
        public var sampler = Sampler(root: .traceIdRatio(1))
        public var serviceName = "switchboard"
        /// Sent with every export (a collector's API key): secrets, never printed.
        public var headers: [String: String] = [:]
        /// `OTEL_SDK_DISABLED=true`: no tracing whatever else is set.
        public var disabled = false
        /// The batch processor (`OTEL_BSP_*`): queue bound, batch size, delay between batches.
        public var maxQueueSize = 2048
        public var maxBatchSize = 512
        public var scheduleDelaySeconds = 1.0
        /// `OTEL_EXPORTER_OTLP_TIMEOUT`: one export's limit.
        public var exportTimeoutSeconds = 10.0

        /// Where spans are posted; nil: tracing is off.
        public var tracesURL: String? {
            if let tracesEndpoint { return tracesEndpoint }
            guard let base = otlpEndpoint else { return nil }
            return base.hasSuffix("/") ? base + "v1/traces" : base + "/v1/traces"
        }

        /// Whether spans are recorded at all.
        public var isEnabled: Bool { !disabled && tracesURL != nil }
    }

    /// `telemetry:` for `switchboard config check`: header values are secrets (names only).
    func telemetryDescription() -> [String] {
        guard let url = telemetry.tracesURL, !telemetry.disabled else {
            return ["telemetry: {}  # traces off\(telemetry.disabled ? " (OTEL_SDK_DISABLED)" : "")"]
        }
        let names = telemetry.headers.keys.sorted().joined(separator: ", ")
        return [
            "telemetry:",
            "  traces_url: \(GatewayConfiguration.maskingPassword(url))",
            "  sampler: \(telemetry.sampler.name), sampling_ratio: \(telemetry.samplingRatio)",
            "  service_name: \(telemetry.serviceName)",
            "  headers: [\(names)]  # values hidden",
        ]
    }
}

extension Sampler {
    /// The `OTEL_TRACES_SAMPLER` name of this sampler.
    public var name: String {
        let root: String
        switch self.root {
        case .alwaysOn: root = "always_on"
        case .alwaysOff: root = "always_off"
        case .traceIdRatio: root = "traceidratio"
        }
        return parentBased ? "parentbased_" + root : root
    }
}
