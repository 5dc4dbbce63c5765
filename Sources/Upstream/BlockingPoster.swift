import CCurl
import HTTPTypes

/// POSTs to one URL with libcurl's easy interface, blocking the calling thread: for a
/// background thread that batches (the trace exporter), never for an event loop. Keeps its
/// handle, so the connection to the receiver is reused between posts.
///
/// Confined to one thread at a time (not `Sendable`): its owner's thread.
public final class BlockingPoster {
    /// How one post ended: the HTTP status, or why there was none.
    public enum Outcome: Sendable, Equatable {
        case status(Int)
        case failed(String)
    }

    private let easy: UnsafeMutableRawPointer?
    private let url: String
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let timeoutMilliseconds: Int

    /// `headers` go on every post; `timeoutSeconds` bounds a whole post (connect included).
    public init(url: String, headers: HTTPHeaders, timeoutSeconds: Double) {
        CurlGlobal.ensure()
        self.url = url
        easy = curl_easy_init()
        // Configured, in range: at least 1 ms, at most a day.
        timeoutMilliseconds = Int(min(86_400_000, max(1, timeoutSeconds * 1000)))
        for header in headers { headerList = curl_slist_append(headerList, "\(header.name): \(header.value)") }
        headerList = curl_slist_append(headerList, "Expect:")
    }

    deinit {
        if let easy { curl_easy_cleanup(easy) }
        curl_slist_free_all(headerList)
    }

    /// Sends `body`; the answer's body is read and dropped.
    public func post(_ body: [UInt8]) -> Outcome {
        guard let easy else { return .failed("curl_easy_init failed") }
        // An empty body would leave curl reading the request body from standard input.
        guard !body.isEmpty else { return .failed("empty body") }
        sb_easy_setopt_string(easy, CURLOPT_URL, url)
        sb_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        sb_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
        sb_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, timeoutMilliseconds)
        sb_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList)
        sb_easy_setopt_long(easy, CURLOPT_POST, 1)
        sb_easy_setopt_write_cb(easy) { _, size, count, _ in size * count }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE))
        let code: CURLcode = body.withUnsafeBufferPointer { bytes in
            errorBuffer.withUnsafeMutableBufferPointer { errors in
                sb_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errors.baseAddress)
                sb_easy_setopt_pointer(easy, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                sb_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
                let code = curl_easy_perform(easy)
                // The buffers die with this closure: curl must not keep them.
                sb_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, nil)
                sb_easy_setopt_pointer(easy, CURLOPT_POSTFIELDS, nil)
                return code
            }
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .failed(detail.isEmpty ? CurlGlobal.describe(code) : detail)
        }
        var status = 0
        sb_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        return .status(status)
    }
}
