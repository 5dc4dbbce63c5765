#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: which one, and errno.
public struct IOError: Error, Sendable, CustomStringConvertible {
    public let call: String
    public let errno: Int32
    package init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }
    public var description: String { "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))" }
}

/// What a non-blocking call did: completed with a value, or would have blocked.
public enum IOResult<T> {
    case done(T)
    case wouldBlock
}
