import Arithmetic

/// When to call `curl_multi_socket_action(CURL_SOCKET_TIMEOUT)`, from what curl's timer callback
/// (CURLMOPT_TIMERFUNCTION) says, with as few loop timers as that allows. Pure: the client
/// (`UpstreamClient`) does what each step returns.
///
/// Each transfer has curl say "now" (to start it), then its connect timeout, then "never". A loop
/// timer for each cost more than curl's own timer work: "now" runs at the end of the loop's round
/// instead (`beforeWaiting`), and an armed timer due no later than curl's new deadline is kept —
/// firing first, it re-arms for the rest. curl is never acted on before its deadline.
struct CurlTimerPlan {
    /// curl's deadline (monotonic nanoseconds; 0 for "now"), nil for never.
    private(set) var deadline: UInt64?
    /// When the armed loop timer is due, nil when none is armed.
    private(set) var armedDue: UInt64?

    enum Step: Equatable {
        case nothing
        /// Run the action at the end of this round (`actionRan` then says whether to act).
        case queueAction
        /// Arm the loop timer for this deadline, cancelling the armed one if any.
        case arm(UInt64)
    }

    /// curl's timer callback: `millis` from now, 0 for now, negative for never.
    mutating func curlSays(_ millis: Int, now: UInt64) -> Step {
        if millis < 0 {
            deadline = nil
            return .nothing
        }
        if millis == 0 {
            deadline = 0
            return .queueAction
        }
        let due = Saturating.add(now, Saturating.nanoseconds(milliseconds: millis))
        deadline = due
        if let armedDue, armedDue <= due { return .nothing }
        armedDue = due
        return .arm(due)
    }

    /// The queued end-of-round action runs: true to act (curl's deadline is still "now", or the
    /// action was forced); a later deadline set since has its timer, and a forced action keeps
    /// it (curl says nothing again for a deadline it already gave).
    mutating func actionRuns(forced: Bool) -> Bool {
        if deadline == 0 {
            deadline = nil
            return true
        }
        return forced
    }

    /// What the armed loop timer does when it fires at `now`.
    enum Firing: Equatable {
        case nothing
        /// Act on curl (its deadline is cleared first: curl says its next one while acting).
        case act
        /// Early for curl's deadline: arm again for it.
        case rearm(UInt64)
    }

    mutating func timerFired(now: UInt64) -> Firing {
        armedDue = nil
        guard let due = deadline else { return .nothing }
        if due > now {
            armedDue = due
            return .rearm(due)
        }
        deadline = nil
        return .act
    }

    /// A fresh multi handle: nothing pending, no timer armed (the client cancels its own).
    mutating func clear() {
        deadline = nil
        armedDue = nil
    }
}
