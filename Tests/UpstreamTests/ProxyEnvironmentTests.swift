import Testing
@testable import Upstream

@Suite("Proxy variables libcurl would read")
struct ProxyEnvironmentTests {
    func none(_ env: [String: String]) -> Bool { ProxyEnvironment.namesNoProxy { env[$0] } }

    @Test func anyVariableCurlReadsForHTTPOrHTTPSNamesAProxy() {
        for name in ["http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] {
            #expect(!none([name: "http://proxy:3128"]), "\(name)")
        }
    }

    @Test func emptyValuesAndVariablesCurlIgnoresNameNone() {
        #expect(none([:]))
        #expect(none(["http_proxy": "", "ALL_PROXY": ""]))
        // curl never reads upper-case HTTP_PROXY (CGI programs get the client's Proxy: header so).
        #expect(none(["HTTP_PROXY": "http://proxy:3128", "no_proxy": "*", "ftp_proxy": "http://proxy:21"]))
    }
}
