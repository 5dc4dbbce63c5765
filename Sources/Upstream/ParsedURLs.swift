import CCurl
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

    private struct Handle: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    private static let handles = Mutex<[String: Handle]>([:])

    /// The parsed handle of `url`, or nil when curl rejects the URL (curl then reports the
    /// error on its own parse, as it always did), the URL is longer than `longestKept` or
    /// `capacity` URLs are already kept.
    static func handle(for url: String) -> OpaquePointer? {
        handles.withLock { handles in
            if let known = handles[url] { return known.pointer }
            guard handles.count < capacity, url.utf8.count <= longestKept, let parsed = curl_url() else {
                return nil
            }
            guard sb_url_parse(parsed, url) == CURLUE_OK else {
                curl_url_cleanup(parsed)
                return nil
            }
            handles[url] = Handle(pointer: parsed)
            return parsed
        }
    }

    /// URLs kept (for tests).
    static var count: Int { handles.withLock { $0.count } }
}
