import Foundation
import Testing
@Test func perfProbe() throws {
    let h = try EmulatorHarness()
    let lua = "/tmp/emu-post.lua"
    try #"""
    wrk.method = "POST"
    wrk.body = '{"model":"text+chunks=20","messages":[{"role":"user","content":"hi"}],"stream":true}'
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Authorization"] = "Bearer k"
    """#.write(toFile: lua, atomically: true, encoding: .utf8)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
    p.arguments = ["-t1", "-c32", "-d3s", "-s", lua, h.base + "/v1/chat/completions"]
    try p.run(); p.waitUntilExit()
    print(try h.recorded(limit: 1).first?["seq"] ?? "none")
}
