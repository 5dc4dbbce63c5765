import Glibc
import HTTPServer
import HTTPTypes
import JSON
import Synchronization

/// What the emulator received, for `GET /_mock/requests`: the newest `capacity` requests
/// (also refused and failed ones), oldest first. Bounded: the benchmark sends hundreds of
/// thousands of requests. Thread-safe: every loop of the server records into one instance.
final class RequestLog: Sendable {
    struct Entry: Sendable {
        var seq: Int
        var time: Double
        var method: String
        var path: String
        var query: String?
        var headers: HTTPHeaders
        var body: [UInt8]
        var bodyBytes: Int
        var provider: String?
        var run: String?
        var scenario: String?
        var status: Int?
        var clientDisconnected = false
    }

    /// Bodies larger than this are recorded by size only.
    static let maxBodyBytes = 1 << 20

    private struct Ring {
        var slots: [Entry?]
        var next = 0  // slot of the next insertion
        var count = 0
        var nextSeq = 1

        init(capacity: Int) { slots = Array(repeating: nil, count: capacity) }

        func slot(of seq: Int) -> Int? {
            let oldest = nextSeq - count
            guard seq >= oldest, seq < nextSeq else { return nil }
            return (next - (nextSeq - seq) + slots.count) % slots.count
        }
    }

    private let ring: Mutex<Ring>

    init(capacity: Int = 2000) {
        ring = Mutex(Ring(capacity: max(1, capacity)))
    }

    /// Records a request; returns its sequence number for later updates.
    func record(_ request: HTTPRequest) -> Int {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        let seconds = Double(time.tv_sec) + Double(time.tv_nsec / 1_000_000) / 1000
        let keep = request.body.count <= Self.maxBodyBytes
        return ring.withLock { ring in
            let seq = ring.nextSeq
            ring.slots[ring.next] = Entry(
                seq: seq, time: seconds, method: request.method, path: request.path,
                query: request.query, headers: request.headers,
                body: keep ? request.body : [], bodyBytes: request.body.count)
            ring.next = (ring.next + 1) % ring.slots.count
            ring.count = min(ring.count + 1, ring.slots.count)
            ring.nextSeq += 1
            return seq
        }
    }

    /// Changes a recorded entry if it is still kept.
    func update(_ seq: Int, _ change: (inout Entry) -> Void) {
        ring.withLock { ring in
            guard let slot = ring.slot(of: seq), ring.slots[slot] != nil else { return }
            change(&ring.slots[slot]!)
        }
    }

    func clear() {
        ring.withLock { ring in
            for i in ring.slots.indices { ring.slots[i] = nil }
            ring.count = 0
        }
    }

    /// Entries oldest first, optionally of one run, at most the newest `limit`.
    func entries(run: String? = nil, limit: Int? = nil) -> [Entry] {
        var all: [Entry] = ring.withLock { ring in
            var out: [Entry] = []
            out.reserveCapacity(ring.count)
            for k in 0..<ring.count {
                let slot = (ring.next - ring.count + k + ring.slots.count) % ring.slots.count
                if let entry = ring.slots[slot], run == nil || entry.run == run { out.append(entry) }
            }
            return out
        }
        if let limit, limit >= 0, all.count > limit { all.removeFirst(all.count - limit) }
        return all
    }
}

extension RequestLog.Entry {
    /// The JSON shape of `GET /_mock/requests`.
    func json() -> JSONValue {
        var headerObject = JSONObject()
        for header in headers {
            if case .string(let earlier)? = headerObject[header.name] {
                headerObject[header.name] = .string(earlier + ", " + header.value)
            } else {
                headerObject[header.name] = .string(header.value)
            }
        }
        let bodyValue: JSONValue
        if bodyBytes == 0 {
            bodyValue = .null
        } else if body.isEmpty {
            bodyValue = .null  // too large to keep
        } else if let parsed = try? JSONValue.parse(body) {
            bodyValue = parsed
        } else {
            bodyValue = .string(String(decoding: body, as: UTF8.self))
        }
        var object = JSONObject()
        object["seq"] = .int(seq)
        object["time"] = .double(time)
        object["method"] = .string(method)
        object["path"] = .string(path)
        object["query"] = query.map { .string($0) } ?? .null
        object["headers"] = .object(headerObject)
        object["body"] = bodyValue
        object["body_bytes"] = .int(bodyBytes)
        object["provider"] = provider.map { .string($0) } ?? .null
        object["run"] = run.map { .string($0) } ?? .null
        object["scenario"] = scenario.map { .string($0) } ?? .null
        object["status"] = status.map { .int($0) } ?? .null
        object["client_disconnected"] = .bool(clientDisconnected)
        return .object(object)
    }
}
