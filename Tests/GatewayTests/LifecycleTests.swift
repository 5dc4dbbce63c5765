import Foundation
import Glibc
import Testing
import TestSupport
@testable import Gateway

@Suite("systemd integration")
struct LifecycleTests {
    /// A datagram socket bound where systemd's would be; returns what it receives.
    final class FakeSystemd {
        let fd: Int32
        let path: String
        init() {
            path =
                FileManager.default.temporaryDirectory.appendingPathComponent(
                    "sb-notify-\(UUID().uuidString.prefix(8))"
                ).path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            var tv = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
        func receive() -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &buffer, buffer.count, 0)
            return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
        }
        deinit { close(fd); unlink(path) }
    }

    @Test func notifiesReadyReloadingStopping() {
        let systemd = FakeSystemd()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": systemd.path])
        notifier.notifyReady(status: "listening")
        #expect(systemd.receive() == "READY=1\nSTATUS=listening")
        notifier.notifyReloading()
        #expect(systemd.receive()?.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") == true)
        notifier.notifyStopping()
        #expect(systemd.receive() == "STOPPING=1")
    }

    @Test func watchdogPingsAtHalfTheInterval() {
        let systemd = FakeSystemd()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": systemd.path, "WATCHDOG_USEC": "200000"])
        #expect(systemd.receive() == "WATCHDOG=1")
        #expect(systemd.receive() == "WATCHDOG=1")
        withExtendedLifetime(notifier) {}
    }

    @Test func silentWithoutNotifySocket() {
        #expect(!SystemdNotifier(environment: [:]).send("READY=1"))
    }

    // SignalWatcher is exercised by the real binary (LifecycleEndToEndTests: SIGHUP reload,
    // SIGTERM drain): inside the multi-threaded test runner a process signal may land on a
    // thread that ignores it, so an in-process test could not be made reliable.

    @Test func unitFileVerifies() throws {
        let tool = "/usr/bin/systemd-analyze"
        guard FileManager.default.isExecutableFile(atPath: tool) else { return }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let unit = try String(contentsOf: root.appendingPathComponent("deploy/switchboard.service"), encoding: .utf8)
        for required in [
            "Type=notify", "DynamicUser=yes", "StateDirectory=", "ConfigurationDirectory=", "NoNewPrivileges=yes",
            "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "RestrictAddressFamilies=",
            "MemoryDenyWriteExecute=yes", "LimitNOFILE=65536", "ExecReload=",
        ] {
            #expect(unit.contains(required), "unit lacks \(required)")
        }
        // Verify a copy whose ExecStart points at a binary that exists here.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sb-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let copy = dir.appendingPathComponent("switchboard.service")
        try unit.replacingOccurrences(of: "/usr/local/bin/switchboard", with: "/bin/true").write(
            to: copy, atomically: true, encoding: .utf8)
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["verify", copy.path]
        let outputPath = dir.appendingPathComponent("verify.out").path
        process.standardOutputPath = outputPath
        process.standardErrorPath = outputPath
        try process.run()
        process.waitUntilExit()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let relevant = text.split(separator: "\n").filter {
            $0.contains("switchboard.service") && !$0.contains("Failed to")
        }
        #expect(relevant.isEmpty, "\(text)")
    }
}
