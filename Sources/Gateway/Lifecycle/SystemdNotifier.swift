import Foundation
import Glibc

/// The systemd notify protocol, spoken directly: datagrams to `$NOTIFY_SOCKET` (a path, or an
/// abstract name starting with '@'). A no-op when systemd did not ask. Also pings the
/// watchdog at half of `$WATCHDOG_USEC` when that is set for this process.
public final class SystemdNotifier: @unchecked Sendable {
    private let socketPath: String?
    private var watchdog: DispatchSourceTimer?

    public init(environment: [String: String]) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        if let usec = environment["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0,
            environment["WATCHDOG_PID"].map({ Int32($0) == getpid() }) ?? true
        {
            let timer = DispatchSource.makeTimerSource(queue: .global())
            // Pinged at half the watchdog period; held to an hour so no value overflows the timer.
            let interval = DispatchTimeInterval.microseconds(Int(min(usec / 2, 3_600_000_000)))
            timer.schedule(deadline: .now() + interval, repeating: interval)
            timer.setEventHandler { [weak self] in self?.send("WATCHDOG=1") }
            timer.resume()
            watchdog = timer
        }
    }

    deinit { watchdog?.cancel() }

    public var isActive: Bool { socketPath != nil }

    public func notifyReady(status: String) { send("READY=1\nSTATUS=\(status)") }

    public func notifyReloading() {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        send("RELOADING=1\nMONOTONIC_USEC=\(UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000)")
    }

    public func notifyStopping() { send("STOPPING=1") }

    /// Sends one notification; failures are ignored (systemd may be gone; we keep serving).
    @discardableResult
    public func send(_ message: String) -> Bool {
        guard let socketPath else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in pathBytes.enumerated() { raw[i] = b }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + (pathBytes.first == 0 ? 0 : 1))
        let sent = message.utf8CString.withUnsafeBufferPointer { text in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, text.baseAddress, text.count - 1, Int32(MSG_NOSIGNAL), $0, length)
                }
            }
        }
        return sent >= 0
    }
}
