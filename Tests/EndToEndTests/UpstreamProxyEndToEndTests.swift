import Foundation
import Testing

/// The daemon reaches providers through the proxy its environment names, as libcurl always
/// did (`http_proxy`, `no_proxy`): telling curl "no proxy" outright when no variable is set
/// (which spares its lookups on every transfer) must not lose that.
@Suite("Upstream proxy from the environment, end to end")
struct UpstreamProxyEndToEndTests {
    /// A provider at a port nothing listens on: only a proxy can reach it.
    static let yaml = """
        providers:
          openai: {base_url: "http://127.0.0.1:9", api_key_env: OPENAI_API_KEY, \
        retry: {attempts: 1, base_ms: 10, cap_ms: 50}}
        """
    static let body = #"{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hello"}],"max_tokens":16}"#

    @Test func requestsGoThroughTheProxyTheEnvironmentNames() throws {
        // The emulator accepts the absolute-form target a proxy receives, so it stands in for one.
        let mock = try Launch.mock()
        let (daemon, _) = try Launch.daemon(
            yaml: Self.yaml, environment: ["OPENAI_API_KEY": "test-key-openai", "http_proxy": mock.baseURL])
        daemon.attachments.append(mock)
        for _ in 0..<2 {
            let answer = try ClientNumbersEndToEndTests.post(daemon, "/v1/chat/completions", Self.body)
            #expect(answer.status == 200, "\(answer.body.prefix(300)) \(daemon.log().suffix(2000))")
        }
    }

    @Test func aHostInNoProxyIsReachedDirectlyAndWithoutAProxyVariableNothingIsProxied() throws {
        let mock = try Launch.mock()
        let (bypassing, _) = try Launch.daemon(
            yaml: Self.yaml,
            environment: [
                "OPENAI_API_KEY": "test-key-openai", "http_proxy": mock.baseURL, "no_proxy": "127.0.0.1",
            ])
        bypassing.attachments.append(mock)
        let direct = try ClientNumbersEndToEndTests.post(bypassing, "/v1/chat/completions", Self.body)
        #expect(direct.status >= 500, "\(direct.status) \(direct.body.prefix(300))")
        let (unproxied, _) = try Launch.daemon(yaml: Self.yaml, environment: ["OPENAI_API_KEY": "test-key-openai"])
        let answer = try ClientNumbersEndToEndTests.post(unproxied, "/v1/chat/completions", Self.body)
        #expect(answer.status >= 500, "\(answer.status) \(answer.body.prefix(300))")
    }
}
