import Foundation

/// `telemetry:` and the OpenTelemetry variables. The file (and `SWITCHBOARD_TELEMETRY_*`)
/// wins where it sets a key; the standard `OTEL_*` variables fill what it leaves unset, so an
/// operator's usual OpenTelemetry environment works unchanged.
extension ConfigurationLoader {
    static let telemetryLeaves = ["telemetry.otlp_endpoint", "telemetry.sampling_ratio", "telemetry.service_name"]

    /// One `telemetry.<key>` value from the file or `SWITCHBOARD_TELEMETRY_*`.
    static func applyTelemetry(
        _ t: inout GatewayConfiguration.Telemetry, _ key: String, _ raw: String, fail: (String) -> Void,
        double: (ClosedRange<Double>) -> Double?
    ) {
        switch key {
        case "otlp_endpoint":
            if let url = endpoint(raw, fail: fail) { t.otlpEndpoint = url }
        case "sampling_ratio":
            if let ratio = double(0...1) {
                t.samplingRatio = ratio
                t.sampler = Sampler(root: .traceIdRatio(ratio))
            }
        case "service_name":
            if let name = serviceName(raw, fail: fail) { t.serviceName = name }
        default: fail("unknown key")
        }
    }

    /// An `http(s)://` URL on one line.
    private static func endpoint(_ raw: String, fail: (String) -> Void) -> String? {
        let lowered = raw.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://"), raw.utf8.count <= 2048,
            raw.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f })
        else {
            fail("expected an http:// or https:// URL, got \"\(raw)\"")
            return nil
        }
        return raw
    }

    private static func serviceName(_ raw: String, fail: (String) -> Void) -> String? {
        guard !raw.isEmpty, raw.utf8.count <= 256, raw.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7f }) else {
            fail("expected a name of 1 to 256 printable characters")
            return nil
        }
        return raw
    }

    /// The `OTEL_*` variables, each only where the file (or `SWITCHBOARD_*`) left its key unset.
    mutating func applyOpenTelemetryEnvironment() {
        let environment = self.environment
        func value(_ name: String) -> String? {
            environment[name].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        var found: [String] = []
        defer { problems += found }
        func fail(_ name: String) -> (String) -> Void { { found.append("environment \(name): \($0)") } }
        if let raw = value("OTEL_SDK_DISABLED") {
            config.telemetry.disabled = raw.lowercased() == "true"
            config.origins["telemetry.disabled"] = "environment OTEL_SDK_DISABLED"
        }
        if config.origins["telemetry.otlp_endpoint"] == nil {
            if let raw = value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
                config.telemetry.tracesEndpoint = Self.endpoint(raw, fail: fail("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
                config.origins["telemetry.otlp_endpoint"] = "environment OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
            } else if let raw = value("OTEL_EXPORTER_OTLP_ENDPOINT") {
                config.telemetry.otlpEndpoint = Self.endpoint(raw, fail: fail("OTEL_EXPORTER_OTLP_ENDPOINT"))
                config.origins["telemetry.otlp_endpoint"] = "environment OTEL_EXPORTER_OTLP_ENDPOINT"
            }
        }
        if config.origins["telemetry.service_name"] == nil, let raw = value("OTEL_SERVICE_NAME") {
            if let name = Self.serviceName(raw, fail: fail("OTEL_SERVICE_NAME")) {
                config.telemetry.serviceName = name
                config.origins["telemetry.service_name"] = "environment OTEL_SERVICE_NAME"
            }
        }
        if config.origins["telemetry.sampling_ratio"] == nil { applySamplerEnvironment(value, fail) }
        if config.origins["telemetry.headers"] == nil {
            for name in ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"] {
                guard let raw = value(name) else { continue }
                if let headers = Self.headerList(raw) {
                    config.telemetry.headers.merge(headers) { $1 }
                    config.origins["telemetry.headers"] = "environment \(name)"
                } else {
                    fail(name)("expected name=value pairs separated by commas")
                }
            }
        }
        applyBatchEnvironment(value, fail)
    }

    private mutating func applySamplerEnvironment(
        _ value: (String) -> String?, _ fail: (String) -> (String) -> Void
    ) {
        var ratio = 1.0
        if let raw = value("OTEL_TRACES_SAMPLER_ARG") {
            if let r = Double(raw), (0...1).contains(r) {
                ratio = r
                config.telemetry.samplingRatio = r
                config.origins["telemetry.sampling_ratio"] = "environment OTEL_TRACES_SAMPLER_ARG"
            } else {
                fail("OTEL_TRACES_SAMPLER_ARG")("expected a ratio between 0 and 1, got \"\(raw)\"")
            }
        }
        let name = value("OTEL_TRACES_SAMPLER") ?? "parentbased_traceidratio"
        if let sampler = Sampler.named(name, ratio: ratio) {
            config.telemetry.sampler = sampler
        } else {
            fail("OTEL_TRACES_SAMPLER")("unknown sampler \"\(name)\" (\(Sampler.names.joined(separator: ", ")))")
        }
    }

    /// `OTEL_BSP_*` and `OTEL_EXPORTER_OTLP[_TRACES]_TIMEOUT`, in milliseconds or counts, range-checked.
    private mutating func applyBatchEnvironment(
        _ value: (String) -> String?, _ fail: (String) -> (String) -> Void
    ) {
        func int(_ name: String, _ range: ClosedRange<Int>) -> Int? {
            guard let raw = value(name) else { return nil }
            guard let n = Int(raw), range.contains(n) else {
                fail(name)("expected a whole number between \(range.lowerBound) and \(range.upperBound)")
                return nil
            }
            return n
        }
        if let n = int("OTEL_BSP_MAX_QUEUE_SIZE", 1...1_000_000) { config.telemetry.maxQueueSize = n }
        if let n = int("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 1...100_000) { config.telemetry.maxBatchSize = n }
        if let ms = int("OTEL_BSP_SCHEDULE_DELAY", 1...3_600_000) {
            config.telemetry.scheduleDelaySeconds = Double(ms) / 1000
        }
        for name in ["OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"] {
            if let ms = int(name, 1...600_000) { config.telemetry.exportTimeoutSeconds = Double(ms) / 1000 }
        }
    }

    /// `OTEL_EXPORTER_OTLP_HEADERS`: `name=value,…`, values percent-encoded (W3C Baggage form).
    static func headerList(_ raw: String) -> [String: String]? {
        var headers: [String: String] = [:]
        for pair in raw.split(separator: ",") {
            guard let eq = pair.firstIndex(of: "=") else { return nil }
            let name = pair[..<eq].trimmingCharacters(in: .whitespaces)
            let encoded = pair[pair.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard ConfigurationKeys.isHeaderName(name), let decoded = encoded.removingPercentEncoding,
                !decoded.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 })
            else { return nil }
            headers[name] = decoded
        }
        return headers
    }
}
