import Testing
@testable import Upstream

@Suite("When curl's timeouts are acted on")
struct CurlTimerPlanTests {
    let ms: UInt64 = 1_000_000

    /// Transfer after transfer ("now", connect timeout, "never"): one loop timer is armed for the
    /// first connect timeout and serves the later ones; each "now" is an end-of-round action.
    @Test func transfersInARowArmOneTimer() {
        var plan = CurlTimerPlan()
        var arms = 0
        for i in 0..<5 {
            let now = UInt64(i) * ms
            let step1 = plan.curlSays(0, now: now)
            #expect(step1 == .queueAction)
            let acts1 = plan.actionRuns(forced: false)
            #expect(acts1)
            if case .arm = plan.curlSays(10_000, now: now) { arms += 1 }
            let step2 = plan.curlSays(-1, now: now)
            #expect(step2 == .nothing)
        }
        #expect(arms == 1)
        #expect(plan.armedDue == 10_000 * ms)
        // Firing with nothing pending does nothing and leaves no timer armed.
        let firing1 = plan.timerFired(now: 10_000 * ms)
        #expect(firing1 == .nothing)
        #expect(plan.armedDue == nil)
    }

    /// A timer due before curl's deadline fires early and is armed again for the deadline; curl
    /// is acted on only then.
    @Test func anEarlyTimerIsArmedAgainForCurlsLaterDeadline() {
        var plan = CurlTimerPlan()
        let step3 = plan.curlSays(400, now: 0)
        #expect(step3 == .arm(400 * ms))
        let step4 = plan.curlSays(1_200, now: 100 * ms)
        #expect(step4 == .nothing)
        let firing2 = plan.timerFired(now: 400 * ms)
        #expect(firing2 == .rearm(1_300 * ms))
        let firing3 = plan.timerFired(now: 1_300 * ms)
        #expect(firing3 == .act)
        #expect(plan.deadline == nil)
    }

    /// A deadline before the armed timer's needs a timer of its own.
    @Test func anEarlierDeadlineArmsAgain() {
        var plan = CurlTimerPlan()
        let step5 = plan.curlSays(10_000, now: 0)
        #expect(step5 == .arm(10_000 * ms))
        let step6 = plan.curlSays(300, now: 0)
        #expect(step6 == .arm(300 * ms))
        let firing4 = plan.timerFired(now: 300 * ms)
        #expect(firing4 == .act)
    }

    /// "now" followed by a later deadline in the same round: the queued action does not act
    /// early (unless forced, after an unpause, which keeps the deadline); the later deadline is
    /// waited for.
    @Test func aQueuedNowOvertakenByALaterDeadlineDoesNotAct() {
        var plan = CurlTimerPlan()
        let step7 = plan.curlSays(0, now: 0)
        #expect(step7 == .queueAction)
        let step8 = plan.curlSays(500, now: 0)
        #expect(step8 == .arm(500 * ms))
        let acts2 = plan.actionRuns(forced: false)
        #expect(!acts2)
        let acts3 = plan.actionRuns(forced: true)
        #expect(acts3)
        #expect(plan.deadline == 500 * ms)
        let step9 = plan.curlSays(500, now: 0)
        #expect(step9 == .nothing)
        let firing5 = plan.timerFired(now: 500 * ms)
        #expect(firing5 == .act)
    }

    /// A deadline too far to add saturates instead of trapping.
    @Test func aHugeTimeoutSaturates() {
        var plan = CurlTimerPlan()
        let step10 = plan.curlSays(Int.max, now: UInt64.max - 5)
        #expect(step10 == .arm(UInt64.max))
    }
}
