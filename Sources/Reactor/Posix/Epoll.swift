import CLinux
import Glibc

/// Readiness a handler is interested in, or was told about.
public struct IOEvents: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let readable = IOEvents(rawValue: 1 << 0)
    public static let writable = IOEvents(rawValue: 1 << 1)
    /// The peer closed (its side or entirely).
    public static let hangup = IOEvents(rawValue: 1 << 2)
    public static let error = IOEvents(rawValue: 1 << 3)
}

/// epoll and eventfd, level-triggered: a handler that leaves data unread is called again,
/// so no readiness is ever lost.
enum Epoll {
    static func create() throws(IOError) -> Int32 {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw IOError(call: "epoll_create1", errno: errno) }
        return fd
    }

    static func mask(_ events: IOEvents) -> UInt32 {
        var m: UInt32 = EPOLLRDHUP.rawValue
        if events.contains(.readable) { m |= EPOLLIN.rawValue }
        if events.contains(.writable) { m |= EPOLLOUT.rawValue }
        return m
    }

    static func events(_ mask: UInt32) -> IOEvents {
        var e: IOEvents = []
        if mask & EPOLLIN.rawValue != 0 { e.insert(.readable) }
        if mask & EPOLLOUT.rawValue != 0 { e.insert(.writable) }
        if mask & (EPOLLRDHUP.rawValue | EPOLLHUP.rawValue) != 0 { e.insert(.hangup) }
        if mask & EPOLLERR.rawValue != 0 { e.insert(.error) }
        return e
    }

    static func control(_ epfd: Int32, _ op: Int32, _ fd: Int32, _ events: IOEvents, token: UInt64) throws(IOError) {
        var event = epoll_event()
        event.events = mask(events)
        event.data.u64 = token
        guard epoll_ctl(epfd, op, fd, &event) == 0 else {
            throw IOError(call: op == EPOLL_CTL_ADD ? "epoll_ctl(ADD)" : "epoll_ctl(MOD)", errno: errno)
        }
    }

    static func remove(_ epfd: Int32, _ fd: Int32) {
        _ = epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nil)
    }

    /// Waits up to `timeoutMillis` (-1: forever); returns the number of ready events.
    static func wait(
        _ epfd: Int32, _ buffer: UnsafeMutablePointer<epoll_event>, _ capacity: Int32, _ timeoutMillis: Int32
    ) -> Int {
        while true {
            let n = epoll_wait(epfd, buffer, capacity, timeoutMillis)
            if n >= 0 { return Int(n) }
            if errno == EINTR { return 0 }
            return 0
        }
    }

    static func makeEventFD() throws(IOError) -> Int32 {
        let fd = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard fd >= 0 else { throw IOError(call: "eventfd", errno: errno) }
        return fd
    }

    static func signal(_ eventFD: Int32) {
        var one: UInt64 = 1
        _ = Glibc.write(eventFD, &one, 8)
    }

    static func drain(_ eventFD: Int32) {
        var value: UInt64 = 0
        _ = Glibc.read(eventFD, &value, 8)
    }
}
