import Redis
import Testing

@Suite("Redis URLs")
struct RedisEndpointTests {
    @Test func fullURL() throws {
        let e = try RedisEndpoint.parse("redis://:s3cret@cache.internal:6380/2").get()
        #expect(e == RedisEndpoint(host: "cache.internal", port: 6380, database: 2, password: "s3cret"))
        #expect("\(e)" == "redis://:***@cache.internal:6380/2")
    }

    @Test func defaults() throws {
        #expect(try RedisEndpoint.parse("redis://127.0.0.1").get() == RedisEndpoint(host: "127.0.0.1"))
        #expect(try RedisEndpoint.parse("redis://[::1]:7000/").get() == RedisEndpoint(host: "::1", port: 7000))
        #expect(try RedisEndpoint.parse("redis://user:pw@h").get().password == "pw")
    }

    @Test func aUnixSocketIsAPathWithAnOptionalDatabaseAndPassword() throws {
        #expect(
            try RedisEndpoint.parse("unix:///run/redis/redis.sock").get()
                == RedisEndpoint(socketPath: "/run/redis/redis.sock"))
        let e = try RedisEndpoint.parse("unix://:s3cret@/run/redis.sock?db=3").get()
        #expect(e == RedisEndpoint(socketPath: "/run/redis.sock", database: 3, password: "s3cret"))
        #expect("\(e)" == "unix://:***@/run/redis.sock?db=3")
        #expect(try RedisEndpoint.parse("unix://user:pw@/s?db=0").get().password == "pw")
    }

    @Test(arguments: [
        "http://h:6379", "redis://", "redis://h:0", "redis://h:65536", "redis://h:x", "redis://h/-1",
        "redis://h/99999999999999999999999", "unix://", "unix:///", "unix://relative/redis.sock",
        "unix:///s?db=-1", "unix:///s?db=x", "unix:///s?password=p", "unix:///" + String(repeating: "a", count: 107),
    ])
    func refused(_ url: String) {
        guard case .failure = RedisEndpoint.parse(url) else {
            Issue.record("\(url) was accepted")
            return
        }
    }
}
