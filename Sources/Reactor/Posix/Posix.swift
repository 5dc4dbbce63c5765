import CLinux
import Glibc

/// The syscalls the event loops and the HTTP server make, each retried on EINTR, EAGAIN turned
/// into `.wouldBlock`, and any other failure thrown as `IOError` naming the call. `Posix/` is the
/// only place in Reactor and HTTPServer that touches file descriptors directly (`package`: for
/// the package's own modules, not a public API).
package enum Posix {
    @inline(__always)
    static func retrying<T: BinaryInteger>(_ name: String, _ body: () -> T) throws(IOError) -> IOResult<T> {
        while true {
            let result = body()
            if result >= 0 { return .done(result) }
            let err = errno
            if err == EINTR { continue }
            if err == EAGAIN || err == EWOULDBLOCK { return .wouldBlock }
            throw IOError(call: name, errno: err)
        }
    }

    package static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> IOResult<Int> {
        try retrying("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// `send` with MSG_NOSIGNAL: a closed peer is an EPIPE error, never a SIGPIPE.
    package static func send(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws(IOError) -> IOResult<Int> {
        try retrying("send") { Glibc.send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) }
    }

    package static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    package static func accept(_ fd: Int32) throws(IOError) -> IOResult<Int32> {
        try retrying("accept4") { sb_accept_nonblocking(fd) }
    }

    package static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
        var v = value
        _ = setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size))
    }

    /// A non-blocking listening TCP socket on host:port with SO_REUSEPORT, so several loops
    /// can each accept on their own socket for the same port.
    package static func listen(
        host: String, port: Int, backlog: Int32 = 4096,
        reusePort: Bool = true
    ) throws(IOError) -> (fd: Int32, port: Int) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let lookupHost = host == "localhost" ? "127.0.0.1" : host
        let rc = getaddrinfo(lookupHost, String(port), &hints, &list)
        guard rc == 0, let info = list else { throw IOError(call: "getaddrinfo(\(host))", errno: EINVAL) }
        defer { freeaddrinfo(list) }
        let fd = socket(
            info.pointee.ai_family,
            Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw IOError(call: "socket", errno: errno) }
        setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        if reusePort { setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1) }
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let err = errno
            Glibc.close(fd)
            throw IOError(call: "bind(\(host):\(port))", errno: err)
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let err = errno
            Glibc.close(fd)
            throw IOError(call: "listen", errno: err)
        }
        return (fd, boundPort(fd))
    }

    /// True when something already listens on host:port. SO_REUSEPORT would otherwise let a
    /// second daemon bind the same port silently and split the traffic with the first.
    package static func portIsTaken(host: String, port: Int) -> Bool {
        guard port != 0 else { return false }
        do {
            let probe = try listen(host: host, port: port, backlog: 1, reusePort: false)
            Glibc.close(probe.fd)
            return false
        } catch {
            return error.errno == EADDRINUSE
        }
    }

    package static func boundPort(_ fd: Int32) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let family = storage.ss_family
        return withUnsafePointer(to: &storage) { pointer -> Int in
            if family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    Int(UInt16(bigEndian: $0.pointee.sin6_port))
                }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                Int(UInt16(bigEndian: $0.pointee.sin_port))
            }
        }
    }

    package static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    package static func ignoreSIGPIPE() {
        signal(SIGPIPE, SIG_IGN)
    }
}
