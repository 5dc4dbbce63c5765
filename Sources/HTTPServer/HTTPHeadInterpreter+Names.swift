extension HTTPHeadInterpreter {
    /// The header name as a string literal when its bytes are exactly one of the usual
    /// spellings (title case, as curl and most SDKs send them, or lowercase), else nil (the
    /// caller decodes it). A literal costs nothing where `String(decoding:)` costs ~180
    /// instructions: String decoding in the head fell ~1,000 instructions a request and the
    /// interpreter ~550 (five curl headers and the method; issue 13).
    /// Exact bytes only, so the name kept is the name sent.
    static func commonName(_ name: UnsafeBufferPointer<UInt8>) -> String? {
        switch name.count {
        case 4:
            if equals(name, "Host") { return "Host" }
            if equals(name, "host") { return "host" }
        case 6:
            if equals(name, "Accept") { return "Accept" }
            if equals(name, "accept") { return "accept" }
        case 9:
            if equals(name, "x-api-key") { return "x-api-key" }
        case 10:
            if equals(name, "User-Agent") { return "User-Agent" }
            if equals(name, "user-agent") { return "user-agent" }
            if equals(name, "Connection") { return "Connection" }
            if equals(name, "connection") { return "connection" }
        case 12:
            if equals(name, "Content-Type") { return "Content-Type" }
            if equals(name, "content-type") { return "content-type" }
        case 13:
            if equals(name, "Authorization") { return "Authorization" }
            if equals(name, "authorization") { return "authorization" }
        case 14:
            if equals(name, "Content-Length") { return "Content-Length" }
            if equals(name, "content-length") { return "content-length" }
        case 15:
            if equals(name, "Accept-Encoding") { return "Accept-Encoding" }
            if equals(name, "accept-encoding") { return "accept-encoding" }
        case 17:
            if equals(name, "anthropic-version") { return "anthropic-version" }
        default: break
        }
        return nil
    }

    /// The method as a literal when it is `POST` or `GET` (nearly every request), else nil.
    static func commonMethod(_ method: UnsafeBufferPointer<UInt8>) -> String? {
        if equals(method, "POST") { return "POST" }
        if equals(method, "GET") { return "GET" }
        return nil
    }
}
