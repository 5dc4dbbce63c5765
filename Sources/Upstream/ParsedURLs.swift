import CCurl
import Glibc
import Synchronization

/// Upstream URLs parsed once for libcurl (`CURLOPT_CURLU`), shared by every loop.
///
/// Given a URL string, curl parses it on every transfer (~5,000 instructions); given a parsed
/// handle, it copies the handle instead. A gateway sends to a handful of URLs (a provider's
/// endpoint, a model in Gemini's path), so each is parsed on first use and kept for the life of
/// the process: a handle is never freed, as a transfer in flight (and curl's own retry of a
/// dead pooled connection) reads it until its end. Curl only reads a handle it is given, so
/// transfers on several loops share one.
enum ParsedURLs {
    /// How many URLs are kept; past it a transfer hands curl its URL string as before.
    static let capacity = 256
    /// Longer URLs are not kept: a path can carry a client's model name (Gemini's), and the
    /// cache is not to hold whatever clients send.
    static let longestKept = 1024

    /// A kept URL: curl's parsed handle, and whether its host is an IP address (no name to
    /// resolve: `EasyHandle.setURL`).
    struct Parsed: @unchecked Sendable {
        let pointer: OpaquePointer
        let hostIsAddress: Bool
    }

    private static let handles = Mutex<[String: Parsed]>([:])

    /// The parsed handle of `url`, or nil when curl rejects the URL (curl then reports the
    /// error on its own parse, as it always did), the URL is longer than `longestKept` or
    /// `capacity` URLs are already kept.
    static func handle(for url: String) -> OpaquePointer? { parsed(url)?.pointer }

    /// As `handle(for:)`, with what else is known of the URL.
    static func parsed(_ url: String) -> Parsed? {
        handles.withLock { handles in
            if let known = handles[url] { return known }
            guard handles.count < capacity, url.utf8.count <= longestKept, let parsed = curl_url() else {
                return nil
            }
            guard sb_url_parse(parsed, url) == CURLUE_OK else {
                curl_url_cleanup(parsed)
                return nil
            }
            let kept = Parsed(pointer: parsed, hostIsAddress: hostIsAddress(parsed))
            handles[url] = kept
            return kept
        }
    }

    /// Whether the parsed URL's host is an IPv4 or IPv6 address (as curl gives it: IPv6 in
    /// brackets, perhaps with a zone).
    private static func hostIsAddress(_ parsed: OpaquePointer) -> Bool {
        var host: UnsafeMutablePointer<CChar>?
        guard curl_url_get(parsed, CURLUPART_HOST, &host, 0) == CURLUE_OK, let host else { return false }
        defer { curl_free(host) }
        return isAddress(String(cString: host))
    }

    /// `host` is an IPv4 address or a bracketed IPv6 one.
    static func isAddress(_ host: String) -> Bool {
        var scratch = in6_addr()
        if host.hasPrefix("["), host.hasSuffix("]") {
            let inner = host.dropFirst().dropLast().prefix { $0 != "%" }
            return inet_pton(AF_INET6, String(inner), &scratch) == 1
        }
        return inet_pton(AF_INET, host, &scratch) == 1
    }

    /// URLs kept (for tests).
    static var count: Int { handles.withLock { $0.count } }
}
