import HTTPTypes
import Providers
import Reactor
import Upstream

/// One context-cache create call (Gemini's `cachedContents`) on the request's loop: collects
/// the answer and reports the entry's name and expiry, or nil when the provider refused (the
/// request then goes uncached). Loop-confined.
final class ContextCacheCreation: UpstreamDelegate, @unchecked Sendable {
    private var status = 0
    private var body: [UInt8] = []
    private let caching: any ContextCaching
    private let onDone: ((name: String, expiresMillis: Int64)?) -> Void
    private(set) var transfer: UpstreamTransfer?

    /// `caching` reads the provider's answer.
    init(caching: any ContextCaching, onDone: @escaping ((name: String, expiresMillis: Int64)?) -> Void) {
        self.caching = caching
        self.onDone = onDone
    }

    func start(_ request: UpstreamRequest, on loop: EventLoop) {
        transfer = UpstreamClient.forLoop(loop).start(request, delegate: self)
    }

    func cancel() {
        transfer?.cancel()
        transfer = nil
    }

    func upstreamDidReceiveHead(status: Int, headers: HTTPHeaders) { self.status = status }

    func upstreamDidReceive(_ bytes: UnsafeRawBufferPointer) -> UpstreamFlow {
        if body.count < 1 << 20 { body.append(contentsOf: bytes) }
        return .proceed
    }

    func upstreamDidComplete(_ error: TransportError?) {
        transfer = nil
        onDone(error == nil && status == 200 ? caching.createdContextCache(body) : nil)
    }
}
