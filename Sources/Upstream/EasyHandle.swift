import CCurl
import HTTPTypes

/// A libcurl easy handle and the options it carries from one transfer to the next.
///
/// Setting a transfer up from scratch cost more than some of the transfer's own work: the reset
/// frees and re-makes every string option (~3,300 instructions), the header list was copied node by
/// node, the URL looked up again. A handle whose last transfer ended cleanly keeps its options, and
/// the next transfer sets only what is its own (its pointers and body) and what differs (URL, header
/// list, connect timeout); a different method, or an unclean end, resets it as before.
///
/// The one piece of a transfer's state that outlives it in the handle (libcurl 7.88) is the count
/// of "connection died, retrying on a fresh connection" (`state.retrycount`): only
/// `curl_easy_reset` clears it (curl resets it per transfer from 8.17, curl issue 18926), and past
/// five a retry fails. So a handle is reset after any transfer that did not end cleanly: an error,
/// a cancel, or any connection opened or closed on its loop while it ran (a retry closes the dead
/// connection and opens another; `UpstreamClient.connectionChurn`).
///
/// Loop-confined, like the client that keeps it.
final class EasyHandle {
    let pointer: UnsafeMutableRawPointer
    /// The options every transfer sets alike (callbacks, proxy, TCP, HTTP version) are set.
    private(set) var hasLastingOptions = false
    /// The URL its `CURLOPT_URL`/`CURLOPT_CURLU` name.
    private var url: String?
    /// The fields of `headerList`, which this handle owns (curl reads it during each transfer).
    private var headers: HTTPHeaders?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var connectTimeoutMillis: Int?
    /// The method, and whether a body was given (`CURLOPT_POSTFIELDS`, which sets curl's method
    /// too): a transfer that differs in either starts from a reset handle.
    private var method: String?
    private var sendsBody = false
    /// `UpstreamClient.connectionChurn` when the transfer started.
    var churnAtStart = 0
    /// Set by the client when the transfer ended with CURLE_OK and no connection came or went.
    var endedCleanly = false

    init() {
        pointer = curl_easy_init()!
    }

    deinit {
        curl_easy_cleanup(pointer)
        curl_slist_free_all(headerList)
    }

    /// Back from a transfer: keeps its options after a clean end, else resets to curl's defaults.
    /// A kept handle forgets the transfer's error buffer, which is freed with the transfer: curl
    /// must have nothing to write into while the handle waits (or is cleaned up). The other
    /// per-transfer pointers are only read inside a transfer, which sets them first.
    func finishTransfer() {
        if endedCleanly {
            sb_easy_setopt_pointer(pointer, CURLOPT_ERRORBUFFER, nil)
        } else {
            curl_easy_reset(pointer)
            hasLastingOptions = false
            url = nil
            headers = nil
            connectTimeoutMillis = nil
            method = nil
        }
        endedCleanly = false
    }

    /// Ready for a transfer with `method` (and a body or not): false when the options must all
    /// be set (a fresh or reset handle, or one last used otherwise; the latter is reset here).
    func prepare(method: String, sendsBody: Bool) -> Bool {
        if hasLastingOptions, self.method == method, self.sendsBody == sendsBody { return true }
        if hasLastingOptions { curl_easy_reset(pointer) }
        hasLastingOptions = true
        self.method = method
        self.sendsBody = sendsBody
        url = nil
        headers = nil
        connectTimeoutMillis = nil
        return false
    }

    /// The URL, set unless it is already the handle's.
    func setURL(_ newURL: String) {
        if url == newURL { return }
        url = newURL
        // The string too: libcurl 7.88 then takes it as the transfer's URL text instead of
        // re-assembling one from the parsed handle (~9,000 instructions); the request itself is
        // built from the handle's parts either way.
        sb_easy_setopt_string(pointer, CURLOPT_URL, newURL)
        // A URL not kept parsed: none given, or the one of an earlier transfer is left behind.
        let parsed = ParsedURLs.parsed(newURL)
        sb_easy_setopt_curlu(pointer, parsed?.pointer)
        // An address is no name: its entry in curl's DNS cache cannot go stale, and "forever"
        // spares the sweep of that cache after each transfer (~900 instructions). Not through
        // a proxy, whose name this transfer resolves; otherwise curl's default (60 s).
        let forever = parsed?.hostIsAddress == true && ProxyEnvironment.noneConfigured
        sb_easy_setopt_long(pointer, CURLOPT_DNS_CACHE_TIMEOUT, forever ? -1 : 60)
    }

    func setConnectTimeout(millis: Int) {
        if connectTimeoutMillis == millis { return }
        connectTimeoutMillis = millis
        sb_easy_setopt_long(pointer, CURLOPT_CONNECTTIMEOUT_MS, millis)
    }

    /// The request's header fields, as a list built when they differ from the handle's last.
    func setHeaders(_ fields: HTTPHeaders) {
        if let headers, headerList != nil, headers == fields { return }
        var list: UnsafeMutablePointer<curl_slist>?
        for field in fields { list = Self.append(field, to: list) }
        // No "Expect: 100-continue" round trip before a POST body.
        list = curl_slist_append(list, "Expect:")
        sb_easy_setopt_slist(pointer, CURLOPT_HTTPHEADER, list)
        // The old list is no transfer's now: this handle is between transfers.
        curl_slist_free_all(headerList)
        headerList = list
        headers = fields
    }

    /// `name: value` as the C string curl copies into its list, written as bytes into scratch
    /// space on the stack (string interpolation cost ~700 instructions a header, an array a
    /// heap allocation).
    private static func append(_ header: HTTPField, to list: UnsafeMutablePointer<curl_slist>?)
        -> UnsafeMutablePointer<curl_slist>?
    {
        let count = header.name.utf8.count + header.value.utf8.count + 3
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count) { line in
            line.withMemoryRebound(to: UInt8.self) { bytes in
                var at = bytes.initialize(from: header.name.utf8).1
                for byte in ": ".utf8 {
                    bytes[at] = byte
                    at += 1
                }
                at = UnsafeMutableBufferPointer(rebasing: bytes[at...]).initialize(from: header.value.utf8).1 + at
                bytes[at] = 0
            }
            return curl_slist_append(list, line.baseAddress)
        }
    }
}
