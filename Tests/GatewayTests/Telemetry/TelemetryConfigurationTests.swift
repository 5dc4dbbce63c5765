import Testing

@testable import Gateway

@Suite("Telemetry configuration")
struct TelemetryConfigurationTests {
    func load(_ yaml: String, _ env: [String: String] = [:]) throws -> GatewayConfiguration {
        try GatewayConfiguration.load(
            path: ConfigurationTests.file(yaml), environment: env, defaultPath: "/nonexistent")
    }

    func problems(_ yaml: String, _ env: [String: String] = [:]) -> [String] {
        ConfigurationTests().problems(ConfigurationTests.file(yaml), env)
    }

    @Test func offUntilAnEndpointIsSet() throws {
        let config = try load("")
        #expect(config.telemetry.tracesURL == nil)
        #expect(Tracer(config.telemetry) == nil)
    }

    @Test func theFileWinsOverTheStandardVariables() throws {
        let config = try load(
            """
            telemetry:
              otlp_endpoint: http://collector:4318/
              sampling_ratio: 0.25
              service_name: gw
              headers: {X-Api-Key: k1}
            """,
            [
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://other:4318", "OTEL_SERVICE_NAME": "env-name",
                "OTEL_TRACES_SAMPLER": "always_off", "OTEL_EXPORTER_OTLP_HEADERS": "x-other=1",
            ])
        #expect(config.telemetry.tracesURL == "http://collector:4318/v1/traces")
        #expect(config.telemetry.serviceName == "gw")
        #expect(config.telemetry.sampler == Sampler(root: .traceIdRatio(0.25)))
        #expect(config.telemetry.headers == ["X-Api-Key": "k1"])
        #expect(config.origins["telemetry.otlp_endpoint"]?.contains(".yaml:") == true)
        // Collector credentials are secrets: scrubbed from logs, hidden by `config check`.
        #expect(config.secrets.contains("k1"))
        #expect(!config.redactedDescription().contains("k1"))
    }

    @Test func theStandardVariablesFillWhatTheFileLeaves() throws {
        let config = try load(
            "",
            [
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://other:4318",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://traces:4318/custom/path",
                "OTEL_SERVICE_NAME": "env-name", "OTEL_TRACES_SAMPLER": "traceidratio",
                "OTEL_TRACES_SAMPLER_ARG": "0.5", "OTEL_EXPORTER_OTLP_HEADERS": "api-key=a%20b, x-tenant=t1",
                "OTEL_BSP_SCHEDULE_DELAY": "250", "OTEL_BSP_MAX_QUEUE_SIZE": "100",
            ])
        #expect(config.telemetry.tracesURL == "http://traces:4318/custom/path")
        #expect(config.telemetry.serviceName == "env-name")
        #expect(config.telemetry.sampler == Sampler(root: .traceIdRatio(0.5), parentBased: false))
        #expect(config.telemetry.headers == ["api-key": "a b", "x-tenant": "t1"])
        #expect(config.telemetry.scheduleDelaySeconds == 0.25)
        #expect(config.telemetry.maxQueueSize == 100)
        #expect(config.origins["telemetry.otlp_endpoint"] == "environment OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        let disabled = try load("telemetry: {otlp_endpoint: 'http://c:4318'}", ["OTEL_SDK_DISABLED": "true"])
        #expect(!disabled.telemetry.isEnabled)
        #expect(Tracer(disabled.telemetry) == nil)
    }

    @Test func badValuesAreRefusedByName() {
        #expect(problems("telemetry: {otlp_endpoint: 'collector:4318'}").first?.contains("otlp_endpoint") == true)
        #expect(problems("telemetry: {sampling_ratio: 1.5}").first?.contains("between 0.0 and 1.0") == true)
        #expect(problems("telemetry: {sample_ratio: 0.5}").first?.contains("unknown key") == true)
        #expect(problems("telemetry: {headers: {'bad name': x}}").first?.contains("telemetry.headers") == true)
        #expect(problems("", ["OTEL_TRACES_SAMPLER": "jaeger_remote"]).first?.contains("OTEL_TRACES_SAMPLER") == true)
        #expect(problems("", ["OTEL_TRACES_SAMPLER_ARG": "2"]).first?.contains("OTEL_TRACES_SAMPLER_ARG") == true)
        #expect(problems("", ["OTEL_EXPORTER_OTLP_HEADERS": "novalue"]).first?.contains("HEADERS") == true)
        #expect(problems("", ["OTEL_BSP_MAX_QUEUE_SIZE": "-1"]).first?.contains("OTEL_BSP_MAX_QUEUE_SIZE") == true)
        #expect(problems("", ["OTEL_BSP_SCHEDULE_DELAY": "99999999999999999999"]).isEmpty == false)
    }
}
