import Testing

@testable import Store

/// Stored `/v1/responses` answers: found only by their owner and only until they expire.
@Suite("Store: responses")
struct ResponseStoreTests {
    static func stored(_ id: String, owner: String?, expires: Int64 = 200) -> StoredResponse {
        StoredResponse(
            id: id, ownerKeyId: owner, createdAt: 100, expiresAt: expires, inputItems: #"[{"role":"user"}]"#,
            response: #"{"id":"\#(id)"}"#)
    }

    @Test func aResponseIsItsOwnersOnly() throws {
        try withTemporaryDatabase { path in
            let store = try SQLiteResponseStore(path: path)
            try store.save(Self.stored("resp_a", owner: "key_a"))
            try store.save(Self.stored("resp_anon", owner: nil))
            #expect(
                try store.load(id: "resp_a", ownerKeyId: "key_a", nowSeconds: 150)
                    == Self.stored("resp_a", owner: "key_a"))
            #expect(try store.load(id: "resp_a", ownerKeyId: "key_b", nowSeconds: 150) == nil)
            #expect(try store.load(id: "resp_a", ownerKeyId: nil, nowSeconds: 150) == nil)
            #expect(try store.load(id: "resp_anon", ownerKeyId: nil, nowSeconds: 150) != nil)
            #expect(try store.load(id: "resp_anon", ownerKeyId: "key_a", nowSeconds: 150) == nil)
            #expect(try store.delete(id: "resp_a", ownerKeyId: "key_b") == false)
            #expect(try store.delete(id: "resp_a", ownerKeyId: "key_a") == true)
            #expect(try store.load(id: "resp_a", ownerKeyId: "key_a", nowSeconds: 150) == nil)
        }
    }

    @Test func anExpiredResponseIsGoneAndPurged() throws {
        try withTemporaryDatabase { path in
            let store = try SQLiteResponseStore(path: path)
            try store.save(Self.stored("resp_old", owner: "k", expires: 120))
            try store.save(Self.stored("resp_new", owner: "k", expires: 300))
            #expect(try store.load(id: "resp_old", ownerKeyId: "k", nowSeconds: 119) != nil)
            #expect(try store.load(id: "resp_old", ownerKeyId: "k", nowSeconds: 120) == nil)
            #expect(try store.purgeExpired(nowSeconds: 200) == 1)
            #expect(try store.load(id: "resp_new", ownerKeyId: "k", nowSeconds: 200) != nil)
        }
    }
}
