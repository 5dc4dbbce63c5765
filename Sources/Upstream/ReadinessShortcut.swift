import CLinux
import Glibc

/// Skips the zero-timeout `poll(fd, 1, 0)` libcurl (7.88) makes to ask whether an upstream
/// socket is readable, where our level-triggered epoll already watches that socket for reading.
/// Three places ask it, each once per request or chunk, and the answer is nearly always "no":
/// - after every read of a response body ("more bytes already?"): on a stream whose chunks come
///   one at a time, one system call per relayed chunk that nginx does not make;
/// - right after sending a request, before the answer can have come;
/// - before reusing a pooled connection (its liveness check: a readable idle socket is dead).
///
/// A socket is `watched` while it sits in the loop's epoll for reading and, if idle in curl's
/// pool, has not been reported readable since (one that is leaves the epoll and the set:
/// `UpstreamClient.socketReady`). For those the answer is "nothing yet" without asking the
/// kernel. Nothing is lost: curl leaves its read loop, and bytes already there wake the next
/// epoll round at once (after the previous chunk went to the client, as before). A pooled
/// connection the server closed after the loop's last `epoll_wait` passes the liveness check;
/// curl then finds it dead when it sends or reads and retries the request on a fresh connection
/// before any byte came (as it does when the close comes right after the kernel's answer).
/// Every other `poll` in the process goes to the kernel unchanged.
enum ReadinessShortcut {
    /// Descriptors beyond this are never shortcut (the table is untouched memory until used).
    static let capacity: Int32 = 1 << 20
    /// Per descriptor, bits: `reading`, `answered` (a check was answered since the owner last
    /// looked), `watched`. Each entry is touched only by the loop thread that owns the descriptor.
    nonisolated(unsafe) static let table: UnsafeMutablePointer<UInt8> = {
        calloc(Int(capacity), 1)!.assumingMemoryBound(to: UInt8.self)
    }()
    private static let reading: UInt8 = 1, answered: UInt8 = 2, watched: UInt8 = 4

    /// curl is about to read `fd` (readable per epoll).
    @inline(__always) static func beginReading(_ fd: Int32) {
        if fd >= 0, fd < capacity { table[Int(fd)] |= reading }
    }

    /// curl is done with this socket action; true when a readiness check was answered.
    @inline(__always) static func endReading(_ fd: Int32) -> Bool {
        guard fd >= 0, fd < capacity else { return false }
        let state = table[Int(fd)]
        table[Int(fd)] = state & watched
        return state & answered != 0
    }

    /// Whether `fd` is in the loop's level-triggered epoll for reading (and, when pooled, quiet).
    @inline(__always) static func setWatched(_ fd: Int32, _ isWatched: Bool) {
        guard fd >= 0, fd < capacity else { return }
        if isWatched { table[Int(fd)] |= watched } else { table[Int(fd)] &= ~watched }
    }

    /// Whether a check of `fd` was answered since the last look (for counting); clears it.
    @inline(__always) static func takeAnswered(_ fd: Int32) -> Bool {
        guard fd >= 0, fd < capacity else { return false }
        defer { table[Int(fd)] &= ~answered }
        return table[Int(fd)] & answered != 0
    }

    /// curl closed `fd`: a later descriptor with its number starts clean.
    @inline(__always) static func forget(_ fd: Int32) {
        if fd >= 0, fd < capacity { table[Int(fd)] = 0 }
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
        table[Int(fd)] |= answered
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
