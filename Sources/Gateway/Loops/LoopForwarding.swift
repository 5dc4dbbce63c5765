import ChatModel
import HTTPServer
import HTTPTypes
import Upstream

/// Loops across daemons (several behind one balancer): a loop lives on the daemon that created
/// it and its id names that daemon, so tool results, `GET` and `DELETE` that reach another
/// daemon are passed to the owner, found through the address it advertises in Redis.
enum LoopForwarding {
    /// Marks a request already passed on once: a daemon never forwards it again.
    static let header = "x-switchboard-forwarded"

    /// `loop_` + the owner's 12-hex node id + 12 random hex digits (with shared limits).
    static func newId(node: String) -> String {
        "loop_" + node + RequestID.make().dropFirst(4).prefix(12)
    }

    /// The node id an id names, when it has the shared form.
    static func node(of id: String) -> String? {
        guard id.hasPrefix("loop_"), id.utf8.count == 29 else { return nil }
        return String(id.dropFirst(5).prefix(12))
    }

    /// Passes `request` to the daemon owning loop `id` and answers with its response; false
    /// when the loop would be this daemon's (or cannot be another's), so the caller serves it.
    static func forwardIfElsewhere(
        _ request: HTTPRequest, id: String, state: GatewayState, _ writer: ResponseWriter
    ) -> Bool {
        guard let shared = state.sharedLimits, request.headers[header] == nil, let node = node(of: id),
            node != shared.nodeId
        else { return false }
        let client = SharedLimitsClient.forLoop(writer.loop, shared: shared)
        client.lookupNode(node) { address in
            guard let address else {
                writer.respondError(
                    .notFound("no loop \(id) (its daemon is gone, it never existed, or its transcript expired)"))
                return
            }
            var headers = HTTPHeaders()
            for name in ["authorization", "x-api-key", "content-type"] {
                if let value = request.headers[name] { headers.add(name, value) }
            }
            headers.add(header, shared.nodeId)
            let upstream = UpstreamRequest(
                method: request.method, url: address + request.target, headers: headers, body: request.body,
                connectTimeout: 5, firstByteTimeout: 30, idleTimeout: 30)
            _ = UpstreamClient.forLoop(writer.loop).start(upstream, delegate: Relay(writer, owner: address))
        }
        return true
    }

    /// Collects the owner's (small, JSON) answer and sends it on as is.
    private final class Relay: UpstreamDelegate {
        let writer: ResponseWriter
        let owner: String
        var status = 502
        var headers = HTTPHeaders()
        var body: [UInt8] = []

        init(_ writer: ResponseWriter, owner: String) {
            self.writer = writer
            self.owner = owner
        }

        func upstreamDidReceiveHead(status: Int, headers: HTTPHeaders) {
            self.status = status
            for name in ["content-type", "retry-after"] {
                if let value = headers[name] { self.headers.add(name, value) }
            }
        }

        func upstreamDidReceive(_ bytes: UnsafeRawBufferPointer) -> UpstreamFlow {
            body.append(contentsOf: bytes)
            return .proceed
        }

        func upstreamDidComplete(_ error: TransportError?) {
            if let error {
                writer.respondError(
                    GatewayError(
                        status: 502, type: .upstreamError,
                        message: "the daemon that owns this loop (\(owner)) did not answer: \(error)"))
            } else {
                writer.respond(status: status, headers: headers, body: body)
            }
        }
    }
}
