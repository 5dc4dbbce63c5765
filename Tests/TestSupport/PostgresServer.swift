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
    /// The database the tests use, created at start.
    public static let database = "switchboard"
    public static let user = "switchboard"

    /// `postgres://switchboard@127.0.0.1:<port>/switchboard`.
    public var url: String { "postgres://\(Self.user)@127.0.0.1:\(port)/\(Self.database)" }

    public init() throws {
        binaries = try Self.findBinaries()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-pg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = try Self.freePort()
        if geteuid() == 0 {
            guard let owner = getpwnam("postgres") ?? getpwnam("nobody") else {
                throw PostgresServerError("no unprivileged user (postgres or nobody) to run PostgreSQL as")
            }
            guard chown(directory, owner.pointee.pw_uid, owner.pointee.pw_gid) == 0 else {
                throw PostgresServerError("chown \(directory): \(String(cString: strerror(errno)))")
            }
            runAs = (owner.pointee.pw_uid, owner.pointee.pw_gid)
        }
        let initdb = try runToEnd(
            "\(binaries)/initdb",
            ["-D", dataDirectory, "-U", Self.user, "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"])
        guard initdb.status == 0 else { throw PostgresServerError("initdb failed: \(initdb.output)") }
        try start()
        let created = try runToEnd(
            "\(binaries)/createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", Self.user, Self.database])
        guard created.status == 0 else { throw PostgresServerError("createdb failed: \(created.output)") }
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
        return (
            "/usr/bin/setpriv",
            ["--reuid=\(runAs.uid)", "--regid=\(runAs.gid)", "--clear-groups", executable] + arguments
        )
    }

    private func runToEnd(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let (path, args) = command(executable, arguments)
        let child = ChildProcess()
        child.executableURL = URL(fileURLWithPath: path)
        child.arguments = args
        child.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = directory + "/cmd-\(UUID().uuidString).out"
        FileManager.default.createFile(atPath: output, contents: nil)
        if let runAs { _ = chown(output, runAs.uid, runAs.gid) }
        child.standardOutputPath = output
        child.standardErrorPath = output
        try child.run()
        child.waitUntilExit()
        defer { try? FileManager.default.removeItem(atPath: output) }
        return (child.terminationStatus, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }

    /// The newest installed server's bin directory.
    private static func findBinaries() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap { Int($0) }
        for version in versions.sorted(by: >) where FileManager.default.isExecutableFile(
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
