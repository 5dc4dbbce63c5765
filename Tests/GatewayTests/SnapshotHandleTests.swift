import Testing
@testable import Gateway

/// A request holds the snapshot it started with by reference (issue 13): a reload mid-flight
/// gives later requests the new one and leaves the held one as it was.
@Suite("Snapshot handle")
struct SnapshotHandleTests {
    @Test func aHeldSnapshotOutlivesAReload() {
        var configuration = GatewayConfiguration()
        configuration.adminKey = "first"
        let state = GatewayState(snapshot: GatewayDaemon.snapshot(from: configuration))
        let held = state.currentSnapshot
        configuration.adminKey = "second"
        state.replace(GatewayDaemon.snapshot(from: configuration))
        #expect(held.value.adminKey == "first")
        #expect(state.currentSnapshot.value.adminKey == "second")
        #expect(state.snapshot.adminKey == "second")
        #expect(state.currentSnapshot !== held)
    }
}
