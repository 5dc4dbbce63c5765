import CLinux
import Glibc

/// Skips the system call libcurl (7.88) makes after every read of a response body: a
/// `poll(fd, 1, 0)` asking whether the socket already holds more bytes, to read them in the
/// same call. On a stream whose chunks arrive one at a time the answer is almost always "no",
/// so it was one system call per relayed chunk that nginx does not make (issue 13).
///
/// While the loop hands curl a readable upstream socket (`reading`), that question about that
/// socket is answered "nothing yet" without asking the kernel. Nothing is lost: curl leaves
/// its read loop, and the loop's epoll is level-triggered, so bytes already there wake the
/// next round at once and are read then (after the previous chunk went to the client, as
/// before). Every other `poll` in the process, and this one outside those moments, goes to the
/// kernel unchanged. A socket leaves the set when curl lets go of it (back to the pool, or
/// closed), so curl's liveness check of a pooled connection always asks the kernel.
enum ReadinessShortcut {
    /// Descriptors beyond this are never shortcut (the table is untouched memory until used).
    static let capacity: Int32 = 1 << 20
    /// Per descriptor: 0 not being read, 1 being read, 2 being read and a check was answered.
    /// Each entry is touched only by the loop thread that owns the descriptor.
    nonisolated(unsafe) static let table: UnsafeMutablePointer<UInt8> = {
        calloc(Int(capacity), 1)!.assumingMemoryBound(to: UInt8.self)
    }()

    /// curl is about to read `fd` (readable per epoll).
    @inline(__always) static func beginReading(_ fd: Int32) {
        if fd >= 0, fd < capacity { table[Int(fd)] = 1 }
    }

    /// curl is done with this socket action; true when a readiness check was answered.
    @inline(__always) static func endReading(_ fd: Int32) -> Bool {
        guard fd >= 0, fd < capacity else { return false }
        defer { table[Int(fd)] = 0 }
        return table[Int(fd)] == 2
    }

    /// The answer for a `poll` call, or nil when the kernel must answer it.
    @inline(__always) static func answer(_ fds: UnsafeMutablePointer<pollfd>?, _ count: nfds_t, _ timeout: Int32)
        -> Int32?
    {
        guard count == 1, timeout == 0, let fds else { return nil }
        let fd = fds.pointee.fd, events = Int32(fds.pointee.events)
        guard fd >= 0, fd < capacity, table[Int(fd)] != 0, events & Int32(POLLIN) != 0,
            events & Int32(POLLOUT) == 0
        else { return nil }
        table[Int(fd)] = 2
        fds.pointee.revents = 0
        return 0
    }
}

/// The process's `poll`: libcurl's calls reach this one (an executable's definition comes
/// before libc's). See `ReadinessShortcut`; everything else goes to the kernel.
@_cdecl("poll")
public func readinessShortcutPoll(_ fds: UnsafeMutablePointer<pollfd>?, _ count: nfds_t, _ timeout: Int32) -> Int32 {
    if let answer = ReadinessShortcut.answer(fds, count, timeout) { return answer }
    return sb_kernel_poll(fds, UInt(count), timeout)
}
