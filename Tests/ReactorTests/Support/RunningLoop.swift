import Foundation

@testable import Reactor

/// A loop running on a thread of its own for one test; the test calls `stop()` when done.
final class RunningLoop {
    let loop: EventLoop

    init() throws {
        loop = try EventLoop()
        Thread { [loop] in loop.run() }.start()
    }

    func stop() { loop.stop() }

    /// Waits until `condition` holds, polling, at most `seconds`; its value at the end.
    static func wait(seconds: Double = 10, for condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition(), Date() < deadline { usleep(1_000) }
        return condition()
    }
}
