import CCurl
import Glibc
import HTTPTypes
import Synchronization

/// A request's header fields as the list curl reads (`CURLOPT_HTTPHEADER`), with the
/// `Expect:` that spares a POST curl's 100-continue round trip, freed when the last transfer
/// sending it ends.
///
/// Requests to one provider carry the same fields every time (its key, the content type):
/// building the list cost every transfer two allocations a field in curl and as many frees at
/// its end (~2,900 instructions a request, issue 13). So the last few lists are kept, and a
/// transfer whose fields are byte for byte those of a kept list sends that one. curl only
/// reads a list it is given, so transfers on several loops share one.
final class CurlHeaderList: @unchecked Sendable {
    /// The fields the list was made of.
    let fields: HTTPHeaders
    let list: UnsafeMutablePointer<curl_slist>?

    init(_ fields: HTTPHeaders) {
        self.fields = fields
        var list: UnsafeMutablePointer<curl_slist>?
        for i in fields.indices { list = Self.append(fields[i], to: list) }
        // No "Expect: 100-continue" round trip before a POST body.
        self.list = curl_slist_append(list, "Expect:")
    }

    deinit { curl_slist_free_all(list) }

    /// How many lists are kept: a gateway sends a handful of header sets (a key per provider);
    /// past it, the oldest kept list gives way. A list with a per-request field (a trace's
    /// `traceparent`) is made for its transfer alone and not kept, so it evicts none.
    static let capacity = 8

    private struct Kept: Sendable {
        var lists: [CurlHeaderList] = []
        var next = 0
    }

    private static let kept = Mutex(Kept())

    /// The kept list of exactly these fields, or a new one (kept unless a field is the
    /// request's own).
    static func shared(for fields: HTTPHeaders) -> CurlHeaderList {
        if fields.contains("traceparent") { return CurlHeaderList(fields) }
        return kept.withLock { kept in
            for i in kept.lists.indices where sameBytes(kept.lists[i].fields, fields) { return kept.lists[i] }
            let made = CurlHeaderList(fields)
            if kept.lists.count < capacity {
                kept.lists.append(made)
            } else {
                kept.lists[kept.next] = made
                kept.next = (kept.next + 1) % capacity
            }
            return made
        }
    }

    /// Lists kept (for tests).
    static var keptCount: Int { kept.withLock { $0.lists.count } }

    /// The list's lines as curl sends them, as bytes (for tests).
    var lines: [[UInt8]] {
        var lines: [[UInt8]] = []
        var node = list
        while let item = node {
            if let data = item.pointee.data {
                lines.append(Array(UnsafeRawBufferPointer(start: data, count: strlen(data))))
            }
            node = item.pointee.next
        }
        return lines
    }

    /// Equal byte for byte, names' case included (String's `==` compares canonical
    /// equivalence, which two different byte sequences can share: the wire must not change).
    static func sameBytes(_ a: HTTPHeaders, _ b: HTTPHeaders) -> Bool {
        guard a.count == b.count else { return false }
        for i in a.indices {
            guard sameBytes(a[i].name, b[i].name), sameBytes(a[i].value, b[i].value) else { return false }
        }
        return true
    }

    private static func sameBytes(_ a: String, _ b: String) -> Bool {
        // The same representation (one storage, or one small string's inline bytes) is the same
        // bytes: the adapters' literal names and values, every time, without a look at them.
        if unsafeBitCast(a, to: (UInt64, UInt64).self) == unsafeBitCast(b, to: (UInt64, UInt64).self) { return true }
        let x = a.utf8, y = b.utf8
        guard x.count == y.count else { return false }
        if let equal = x.withContiguousStorageIfAvailable({ p in
            y.withContiguousStorageIfAvailable { q in
                p.count == 0 || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0
            }
        }), let equal {
            return equal
        }
        return x.elementsEqual(y)
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
