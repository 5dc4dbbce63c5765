import Arithmetic
import ChatModel
import HTTPServer
import JSON
import Reactor
import SSE
import Store
import Synchronization

/// A server-held tool conversation (SPEC §6): one SSE stream over every model turn. Each turn
/// is an ordinary chat request through the shared pipeline (key limits, provider limiter,
/// retries, fallbacks, one usage row); between turns the loop waits for the client's tool
/// results, which arrive on another connection.
///
/// Threading: the driver (turns, timers, the stream) is confined to the stream's event loop.
/// The transcript sits behind a lock, because tool results, GET and DELETE arrive on other
/// connections, maybe other event loops. A change that decides what happens next (awaiting →
/// running, awaiting → timed out) is made under the lock, so a result post and a timeout
/// cannot both win.
final class ChatLoop: @unchecked Sendable {
    let id: String
    /// Who may see and drive the loop (the creating key).
    let owner: LoopOwner
    let created: Int
    let maxSteps: Int
    let toolTimeoutSeconds: Double
    /// The request as the client sent it; each turn sends it with the conversation so far.
    private let template: ChatRequest
    private let transcript: Mutex<LoopTranscript>

    private let writer: ResponseWriter
    private let state: GatewayState
    private let key: VirtualKey?
    private let limits: LoopLimits
    /// The loop's request span and its turns' attempt spans; nil when not traced.
    private let trace: RequestTrace?

    // Confined to `writer.loop`.
    private var execution: ChatExecution?
    private var streamStarted = false
    private var ended = false
    private var toolTimer: TimerHandle?
    private var keepAliveTimer: TimerHandle?
    private var lastProviderFinish: String?
    /// The deployment that answered the last turn: the next turn goes there first while it is in.
    private var deployment: String?
    /// For the request span: the last turn's provider and model, every turn's attempts, and
    /// what failed the loop.
    private var lastProvider: String?
    private var lastModel: String?
    private var attempts = 0
    private var failure: GatewayError?

    init(
        id: String, request: LoopRequest, owner: LoopOwner, key: VirtualKey?, writer: ResponseWriter,
        state: GatewayState, limits: LoopLimits, trace: RequestTrace? = nil
    ) {
        self.limits = limits
        self.trace = trace
        self.id = id
        self.owner = owner
        self.key = key
        self.created = WallClock.unixSeconds()
        self.maxSteps = request.maxSteps
        self.toolTimeoutSeconds = request.toolTimeoutSeconds
        self.template = request.chat
        self.transcript = Mutex(LoopTranscript(messages: request.chat.messages))
        self.writer = writer
        self.state = state
    }

    /// Runs the first turn. On `writer.loop`.
    func start() { startTurn() }

    var status: LoopStatus { transcript.withLock { $0.status } }

    /// The model the client asked for.
    var model: String { template.model }

    // MARK: Turns

    private func startTurn() {
        let (step, messages, cancelled) = transcript.withLock { t in
            t.step += 1
            return (t.step, t.messages, t.cancelRequested)
        }
        if cancelled {
            end(.cancelled, finish: .cancelled)
            return
        }
        var request = template
        request.messages = messages
        let snapshot = state.snapshot
        let routes: [ModelRoute]
        do {
            routes = try snapshot.catalog.chain(
                for: request.model, overridingFallbacks: request.fallbacks, preferring: deployment)
        } catch {
            turnRefused(request, error)
            return
        }
        guard let key else {
            runTurn(request, step: step, routes: routes, admission: nil, snapshot: snapshot)
            return
        }
        // With the Redis limits backend this continues from Redis's reply, on the stream's loop.
        KeyAdmission.admit(key, request: request, state: state, loop: writer.loop) { [self] result in
            switch result {
            case .success(let admission):
                runTurn(request, step: step, routes: routes, admission: admission, snapshot: snapshot)
            case .failure(let error):
                turnRefused(request, error)
            }
        }
    }

    private func turnRefused(_ request: ChatRequest, _ error: GatewayError) {
        state.record(.refused(request, error: error, requestId: writer.requestId), keyId: key?.id, loopId: id)
        turnFailed(error)
    }

    private func runTurn(
        _ request: ChatRequest, step: Int, routes: [ModelRoute], admission: KeyAdmission?, snapshot: GatewaySnapshot
    ) {
        let encoder = LoopTurnEncoder(loopId: id, step: step)
        let state = self.state
        let keyId = key?.id
        let loopId = id
        let execution = ChatExecution(
            request: request, routes: routes, registry: snapshot.registry, secrets: snapshot.secrets, writer: writer,
            keepAliveSeconds: snapshot.keepAliveSeconds, contextCaches: state.contextCaches,
            cacheTTLSeconds: snapshot.geminiCacheTTLSeconds, encoder: encoder, streamContinues: true,
            pricer: snapshot.pricer, trace: trace, sharedLimits: state.sharedLimits
        ) { [self] record in
            admission?.complete(record, state: state)
            state.record(record, keyId: keyId, loopId: loopId)
            turnEnded(record, encoder: encoder)
        }
        self.execution = execution
        trace?.turnStarted(step: step)
        execution.run()
    }

    private func turnEnded(_ record: ChatRecord, encoder: LoopTurnEncoder) {
        execution = nil
        if record.status == 200, let answered = record.deployment { deployment = answered }
        if encoder.began { streamStarted = true }
        lastProviderFinish = encoder.providerFinishReason
        if record.attempts > 0 { (lastProvider, lastModel) = (record.provider, record.model) }
        attempts = Saturating.add(attempts, record.attempts)
        let answer = encoder.answer.response()
        let calls: [ToolCallPart] = (answer?.content ?? []).compactMap {
            if case .toolCall(let call) = $0 { return call } else { return nil }
        }
        let turn = LoopTurn(
            step: encoder.step, provider: record.provider, model: record.model, status: record.status,
            finishReason: record.finishReason, usage: record.usage, toolCalls: calls)
        let cancelRequested = transcript.withLock { t in
            t.turns.append(turn)
            t.usage = t.usage + record.usage
            if let answer, !answer.content.isEmpty {
                t.messages.append(Message(role: .assistant, content: answer.content))
            }
            return t.cancelRequested
        }
        if writer.isClosed || cancelRequested {
            end(.cancelled, finish: .cancelled)
            return
        }
        guard record.status == 200 else {
            turnFailed(record.error ?? GatewayError(status: 502, type: .upstreamError, message: "the turn failed"))
            return
        }
        let finish = record.finishReason ?? .stop
        if finish == .toolCalls, !calls.isEmpty, encoder.step < maxSteps {
            awaitTools(calls, step: encoder.step)
        } else {
            end(finish == .error ? .failed : .completed, finish: finish)
        }
    }

    /// A turn that could not run or whose answer never began. Before the stream started this
    /// is the HTTP error of `POST /v1/loops` (the pipeline may have sent it already); after,
    /// an `error` event, then the loop's `usage` and `done`.
    private func turnFailed(_ error: GatewayError) {
        failure = error
        guard streamStarted else {
            writer.respondError(error)
            end(.failed, finish: .error)
            return
        }
        var out: [UInt8] = []
        StreamEvent.error(
            StreamError(
                type: error.type.rawValue, message: error.message, provider: error.provider ?? "",
                status: error.status)
        ).writeSSE(into: &out)
        writer.write(out)
        end(.failed, finish: .error)
    }

    // MARK: Waiting for tools

    private func awaitTools(_ calls: [ToolCallPart], step: Int) {
        // A daemon shutting down does not wait for tools.
        let draining = state.isDraining
        let waiting = transcript.withLock { t in
            guard !t.cancelRequested, !draining else { return false }
            t.status = .awaitingTools
            t.pendingCalls = calls
            return true
        }
        guard waiting else {
            end(.cancelled, finish: .cancelled)
            return
        }
        var out: [UInt8] = []
        LoopEvents.awaitingTools(loopId: id, step: step, calls: calls, into: &out)
        writer.write(out)
        writer.onClose = { [self] in end(.cancelled, finish: .cancelled) }
        toolTimer = writer.loop.schedule(afterNanoseconds: Saturating.nanoseconds(seconds: toolTimeoutSeconds)) {
            [self] in
            toolTimer = nil
            toolTimeoutFired()
        }
        scheduleKeepAlive()
    }

    /// Accepts the results of the pending calls (any thread); see `LoopTranscript.accept`.
    /// Returns the step they answer.
    func submit(_ results: [ToolResult]) -> Result<Int, GatewayError> {
        let outcome = transcript.withLock { $0.accept(results, loopId: id) }
        if case .success = outcome {
            writer.loop.execute { [self] in resume() }
        }
        return outcome
    }

    private func resume() {
        stopWaiting()
        guard !ended else { return }
        writer.onClose = nil
        startTurn()
    }

    private func toolTimeoutFired() {
        let timedOut = transcript.withLock { t in
            guard t.status == .awaitingTools else { return false }
            t.status = .timedOut
            t.pendingCalls = []
            return true
        }
        guard timedOut else { return }
        let error = GatewayError(
            status: 408, type: .toolTimeout, message: "no tool results within \(Self.seconds(toolTimeoutSeconds)) s")
        failure = error
        var out: [UInt8] = []
        StreamEvent.error(
            StreamError(type: error.type.rawValue, message: error.message, provider: "", status: error.status)
        ).writeSSE(into: &out)
        writer.write(out)
        end(.timedOut, finish: .error)
    }

    // MARK: Cancelling

    /// DELETE (any thread): marks the loop and has its event loop end it. False when it had
    /// already ended.
    func requestCancel() -> Bool {
        let running = transcript.withLock { t in
            guard !t.status.isFinished, !t.cancelRequested else { return false }
            t.cancelRequested = true
            return true
        }
        if running { writer.loop.execute { [self] in cancelNow() } }
        return running
    }

    private func cancelNow() {
        guard !ended else { return }
        if let execution {
            // The execution owns the turn's cancellation: it ends as if the client had gone
            // (upstream aborted, usage recorded); `turnEnded` then sees the request and ends the loop.
            execution.cancel()
            return
        }
        end(.cancelled, finish: .cancelled)
    }

    // MARK: The end

    /// Ends the loop once: the stream's cumulative `usage` and `done`, then the transcript is
    /// kept for the registry's retention time.
    private func end(_ status: LoopStatus, finish: FinishReason) {
        guard !ended else { return }
        ended = true
        stopWaiting()
        writer.onClose = nil
        let (usage, steps) = transcript.withLock { t in
            if !t.status.isFinished { t.status = status }
            t.finishReason = finish
            t.pendingCalls = []
            return (t.usage, t.step)
        }
        traceEnd(status, finish: finish, usage: usage, steps: steps)
        // Registered as ended before the client can see the end, so what it reads next
        // (GET, metrics) already agrees.
        if streamStarted {
            state.loops.loopEnded(self, on: writer.loop, limits: limits)
        } else {
            // The client got an HTTP error and never learnt the id: nothing to keep.
            state.loops.remove(id)
        }
        if streamStarted, !writer.isClosed {
            var out: [UInt8] = []
            LoopEvents.end(
                loopId: id, usage: usage, finish: finish,
                providerFinish: finish == .cancelled ? nil : lastProviderFinish,
                steps: steps, into: &out)
            writer.write(out)
            writer.end()
        }
    }

    /// Closes the request span, before the client can see the end.
    private func traceEnd(_ status: LoopStatus, finish: FinishReason, usage: Usage, steps: Int) {
        guard let trace else { return }
        // Once the stream started the client got a 200; a client that went away, a 499 (as a chat's).
        let httpStatus =
            streamStarted ? (status == .cancelled && writer.isClosed ? 499 : 200) : (failure?.status ?? 499)
        trace.loopEnded(
            LoopTraceSummary(
                loopId: id, requestedModel: template.model, status: httpStatus, provider: lastProvider,
                model: lastModel, usage: usage, finish: finish, steps: steps, attempts: attempts, error: failure))
    }

    private func stopWaiting() {
        if let toolTimer { writer.loop.cancel(toolTimer) }
        if let keepAliveTimer { writer.loop.cancel(keepAliveTimer) }
        toolTimer = nil
        keepAliveTimer = nil
    }

    private func scheduleKeepAlive() {
        let interval = Saturating.nanoseconds(seconds: max(state.snapshot.keepAliveSeconds, 0.05))
        keepAliveTimer = writer.loop.schedule(afterNanoseconds: interval) { [self] in
            keepAliveTimer = nil
            guard !ended, !writer.isClosed, toolTimer != nil else { return }
            var comment: [UInt8] = []
            SSEEncoder.comment("keep-alive", into: &comment)
            writer.write(comment)
            scheduleKeepAlive()
        }
    }

    // MARK: Transcript

    /// `GET /v1/loops/{id}`: every message, tool call and result, and each step's usage.
    func transcriptJSON() -> JSONValue {
        transcript.withLock { t in
            .object(
                JSONObject([
                    ("id", .string(id)), ("object", "loop"), ("status", .string(t.status.rawValue)),
                    ("created", .int(created)), ("model", .string(template.model)),
                    ("steps", .int(t.step)), ("max_steps", .int(maxSteps)),
                    ("tool_timeout_s", .double(toolTimeoutSeconds)),
                    ("messages", .array(t.messages.map { $0.json() })),
                    ("turns", .array(t.turns.map { $0.json() })),
                    ("pending_tool_calls", .array(t.pendingCalls.map { $0.summaryJSON() })),
                    ("usage", t.usage.json()),
                    ("finish_reason", t.finishReason.map { .string($0.rawValue) } ?? .null),
                ]))
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(saturating: value)) : String(value)
    }
}
