import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real PostgreSQL server for the tests, in a temporary directory on a free port: `initdb`,
/// then `postgres`, both as an unprivileged user when the tests run as root (initdb refuses
/// root; CI runs as root), through `setpriv`, which execs (the server is our child itself).
/// Ready means a connection is accepted (`pg_isready`), polled with a deadline.
///
/// PostgreSQL missing is a failure, never a skip: `make setup-test` installs it.
public final class PostgresServer: @unchecked Sendable {
    public let port: Int
    public let directory: String
    private let binaries: String
    private var process: ChildProcess?
    /// The database the tests use (initdb makes it).
    public static let database = "postgres"
    public static let user = "switchboard"

    /// `postgres://switchboard@127.0.0.1:<port>/postgres`.
    public var url: String { "postgres://\(Self.user)@127.0.0.1:\(port)/\(Self.database)" }

    public init() throws {
        binaries = try Self.findBinaries()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-pg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = try Self.freePort()
        runAs = try Self.unprivilegedUser()
        if let runAs {
            guard chown(directory, runAs.uid, runAs.gid) == 0 else {
                throw PostgresServerError("chown \(directory): \(String(cString: strerror(errno)))")
            }
        }
        // A copy of a cluster made once per test run: initdb takes seconds, a copy milliseconds.
        let template = try Self.template.get()
        let copy = try Self.runToEnd(command("/bin/cp", ["-a", template, dataDirectory]), in: directory)
        guard copy.status == 0 else { throw PostgresServerError("copying the cluster failed: \(copy.output)") }
        try start()
    }

    /// The cluster every server starts from, made by `initdb` on first use.
    private static let template: Result<String, any Error> = Result {
        let binaries = try findBinaries()
        let runAs = try unprivilegedUser()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sb-pg-template-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        if let runAs { _ = chown(root.path, runAs.uid, runAs.gid) }
        let data = root.appendingPathComponent("data").path
        var arguments = [
            "\(binaries)/initdb", "-D", data, "-U", user, "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C",
        ]
        if let runAs { arguments = setpriv(runAs) + arguments }
        let result = try runToEnd((arguments[0], Array(arguments.dropFirst())), in: root.path)
        guard result.status == 0 else { throw PostgresServerError("initdb failed: \(result.output)") }
        templateRoot = root.path
        atexit {
            if let root = PostgresServer.templateRoot { try? FileManager.default.removeItem(atPath: root) }
        }
        return data
    }

    /// Where the template lives, removed when the test process exits (set once, under the
    /// static initializer's own lock).
    nonisolated(unsafe) private static var templateRoot: String?

    /// Root may not run PostgreSQL: the `postgres` user (made by the package), else `nobody`.
    private static func unprivilegedUser() throws -> (uid: uid_t, gid: gid_t)? {
        guard geteuid() == 0 else { return nil }
        guard let owner = getpwnam("postgres") ?? getpwnam("nobody") else {
            throw PostgresServerError("no unprivileged user (postgres or nobody) to run PostgreSQL as")
        }
        return (owner.pointee.pw_uid, owner.pointee.pw_gid)
    }

    private static func setpriv(_ user: (uid: uid_t, gid: gid_t)) -> [String] {
        ["/usr/bin/setpriv", "--reuid=\(user.uid)", "--regid=\(user.gid)", "--clear-groups"]
    }

    private var runAs: (uid: uid_t, gid: gid_t)?
    private var dataDirectory: String { directory + "/data" }
    private var logPath: String { directory + "/server.log" }

    /// Starts the server (again, after `stop`) and waits until it accepts connections.
    public func start(timeout: Double = 60) throws {
        let child = ChildProcess()
        let (executable, arguments) = command(
            "\(binaries)/postgres",
            [
                "-D", dataDirectory, "-p", String(port), "-k", directory, "-c", "listen_addresses=127.0.0.1",
                "-c", "fsync=off", "-c", "max_connections=200",
            ])
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = arguments
        FileManager.default.createFile(atPath: logPath, contents: nil)
        if let runAs { _ = chown(logPath, runAs.uid, runAs.gid) }
        child.standardOutputPath = logPath
        child.standardErrorPath = logPath
        try child.run()
        process = child
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard child.isRunning else { throw PostgresServerError("postgres exited: \(log())") }
            let probe = try runToEnd(
                "\(binaries)/pg_isready", ["-h", "127.0.0.1", "-p", String(port), "-U", Self.user, "-d", "postgres"])
            if probe.status == 0 { return }
            usleep(20_000)
        }
        throw PostgresServerError("postgres did not accept connections in \(timeout) s: \(log())")
    }

    /// Fast shutdown (SIGINT: connections are closed, the server exits) and waits for the exit.
    public func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }

    /// Runs SQL through `psql` and returns its unaligned output.
    public func psql(_ sql: String) throws -> String {
        let result = try runToEnd(
            "\(binaries)/psql",
            ["-h", "127.0.0.1", "-p", String(port), "-U", Self.user, "-d", Self.database, "-At", "-c", sql])
        guard result.status == 0 else { throw PostgresServerError("psql \(sql): \(result.output)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `setpriv` to the unprivileged user when root, else the command as it is.
    private func command(_ executable: String, _ arguments: [String]) -> (String, [String]) {
        guard let runAs else { return (executable, arguments) }
        let wrapper = Self.setpriv(runAs)
        return (wrapper[0], Array(wrapper.dropFirst()) + [executable] + arguments)
    }

    private func runToEnd(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try Self.runToEnd(command(executable, arguments), in: directory)
    }

    private static func runToEnd(
        _ command: (executable: String, arguments: [String]), in directory: String
    ) throws -> (status: Int32, output: String) {
        let child = ChildProcess()
        child.executableURL = URL(fileURLWithPath: command.executable)
        child.arguments = command.arguments
        child.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("sb-pg-\(UUID().uuidString).out")
            .path
        FileManager.default.createFile(atPath: output, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: output) }
        child.standardOutputPath = output
        child.standardErrorPath = output
        try child.run()
        child.waitUntilExit()
        return (child.terminationStatus, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }

    /// The newest installed server's bin directory.
    private static func findBinaries() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap { Int($0) }
        for version in versions.sorted(by: >)
        where FileManager.default.isExecutableFile(
            atPath: "\(root)/\(version)/bin/initdb")
        {
            return "\(root)/\(version)/bin"
        }
        throw PostgresServerError(
            "PostgreSQL is not installed (no \(root)/*/bin/initdb): run `make setup-test` (apt-get install postgresql)")
    }

    /// A port nothing listens on now (bound to 0, read back, released).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PostgresServerError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic -> Bool in
                bind(fd, generic, length) == 0 && getsockname(fd, generic, &length) == 0
            }
        }
        guard bound else { throw PostgresServerError("bind: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

public struct PostgresServerError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
