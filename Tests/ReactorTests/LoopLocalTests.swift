import Testing

@testable import Reactor

@Suite("Objects kept per loop")
struct LoopLocalTests {
    final class Key {}
    final class Client {
        let made: Int
        init(_ made: Int) { self.made = made }
    }

    /// Made once per key and loop, then found again; another key or loop gets its own.
    @Test func oneObjectPerKeyAndLoop() throws {
        let (first, second) = (try EventLoop(), try EventLoop())
        let (a, b) = (Key(), Key())
        var made = 0
        func client(_ loop: EventLoop, _ key: Key) -> Client {
            loop.local(key) {
                made += 1
                return Client(made)
            }
        }
        let original = client(first, a)
        #expect(client(first, a) === original)
        #expect(client(first, b) !== original)
        #expect(client(second, a) !== original)
        #expect(client(first, a).made == 1)
        #expect(made == 3)
    }
}
