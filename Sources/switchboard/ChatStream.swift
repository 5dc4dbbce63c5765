import Foundation
import JSON
import SSE
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Streams one `/v1/chat` answer from the daemon, handing each unified event to `onEvent` as
/// it arrives. Control plane (the CLI), so Foundation's URLSession is fine here.
final class ChatStream: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private var decoder = SSEDecoder()
    private let onEvent: (String, JSONValue) -> Void
    private let done = DispatchSemaphore(value: 0)
    private var status = 0
    private var errorBody: [UInt8] = []
    private var failure: Error?
    private var task: URLSessionDataTask?
    private var session: URLSession?

    init(onEvent: @escaping (String, JSONValue) -> Void) {
        self.onEvent = onEvent
    }

    /// Sends the request and blocks until the answer ends; returns the HTTP status and, for
    /// errors, the daemon's message.
    func run(url: String, key: String?, body: JSONValue) throws -> (status: Int, error: String?) {
        guard let endpoint = URL(string: url + "/v1/chat") else {
            throw ClientError(description: "invalid --url \(url)")
        }
        var request = URLRequest(url: endpoint, timeoutInterval: 600)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        var bytes: [UInt8] = []
        body.write(into: &bytes)
        request.httpBody = Data(bytes)
        let session = URLSession(configuration: .ephemeral, delegate: self, delegateQueue: nil)
        self.session = session
        let task = session.dataTask(with: request)
        self.task = task
        task.resume()
        done.wait()
        session.finishTasksAndInvalidate()
        if let failure {
            if (failure as? URLError)?.code == .cancelled { return (499, nil) }
            throw ClientError(
                description: "cannot reach the daemon at \(url): \(failure.localizedDescription)\n"
                    + "(is `switchboard serve` running? set --url or SWITCHBOARD_URL)")
        }
        if status >= 400 {
            let message =
                (try? JSONValue.parse(errorBody))?["error"]?["message"]?.stringValue
                ?? String(decoding: errorBody, as: UTF8.self)
            return (status, message)
        }
        return (status, nil)
    }

    /// Stops the current answer (Ctrl-C); the daemon then cancels the upstream call.
    func cancel() { task?.cancel() }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        status = (response as? HTTPURLResponse)?.statusCode ?? 0
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        if status >= 400 {
            errorBody.append(contentsOf: data)
            return
        }
        decoder.feed(Array(data)) { event in
            onEvent(event.event ?? "message", (try? JSONValue.parse(event.data)) ?? .string(event.data))
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        failure = error
        done.signal()
    }
}
