import CTestSpawn
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process for the tests, in place of Foundation's `Process`, whose `run()` can crash
/// the whole test runner on Linux (an over-read of /proc/self/fd entries,
/// swiftlang/swift-corelibs-foundation#5472) — seen here as a SIGSEGV in the middle of the
/// suite. Spawned like a shell would: only stdin/stdout/stderr inherited, no signal blocked.
/// Output goes to files (tests read them), input optionally from a pipe.
public final class ChildProcess: @unchecked Sendable {
    public var executableURL: URL?
    public var arguments: [String]?
    /// The whole environment; nil inherits the test runner's.
    public var environment: [String: String]?
    public var currentDirectoryURL: URL?
    /// Files that receive the child's output; nil means /dev/null.
    public var standardOutputPath: String?
    public var standardErrorPath: String?
    /// When true, `writeToStandardInput` / `closeStandardInput` feed the child's stdin.
    public var pipesStandardInput = false

    public private(set) var processIdentifier: Int32 = 0
    private var inputWriter: Int32 = -1
    private var exitStatus: Int32?
    private let lock = NSLock()

    public init() {}

    public func run() throws {
        guard let executable = executableURL?.path else { throw SpawnError(code: EINVAL, what: "no executable") }
        let argv = [executable] + (arguments ?? [])
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var inputReader: Int32 = -1
        if pipesStandardInput {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw SpawnError(code: errno, what: "pipe") }
            // Neither end may leak into other children (the child gets the read end as fd 0).
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            (inputReader, inputWriter) = (fds[0], fds[1])
        }
        defer { if inputReader >= 0 { close(inputReader) } }
        var pid: pid_t = 0
        let rc = withCStrings(argv) { cArgv in
            withCStrings(env) { cEnv in
                sb_test_spawn(
                    &pid, executable, cArgv, cEnv, currentDirectoryURL?.path, inputReader,
                    standardOutputPath, standardErrorPath)
            }
        }
        guard rc == 0 else { throw SpawnError(code: rc, what: executable) }
        processIdentifier = pid
    }

    public func writeToStandardInput(_ data: Data) {
        guard inputWriter >= 0 else { return }
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(inputWriter, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
    }

    public func closeStandardInput() {
        if inputWriter >= 0 { close(inputWriter) }
        inputWriter = -1
    }

    /// Reaps the child without blocking; true while it runs.
    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        guard exitStatus == nil, processIdentifier > 0 else { return false }
        var status: Int32 = 0
        let reaped = waitpid(processIdentifier, &status, WNOHANG)
        if reaped == processIdentifier { exitStatus = Self.decode(status); return false }
        return reaped == 0
    }

    /// The exit code, or the number of the signal that ended it (as Foundation reports it).
    public var terminationStatus: Int32 {
        _ = isRunning
        lock.lock()
        defer { lock.unlock() }
        return exitStatus ?? 0
    }

    public func waitUntilExit() {
        while isRunning { usleep(5_000) }
    }

    public func terminate() {
        if processIdentifier > 0, isRunning { kill(processIdentifier, SIGTERM) }
    }

    deinit { closeStandardInput() }

    private static func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : signal
    }
}

public struct SpawnError: Error, CustomStringConvertible {
    public let code: Int32
    public let what: String
    public var description: String { "spawn \(what): \(String(cString: strerror(code)))" }
}

private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
