import Foundation
import Testing

/// Issue 2: the daemon as a user runs it — real binary, real curl, raw sockets.
@Suite("HTTP server, end to end")
struct ServerEndToEndTests {
    static let fastTimeouts = """
        server: {header_timeout_s: 1, idle_timeout_s: 1, max_body_bytes: 65536, max_connections: 2000}
        """

    @Test func healthzAnswersWithRequestId() throws {
        let (daemon, _) = try Launch.daemon()
        let response = try curl(daemon.baseURL + "/healthz")
        #expect(response.status == 200)
        #expect(jsonObject(response.body)?["status"] as? String == "ok")
        #expect(response.headers["x-request-id"]?.hasPrefix("req_") == true)
        #expect(try curl(daemon.baseURL + "/readyz").status == 200)
    }

    @Test func unknownRouteAndWrongMethodAreJSONErrors() throws {
        let (daemon, _) = try Launch.daemon()
        let missing = try curl(daemon.baseURL + "/nope")
        #expect(missing.status == 404)
        let error = jsonObject(missing.body)?["error"] as? [String: Any]
        #expect(error?["type"] as? String == "not_found")
        #expect((error?["request_id"] as? String) == missing.headers["x-request-id"])
        let wrongMethod = try curl(daemon.baseURL + "/v1/chat", method: "GET")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["allow"]?.contains("POST") == true)
        #expect((jsonObject(wrongMethod.body)?["error"] as? [String: Any])?["type"] as? String == "invalid_request")
    }

    @Test func keepAliveReusesOneConnection() throws {
        let (daemon, _) = try Launch.daemon()
        let client = try RawClient(port: daemon.port)
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(statusCodes(in: client.read(until: "\"ok\"}")) == [200])
        client.send("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(statusCodes(in: client.read(until: "\"ready\"}")) == [200])
        // And curl agrees: two URLs, one connection.
        let verbose = try run("/usr/bin/curl", ["-sv", daemon.baseURL + "/healthz", daemon.baseURL + "/readyz"])
        #expect(verbose.stderr.contains("Re-using existing connection") || verbose.stderr.contains("Reusing existing"))
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let (daemon, _) = try Launch.daemon()
        let client = try RawClient(port: daemon.port)
        client.send(
            "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let text = client.readToEnd()
        #expect(statusCodes(in: text) == [200, 404, 200])
        let ok = try #require(text.range(of: "\"ok\""))
        let ready = try #require(text.range(of: "\"ready\""))
        #expect(ok.lowerBound < ready.lowerBound)
    }

    @Test func chunkedUploadIsRead() throws {
        let (daemon, _) = try Launch.daemon()
        // The body names a model; the 404 quoting it proves the chunked body was decoded.
        let body = #"{"model":"nobody/chunked-model-x","messages":[{"role":"user","content":"hi"}]}"#
        let response = try curl(
            daemon.baseURL + "/v1/chat",
            headers: [
                "Transfer-Encoding": "chunked",
                "Content-Type": "application/json",
            ], body: body)
        #expect(response.status == 404)
        #expect(response.body.contains("nobody/chunked-model-x"))
    }

    /// A bare LF in chunk framing is a 400 at once (the header timeout here is 10 s, the read
    /// timeout 5 s: waiting for the timeout would fail this test), and an absolute-form target routes.
    @Test func chunkFramingAndAbsoluteFormTargets() throws {
        let (daemon, _) = try Launch.daemon()
        let bareLF = try RawClient(port: daemon.port, timeoutSeconds: 5)
        bareLF.send("POST /v1/chat HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n")
        let refused = bareLF.readToEnd()
        #expect(statusCodes(in: refused) == [400], "\(refused)")
        #expect(refused.contains("bare LF"))
        let absolute = try RawClient(port: daemon.port)
        absolute.send("GET http://127.0.0.1:\(daemon.port)/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let answer = absolute.readToEnd()
        #expect(statusCodes(in: answer) == [200], "\(answer)")
        #expect(answer.contains("\"ok\""))
    }

    @Test func limitsAnswerWithTheirStatus() throws {
        let (daemon, _) = try Launch.daemon(yaml: Self.fastTimeouts)
        // Body over the configured maximum: 413 without the server reading it all.
        let big = try RawClient(port: daemon.port)
        big.send(
            "POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{")
        let tooLarge = big.readToEnd()
        #expect(statusCodes(in: tooLarge) == [413])
        #expect(tooLarge.contains("\"invalid_request\""))
        // Headers over 16 KiB.
        let headers = try RawClient(port: daemon.port)
        headers.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 17_000))\r\n\r\n")
        #expect(statusCodes(in: headers.readToEnd()) == [431])
        // POST without a length.
        let noLength = try RawClient(port: daemon.port)
        noLength.send("POST /v1/chat HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(statusCodes(in: noLength.read(until: "}")) == [411])
        // Smuggling shapes.
        for request in [
            "POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
            "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n  b\r\n\r\n",
            "POST /v1/chat HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        ] {
            let client = try RawClient(port: daemon.port)
            client.send(request)
            let text = client.readToEnd()
            #expect(statusCodes(in: text) == [400], "\(request.debugDescription) → \(text)")
        }
        // Unsupported content type.
        let form = try curl(daemon.baseURL + "/v1/chat", headers: ["Content-Type": "text/plain"], body: "{}")
        #expect(form.status == 415)
    }

    @Test func slowlorisIsCutAtTheHeaderTimeout() throws {
        let (daemon, _) = try Launch.daemon(yaml: Self.fastTimeouts)
        let client = try RawClient(port: daemon.port)
        let started = Date()
        var closed = false
        for byte in "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".utf8 {
            if !client.send([byte]) { closed = true; break }
            usleep(100_000)
            if Date().timeIntervalSince(started) > 4 { break }
        }
        if !closed { closed = client.isClosedByPeer(within: 3) }
        #expect(closed)
        #expect(Date().timeIntervalSince(started) < 3.5)
        // Other clients were served meanwhile.
        #expect(try curl(daemon.baseURL + "/healthz").status == 200)
    }

    @Test func idleKeepAliveConnectionIsClosed() throws {
        let (daemon, _) = try Launch.daemon(yaml: Self.fastTimeouts)
        let client = try RawClient(port: daemon.port)
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(statusCodes(in: client.read(until: "\"ok\"}")) == [200])
        #expect(client.isClosedByPeer(within: 4))
    }

    @Test func thousandConcurrentConnections() throws {
        let (daemon, _) = try Launch.daemon()
        var clients: [RawClient] = []
        for _ in 0..<1000 { clients.append(try RawClient(port: daemon.port, timeoutSeconds: 20)) }
        for client in clients { client.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") }
        var ok = 0
        for client in clients where statusCodes(in: client.readToEnd()) == [200] { ok += 1 }
        #expect(ok == 1000)
    }

    @Test func configCheckReportsValidAndInvalidFiles() throws {
        let dir = TempDir()
        let good = dir.write("good.yaml", "listen: 127.0.0.1:8089\nlog_level: debug\n")
        let valid = try run(Repo.binary, ["config", "check", "--config", good], environment: ["PATH": "/usr/bin:/bin"])
        #expect(valid.status == 0, "\(valid.stderr)")
        #expect(valid.stdout.contains("8089"))
        let bad = dir.write("bad.yaml", "listen: 127.0.0.1:8089\nlog_levle: debug\n")
        let invalid = try run(
            Repo.binary, ["config", "check", "--config", bad], environment: ["PATH": "/usr/bin:/bin"])
        #expect(invalid.status != 0)
        let output = invalid.stdout + invalid.stderr
        #expect(output.contains("bad.yaml"))
        #expect(output.contains("log_levle"))
    }

    @Test func refusesNonLoopbackWithoutAdminKey() throws {
        let dir = TempDir()
        let config = dir.write("c.yaml", "listen: 0.0.0.0:0\ndatabase: \(dir.path("db"))\n")
        let result = try run(
            Repo.binary, ["serve", "--config", config], environment: ["PATH": "/usr/bin:/bin"], timeout: 20)
        #expect(result.status != 0)
        #expect((result.stdout + result.stderr).lowercased().contains("admin"))
    }

    @Test func connectionsBeyondTheLimitGetA503() throws {
        let (daemon, _) = try Launch.daemon(yaml: "server: {max_connections: 4, idle_timeout_s: 30}")
        let held = try RawClient.held(4, port: daemon.port)
        let extra = try RawClient(port: daemon.port)
        let text = extra.readToEnd()
        #expect(statusCodes(in: text) == [503])
        #expect(text.contains("connection limit"))
        // The held connections still work.
        held[0].send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(statusCodes(in: held[0].readToEnd()) == [200])
    }

    @Test func metricsCountRequestsByRouteAndStatus() throws {
        let (daemon, _) = try Launch.daemon()
        _ = try curl(daemon.baseURL + "/healthz")
        _ = try curl(daemon.baseURL + "/nope")
        let metrics = try curl(daemon.baseURL + "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
        #expect(metrics.body.contains("switchboard_http_requests_total{route=\"/healthz\",status=\"200\"} 1"))
        #expect(metrics.body.contains("switchboard_http_requests_total{route=\"unmatched\",status=\"404\"} 1"))
        #expect(metrics.body.contains("switchboard_open_connections "))
        #expect(
            metrics.body.contains("switchboard_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 1"))
    }

    @Test func expectContinueGetsAnInterimResponse() throws {
        let (daemon, _) = try Launch.daemon()
        let client = try RawClient(port: daemon.port)
        let body = #"{"model":"nobody/x","messages":[{"role":"user","content":"hi"}]}"#
        client.send(
            "POST /v1/chat HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
        #expect(client.read(until: "\r\n\r\n").hasPrefix("HTTP/1.1 100 Continue"))
        client.send(body + "")
        #expect(statusCodes(in: client.read(until: "nobody/x")).last == 404)
    }
}
