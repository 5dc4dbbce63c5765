import Foundation
import Synchronization
import Testing
import TestSupport

/// Several daemons sharing one real PostgreSQL (started by the test as an unprivileged user),
/// the emulator as the provider. PostgreSQL missing fails these tests: `make setup-test`
/// installs it.
@Suite("Scale out: daemons sharing PostgreSQL")
struct ScaleOutEndToEndTests {
    static let admin = "admin-secret-for-scale-out"

    static func daemon(_ server: PostgresServer, _ mock: SwitchboardProcess) throws -> SwitchboardProcess {
        try SwitchboardProcess(
            ["serve", "--listen", "127.0.0.1:0"],
            environment: [
                "OPENAI_API_KEY": "test-key-openai", "OPENAI_BASE_URL": mock.baseURL,
                "SWITCHBOARD_ADMIN_KEY": admin, "SWITCHBOARD_DATABASE": server.url,
            ])
    }

    /// Starts `count` daemons at the same moment (their migrations race).
    static func daemons(_ count: Int, _ server: PostgresServer, _ mock: SwitchboardProcess) throws
        -> [SwitchboardProcess]
    {
        let started = Mutex<[Int: Result<SwitchboardProcess, any Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let result = Result { try daemon(server, mock) }
            started.withLock { $0[i] = result }
        }
        return try started.withLock { all in try (0..<count).map { try all[$0]!.get() } }
    }

    static func createKey(_ daemon: SwitchboardProcess) throws -> (id: String, secret: String) {
        let created = try curl(
            daemon.baseURL + "/admin/keys", headers: ["Authorization": "Bearer \(admin)"], body: #"{"name":"shared"}"#)
        let object = try #require(jsonObject(created.body), "\(created.status) \(created.body)")
        return (try #require(object["id"] as? String), try #require(object["key"] as? String))
    }

    /// Requests counted in `/v1/usage` as seen by `daemon` for the key.
    static func requests(_ daemon: SwitchboardProcess, _ secret: String) throws -> Int? {
        let usage = try curl(daemon.baseURL + "/v1/usage", headers: ["Authorization": "Bearer \(secret)"])
        let rows = jsonObject(usage.body)?["data"] as? [[String: Any]]
        return rows.map { $0.first?["requests"] as? Int ?? 0 }
    }

    static func readiness(_ daemon: SwitchboardProcess) throws -> [String: Any] {
        jsonObject(try curl(daemon.baseURL + "/readyz").body) ?? [:]
    }

    /// Polls `condition` until it holds or `seconds` pass (a deadline, not a sleep).
    static func eventually(within seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(10_000)
        }
        return try condition()
    }

    @Test func twoDaemonsShareKeysUsageAndRevocation() throws {
        let server = try PostgresServer()
        let mock = try Launch.mock()
        let pair = try Self.daemons(2, server, mock)
        let (a, b) = (pair[0], pair[1])
        // Both migrated the same database at once: every step ran exactly once, none skipped.
        let steps = "SELECT count(*) = count(DISTINCT version) AND max(version) = count(*) FROM switchboard_schema"
        #expect(try server.psql(steps) == "t")
        #expect(try Int(server.psql("SELECT count(*) FROM switchboard_schema")) ?? 0 >= 4)

        // A key made on A works on B (B heard of it), and auth is on for both.
        let key = try Self.createKey(a)
        let auth = ["Authorization": "Bearer \(key.secret)"]
        #expect(try Self.eventually(within: 1) { try curl(b.baseURL + "/v1/usage", headers: auth).status == 200 })
        #expect(try ChatEndToEndTests.chat(b, model: "openai/text").status == 401)

        for (daemon, count) in [(a, 2), (b, 3)] {
            for _ in 0..<count {
                let chat = try ChatEndToEndTests.chat(daemon, model: "openai/text+input=11+chunks=4", headers: auth)
                #expect(chat.status == 200)
            }
        }
        // Usage written through either daemon is reported by both.
        #expect(try Self.eventually(within: 10) { try Self.requests(a, key.secret) == 5 })
        #expect(try Self.requests(b, key.secret) == 5)

        // Revoked on A: refused by B within a second.
        let revoked = try curl(
            a.baseURL + "/admin/keys/\(key.id)", method: "DELETE", headers: ["Authorization": "Bearer \(Self.admin)"])
        #expect(revoked.status == 200 || revoked.status == 204, "\(revoked.body)")
        #expect(try Self.eventually(within: 1) { try curl(b.baseURL + "/v1/usage", headers: auth).status == 401 })
        #expect(try ChatEndToEndTests.chat(b, model: "openai/text", headers: auth).status == 401)
    }

    @Test func aPostgresRestartMidRunLosesNoUsageRow() throws {
        let server = try PostgresServer()
        let mock = try Launch.mock()
        let daemon = try Self.daemon(server, mock)
        let key = try Self.createKey(daemon)
        let auth = ["Authorization": "Bearer \(key.secret)"]
        for _ in 0..<3 {
            #expect(try ChatEndToEndTests.chat(daemon, model: "openai/text", headers: auth).status == 200)
        }
        #expect(try Self.eventually(within: 10) { try Self.requests(daemon, key.secret) == 3 })

        server.stop()
        // Requests keep flowing with the cached key; their rows wait in the spool.
        for _ in 0..<7 {
            #expect(try ChatEndToEndTests.chat(daemon, model: "openai/text", headers: auth).status == 200)
        }
        #expect(
            try Self.eventually(within: 10) {
                let ready = try Self.readiness(daemon)
                let store = ready["store"] as? [String: Any]
                return store?["spooled_usage_rows"] as? Int == 7 && (ready["degraded"] as? [Any])?.isEmpty == false
            })
        #expect(try curl(daemon.baseURL + "/readyz").status == 200)

        try server.start()
        #expect(
            try Self.eventually(within: 10) {
                (try Self.readiness(daemon)["degraded"] as? [Any])?.isEmpty == true
            })
        #expect(try Self.eventually(within: 10) { try Self.requests(daemon, key.secret) == 10 })
        #expect(
            try server.psql("SELECT count(*), count(DISTINCT row_uid), count(DISTINCT request_id) FROM usage")
                == "10|10|10")
    }

    @Test func configCheckShowsTheStoreWithoutItsPassword() throws {
        let result = try run(
            Repo.binary, ["config", "check"],
            environment: [
                "PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(),
                "SWITCHBOARD_DATABASE": "postgresql://app:s3cret-pw@db.internal:5433/switchboard",
            ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("postgres db.internal:5433, database switchboard, user app"))
        #expect(!result.stdout.contains("s3cret-pw") && !result.stderr.contains("s3cret-pw"))
    }
}
