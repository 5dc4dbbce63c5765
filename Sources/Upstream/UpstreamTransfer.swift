import Arithmetic
import CCurl
import Glibc
import HTTPTypes
import Reactor

/// One request through libcurl: holds its easy handle (with the header list it carries) and
/// body bytes for its whole life (curl reads them lazily), and turns curl's callbacks into
/// delegate calls.
///
/// Loop-confined to the loop of the `UpstreamClient` that started it.
public final class UpstreamTransfer: @unchecked Sendable {
    let easy: UnsafeMutableRawPointer
    /// The easy handle and the options it keeps, the header list among them (`easy` is its pointer).
    let handle: EasyHandle
    /// curl's error text (`errorBufferSize` bytes) and after it a copy of the request body that
    /// curl reads from until the transfer ends: one allocation for both (issue 13).
    private let buffers: UnsafeMutableRawBufferPointer
    private let firstByteTimeout: Double
    private let idleTimeout: Double
    private weak var client: UpstreamClient?
    private var delegate: UpstreamDelegate?

    private var status = 0
    private var headers = HTTPHeaders()
    private var headDelivered = false
    private var sawBytes = false
    private(set) var paused = false
    private var finished = false
    private var inCallback = false
    /// Bytes at the head of curl's next delivery that the delegate has already seen.
    private var alreadyConsumed = 0
    private var timer: TimerHandle?
    private var timerKind: TimeoutKind?
    /// When `timer` fires (monotonic nanoseconds).
    private var timerDeadline: UInt64 = 0
    /// When body bytes last arrived; the idle timer checks it instead of being re-armed for
    /// every chunk.
    private var lastActivity: UInt64 = 0
    private static let errorBufferSize = Int(CURL_ERROR_SIZE) + 1
    /// errno of the last failed socket(): curl reports only "Couldn't connect", and running
    /// out of descriptors is an overload of ours, not a network problem.
    private var socketErrno: Int32 = 0

    init(request: UpstreamRequest, delegate: UpstreamDelegate, client: UpstreamClient) {
        CurlGlobal.ensure()
        firstByteTimeout = request.firstByteTimeout
        idleTimeout = request.idleTimeout
        let errorSize = Self.errorBufferSize
        let buffers = UnsafeMutableRawBufferPointer.allocate(
            byteCount: errorSize + request.body.count, alignment: MemoryLayout<CChar>.alignment)
        buffers.baseAddress!.initializeMemory(as: CChar.self, repeating: 0, count: errorSize)
        // The array's bytes are valid only inside withUnsafeBytes (a pointer made from the array
        // in an argument dangles once that call returns).
        if !request.body.isEmpty {
            request.body.withUnsafeBytes {
                UnsafeMutableRawBufferPointer(rebasing: buffers[errorSize...]).copyMemory(from: $0)
            }
        }
        self.buffers = buffers
        self.delegate = delegate
        self.client = client
        handle = client.takeHandle()
        easy = handle.pointer
        configure(request)
    }

    /// Runs on the client's loop: transfers are loop-confined, and the client keeps each one
    /// until curl is done with its handle.
    deinit {
        client?.giveBack(handle)
        buffers.deallocate()
    }

    private var errorBuffer: UnsafeMutablePointer<CChar> { buffers.baseAddress!.assumingMemoryBound(to: CChar.self) }

    /// curl's error text (empty when it wrote none).
    private var errorText: String {
        let text = UnsafeRawBufferPointer(start: buffers.baseAddress!, count: Self.errorBufferSize)
        return String(decoding: text.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// The options of this transfer, on a handle that may keep those of the one before it
    /// (`EasyHandle`): the lasting ones only on a fresh handle, this transfer's own every time.
    private func configure(_ request: UpstreamRequest) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        let sendsBody = !request.body.isEmpty || request.method == "POST"
        if !handle.prepare(method: request.method, sendsBody: sendsBody) { setLastingOptions(method: request.method) }
        handle.setURL(request.url)
        handle.setConnectTimeout(millis: Int(saturating: request.connectTimeout * 1000))
        handle.setHeaders(request.headers)
        sb_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer)
        sb_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, me)
        sb_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, me)
        sb_easy_setopt_pointer(easy, CURLOPT_OPENSOCKETDATA, me)
        if sendsBody {
            sb_easy_setopt_pointer(easy, CURLOPT_POSTFIELDS, buffers.baseAddress! + Self.errorBufferSize)
            sb_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
        }
    }

    /// What every transfer with this method sets alike; kept by the handle while it is reused.
    private func setLastingOptions(method: String) {
        sb_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        if CurlGlobal.verbose { sb_easy_setopt_long(easy, CURLOPT_VERBOSE, 1) }
        if ProxyEnvironment.noneConfigured {
            // "No proxy" said outright spares curl its environment lookups on every transfer;
            // with a proxy variable set, curl reads the environment itself as it always did.
            sb_easy_setopt_string(easy, CURLOPT_PROXY, "")
            sb_easy_setopt_string(easy, CURLOPT_NOPROXY, "")
        }
        sb_easy_setopt_long(easy, CURLOPT_TCP_NODELAY, 1)
        sb_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
        sb_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        sb_easy_setopt_write_cb(easy) { data, size, count, user in
            Unmanaged<UpstreamTransfer>.fromOpaque(user!).takeUnretainedValue().didReceiveBody(data!, size * count)
        }
        sb_easy_setopt_header_cb(easy) { data, size, count, user in
            Unmanaged<UpstreamTransfer>.fromOpaque(user!).takeUnretainedValue().didReceiveHeaderLine(
                data!, size * count)
        }
        sb_easy_setopt_opensocket_cb(easy) { user, _, address in
            Unmanaged<UpstreamTransfer>.fromOpaque(user!).takeUnretainedValue().openSocket(address!.pointee)
        }
        // A pooled connection outlives this transfer: its close goes to the loop's client.
        sb_easy_setopt_closesocket_cb(easy) { user, socket in
            guard let user else { return close(socket) }
            return Unmanaged<UpstreamClient>.fromOpaque(user).takeUnretainedValue().curlClosesSocket(socket)
        }
        if let client {
            sb_easy_setopt_pointer(easy, CURLOPT_CLOSESOCKETDATA, Unmanaged.passUnretained(client).toOpaque())
        }
        switch method {
        case "GET":
            sb_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)
        case "POST":
            sb_easy_setopt_long(easy, CURLOPT_POST, 1)
        default:
            sb_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method)
        }
    }

    // MARK: Lifecycle (called by UpstreamClient)

    func started() {
        armTimer(firstByteTimeout, .firstByte)
    }

    /// curl reports the transfer done.
    func curlFinished(_ code: CURLcode) {
        guard !finished else { return }
        finished = true
        cancelTimer()
        if code == CURLE_OK {
            deliverHeadIfNeeded()
            let delegate = self.delegate
            self.delegate = nil
            delegate?.upstreamDidComplete(nil)
        } else {
            let detail = errorText
            if code == CURLE_COULDNT_CONNECT, DescriptorExhaustion.isExhaustion(socketErrno) {
                fail(.descriptorsExhausted(String(cString: strerror(socketErrno))))
                return
            }
            fail(CurlGlobal.transportError(code, detail: detail, sawBytes: sawBytes))
        }
    }

    /// curl's socket(), ours so a failure's errno is kept (CURLOPT_OPENSOCKETFUNCTION).
    private func openSocket(_ address: curl_sockaddr) -> curl_socket_t {
        client?.connectionChurn &+= 1  // a new connection: this handle is reset afterwards
        let fd = socket(address.family, address.socktype | Int32(SOCK_CLOEXEC.rawValue), address.protocol)
        if fd < 0 {
            socketErrno = errno
            if DescriptorExhaustion.isExhaustion(socketErrno) {
                DescriptorExhaustion.shared.record("upstream socket", errno: socketErrno)
            }
            return CURL_SOCKET_BAD
        }
        return fd
    }

    private func fail(_ error: TransportError) {
        finished = true
        cancelTimer()
        let delegate = self.delegate
        self.delegate = nil
        delegate?.upstreamDidComplete(error)
    }

    // MARK: Public control

    /// Stops the flow of body bytes until `resume()`. Loop thread.
    public func pause() {
        guard !finished, !paused else { return }
        paused = true
        cancelTimer()
        curl_easy_pause(easy, sb_pause_all())
    }

    /// Lets body bytes flow again; curl may deliver the held chunk right away.
    public func resume() {
        guard !finished, paused else { return }
        paused = false
        lastActivity = EventLoop.monotonicNanoseconds()
        armTimer(idleTimeout, .idle)
        curl_easy_pause(easy, sb_pause_cont())
        client?.kick()
    }

    /// Aborts now: the connection closes, and the delegate hears nothing more. Safe inside
    /// a delegate callback and when repeated.
    public func cancel() {
        guard !finished else { return }
        finished = true
        cancelTimer()
        delegate = nil
        if inCallback {
            // curl forbids removing a handle from inside its own callback; the callback
            // returns an abort code and the client removes the handle right after.
            return
        }
        client?.remove(self)
    }

    var isFinished: Bool { finished }

    // MARK: Callbacks (one call each from the C trampolines)

    private func didReceiveHeaderLine(_ data: UnsafeMutablePointer<CChar>, _ count: Int) -> Int {
        if finished { return 0 }
        lastActivity = EventLoop.monotonicNanoseconds()
        if !sawBytes {
            sawBytes = true
            watchIdleFromNow()
        }
        if let field = Self.headerLine(UnsafeRawBufferPointer(start: data, count: count)) {
            switch field {
            case .status(let code):
                // A new status line (after 100 Continue, a proxy CONNECT, …) starts a new head.
                status = code
                // One allocation for a typical head, kept across heads, instead of regrowing
                // the array field by field.
                if !headers.isEmpty { headers.fields.removeAll(keepingCapacity: true) }
                headers.reserveCapacity(16)
            case .field(let name, let value):
                headers.add(name, value)
            }
        }
        return count
    }

    private func didReceiveBody(_ data: UnsafeMutablePointer<CChar>, _ count: Int) -> Int {
        if finished { return 0 }
        sawBytes = true
        deliverHeadIfNeeded()
        guard let delegate, !finished else { return 0 }
        // After a pause curl hands back the chunk it was refused, which the delegate already
        // consumed: skip those bytes so every byte is delivered exactly once.
        let skip = min(alreadyConsumed, count)
        alreadyConsumed -= skip
        if skip == count { return count }
        inCallback = true
        let flow = delegate.upstreamDidReceive(UnsafeRawBufferPointer(start: data + skip, count: count - skip))
        inCallback = false
        if finished {
            client?.removeSoon(self)
            return 0
        }
        if case .pause = flow {
            paused = true
            cancelTimer()
            alreadyConsumed = count
            return sb_writefunc_pause()
        }
        lastActivity = EventLoop.monotonicNanoseconds()
        if timer == nil { armTimer(idleTimeout, .idle) }
        return count
    }

    private func deliverHeadIfNeeded() {
        guard !headDelivered, let delegate else { return }
        headDelivered = true
        // From `curlFinished` (an answer without a body) curl is already done with the handle:
        // only a cancel from the delegate itself needs the deferred removal.
        let cancellable = !finished
        inCallback = true
        delegate.upstreamDidReceiveHead(status: status, headers: headers)
        inCallback = false
        if finished, cancellable { client?.removeSoon(self) }
    }

    // MARK: Timers

    private func armTimer(_ seconds: Double, _ kind: TimeoutKind, after delay: Double? = nil) {
        guard let loop = client?.loop, seconds > 0 else { return }
        cancelTimer()
        timerKind = kind
        let nanos = Saturating.nanoseconds(seconds: delay ?? seconds)
        timerDeadline = Saturating.add(EventLoop.monotonicNanoseconds(), nanos)
        // Held by the timer, not weakly (a weak capture gave every transfer a side table to
        // allocate and free): every end of the transfer cancels the timer first.
        timer = loop.schedule(afterNanoseconds: nanos) { [self] in timerFired() }
    }

    /// The first bytes end the wait for an answer and start the watch for silence. A pending
    /// first-byte timer that fires no later than the idle one would becomes the idle timer (it
    /// then measures the quiet time and re-arms itself, as the idle timer always does): that
    /// spares cancelling one timer and scheduling another on every request.
    private func watchIdleFromNow() {
        let idle = idleTimeout
        if timer != nil, timerKind == .firstByte, idle > 0,
            timerDeadline <= Saturating.add(lastActivity, Saturating.nanoseconds(seconds: idle))
        {
            timerKind = .idle
            return
        }
        cancelTimer()
        armTimer(idle, .idle)
    }

    private func timerFired() {
        timer = nil
        guard let kind = timerKind else { return }
        let seconds = kind == .idle ? idleTimeout : firstByteTimeout
        if kind == .idle, !paused {
            let quiet = Double(EventLoop.monotonicNanoseconds() &- lastActivity) / 1e9
            if quiet < seconds {
                armTimer(seconds, .idle, after: seconds - quiet)
                return
            }
        }
        timedOut(kind, seconds)
    }

    private func cancelTimer() {
        if let timer { client?.loop.cancel(timer) }
        timer = nil
    }

    private func timedOut(_ kind: TimeoutKind, _ seconds: Double) {
        guard !finished else { return }
        client?.remove(self)
        fail(.timedOut(kind, "no \(kind == .firstByte ? "answer" : "data") from upstream for \(seconds) s"))
    }
}
