/// Connections a test keeps open to fill the daemon's connection cap.
extension RawClient {
    /// Opens `count` keep-alive connections that the daemon has accepted and counted, and keeps
    /// them open. Each is asked for `/healthz` first: an answer proves the server accepted the
    /// connection (a bare `connect` only proves the kernel queued it). Throws, naming the
    /// connection, when one is not answered 200.
    static func held(_ count: Int, port: Int) throws -> [RawClient] {
        var held: [RawClient] = []
        for index in 0..<count {
            let client = try RawClient(port: port)
            client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            let answer = client.read(until: "\"ok\"}")
            guard statusCodes(in: answer) == [200] else {
                throw TestFailure.message("held connection \(index + 1) of \(count) was not answered 200: \(answer)")
            }
            held.append(client)
        }
        return held
    }
}
