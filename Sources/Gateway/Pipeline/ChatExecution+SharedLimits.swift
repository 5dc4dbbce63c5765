import ChatModel
import Reactor

/// The Redis limits backend's part of a chat execution: a limited provider's slot taken in
/// Redis for all daemons (one call per attempt), and a deployment taken out told to the
/// other daemons (no call unless its health changed).
extension ChatExecution {
    /// The provider's limits counted in Redis for every daemon: one call. Redis away: this
    /// daemon's own limiter under fail_open, a 503 under fail_closed.
    func acquireSharedSlot(_ route: Int, _ limiter: ProviderLimiter, _ shared: SharedLimits) {
        if let held = limiter.heldFor() {
            slotBusy(route, seconds: held)
            return
        }
        let client = SharedRoutingClient.forLoop(writer.loop, shared: shared)
        client.admit(limiter, estimatedTokens: KeyAdmission.estimate(request)) { [self] admission in
            switch admission {
            case .admitted(let id):
                // The request ended while Redis answered (the client left): the slot goes back.
                guard case .waitingForSlot(_, _, false) = machine.state else {
                    client.settle(limiter, attempt: id, tokens: 0, holdSeconds: 0)
                    return
                }
                sharedAttempt = (limiter, id)
                feed(.slotGranted(ticket: 0))
            case .busy(let seconds):
                slotBusy(route, seconds: seconds)
            case .unavailable:
                shared.admittedWithoutRedis()
                guard shared.settings.onUnavailable == .failClosed else {
                    acquireLocalSlot(route, limiter)
                    return
                }
                feed(
                    .slotRefused(
                        GatewayError(
                            status: 503, type: .overloaded,
                            message: "the shared limits store (redis) is unreachable and limits.on_unavailable "
                                + "is fail_closed; retry shortly", headers: [("Retry-After", "1")])))
            }
        }
    }

    func slotBusy(_ route: Int, seconds: Double) {
        ProviderActivity.shared.limiterWait(provider: routes[route].provider, seconds: seconds)
        feed(.slotBusy(waitSeconds: seconds, now: Self.now()))
    }

    /// The attempt took its deployment out: the other daemons take it out too, until the same time.
    func tellOtherDaemons(
        _ deployment: Deployment, out: (until: Double, why: DeploymentHealth.OutElsewhere), shared: SharedLimits
    ) {
        let nowMillis = WallClock.unixMillis()
        let until = CooldownMessage.unixMillis(of: out.until, nowMonotonic: Self.now(), nowMillis: nowMillis)
        SharedRoutingClient.forLoop(writer.loop, shared: shared).publish(
            CooldownMessage(
                node: shared.nodeId, why: out.why, untilMillis: until, provider: deployment.provider,
                keyIndex: deployment.keyIndex, model: deployment.model))
    }
}
