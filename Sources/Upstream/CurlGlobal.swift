import CCurl
import Glibc
import HTTPTypes

/// `curl_global_init` exactly once per process (it is not thread-safe; a static `let` is
/// initialised once, atomically).
enum CurlGlobal {
    static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()

    static func ensure() { _ = initialized }

    /// `SB_CURL_VERBOSE` set: curl traces every transfer on stderr (debugging). Read once: a
    /// `getenv` per transfer scans the whole environment.
    static let verbose: Bool = getenv("SB_CURL_VERBOSE") != nil

    static func describe(_ code: CURLcode) -> String {
        String(cString: curl_easy_strerror(code))
    }

    /// Maps a failed transfer's code to our transport error.
    static func transportError(_ code: CURLcode, detail: String, sawBytes: Bool) -> TransportError {
        let text = detail.isEmpty ? describe(code) : detail
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .connectFailed(text)
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut(sawBytes ? .idle : .connect, text)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_SHUTDOWN_FAILED:
            return .tls(text)
        default:
            return .other(code: Int(code.rawValue), text)
        }
    }
}
