import ChatModel
import HTTPTypes
import Providers
import Testing

/// One rule for what is retried and what falls back, whichever path the failure took: an
/// HTTP answer, an error event before any content, a transport failure.
@Suite("Retryability")
struct RetryabilityTests {
    @Test(arguments: [408, 409, 429, 500, 501, 502, 503, 504, 520, 529, 599])
    func theProvidersOwnStateIsRetried(status: Int) {
        #expect(Retryability.isRetryable(status: status))
        let failure = UpstreamErrorMapping.failure(provider: "p", status: status, message: "m", headers: [])
        #expect(failure.retryable)
    }

    @Test(arguments: [0, 200, 301, 400, 401, 403, 404, 413, 422, 600])
    func anythingElseIsNot(status: Int) {
        #expect(!Retryability.isRetryable(status: status))
        #expect(!UpstreamErrorMapping.failure(provider: "p", status: status, message: "m", headers: []).retryable)
    }

    @Test func theProvidersRetryHeaderOverridesTheRule() {
        let no: HTTPHeaders = [("x-should-retry", "false")]
        #expect(!UpstreamErrorMapping.failure(provider: "p", status: 503, message: "m", headers: no).retryable)
        let yes: HTTPHeaders = [("x-should-retry", "true")]
        #expect(UpstreamErrorMapping.failure(provider: "p", status: 400, message: "m", headers: yes).retryable)
    }

    /// An error event before content follows the rule of the status the client would see.
    @Test(arguments: [(429, true), (503, true), (500, true), (408, true), (502, true), (400, false), (404, false)])
    func anErrorEventBeforeContentFollowsTheSameRule(status: Int, retryable: Bool) {
        let event = StreamError(type: "upstream_error", message: "p: m", provider: "p", status: status)
        #expect(UpstreamErrorMapping.failure(beforeContent: event).retryable == retryable)
    }

    @Test func aTransportFailureIsRetriedUnlessTheGatewayIsOverloaded() {
        #expect(Retryability.isRetryable(transport: GatewayError(status: 504, type: .upstreamTimeout, message: "t")))
        let unreachable = GatewayError(status: 503, type: .upstreamUnavailable, message: "c")
        #expect(Retryability.isRetryable(transport: unreachable))
        #expect(!Retryability.isRetryable(transport: GatewayError(status: 503, type: .overloaded, message: "fd")))
    }

    @Test func providerFaultsFallBackAndClientFaultsDoNot() {
        for status in [429, 500, 502, 503, 504] {
            #expect(Retryability.isProviderFault(GatewayError(status: status, type: .upstreamError, message: "m")))
        }
        for status in [400, 404, 408, 413, 422] {
            #expect(!Retryability.isProviderFault(GatewayError(status: status, type: .invalidRequest, message: "m")))
        }
    }
}
