/// An HTTP request to a provider.
public struct UpstreamRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Seconds to establish the connection (TCP + TLS).
    public var connectTimeout: Double
    /// Seconds from the start until the first byte of the answer.
    public var firstByteTimeout: Double
    /// Seconds of silence allowed between body chunks (time spent paused does not count).
    public var idleTimeout: Double

    public init(
        method: String = "POST", url: String, headers: HTTPHeaders = [], body: [UInt8] = [],
        connectTimeout: Double = 10, firstByteTimeout: Double = 60, idleTimeout: Double = 120
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.firstByteTimeout = firstByteTimeout
        self.idleTimeout = idleTimeout
    }

    /// The first value of a header (case-insensitive).
    public func header(_ name: String) -> String? {
        headers[name]
    }
}
