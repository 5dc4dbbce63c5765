import ChatModel
import JSON
import Testing
@testable import Providers

/// The OpenAI door's first chunk, finish chunk and usage chunk are written directly (issue 13: the
/// trees cost ~20k instructions per stream). Each is held to the tree it replaces, byte for byte.
@Suite("OpenAI door set-up and end chunks written directly")
struct OpenAIChunkBytesTests {
    /// The chunk as the encoder built it before, from a tree.
    private static func treeChunk(
        id: String, model: String, created: Int, delta: JSONValue, finish: String?
    ) -> String {
        let choice = JSONObject([
            ("index", 0), ("delta", delta), ("finish_reason", finish.map { .string($0) } ?? .null),
        ])
        return line(
            JSONObject([
                ("id", .string(id)), ("object", "chat.completion.chunk"), ("created", .int(created)),
                ("model", .string(model)), ("choices", [.object(choice)]),
            ]))
    }

    private static func treeUsageChunk(id: String, model: String, created: Int, usage: Usage) -> String {
        line(
            JSONObject([
                ("id", .string(id)), ("object", "chat.completion.chunk"), ("created", .int(created)),
                ("model", .string(model)), ("choices", []), ("usage", OpenAIUsage.wire(usage)),
            ]))
    }

    private static func line(_ object: JSONObject) -> String {
        var out = Array("data: ".utf8)
        JSONValue.object(object).write(into: &out)
        out.append(contentsOf: [0x0A, 0x0A])
        return String(decoding: out, as: UTF8.self)
    }

    static let starts: [(id: String, model: String, created: Int)] = [
        ("chatcmpl-1", "gpt-4o-mini", 1_795_927_784), ("", "", 0), ("id \"q\" \u{1}\\ é\n", "m/\u{7f}\t", -5),
        ("x", "gemini-2.0-flash", Int.max), ("y", "claude", Int.min),
    ]

    static let usages: [Usage] = {
        var priced = Usage(inputTokens: 12, outputTokens: 7, cacheReadTokens: 3, reasoningTokens: 2)
        priced.costUSD = 0.000125
        return [Usage.zero, priced, Usage(inputTokens: Int.max, outputTokens: 1)]
    }()

    static let finishes: [FinishReason] = [.stop, .length, .toolCalls, .contentFilter, .error, .cancelled]

    @Test(arguments: 0..<starts.count)
    func theFirstChunkIsTheTreesBytes(_ which: Int) {
        let (id, model, created) = Self.starts[which]
        let encoder = OpenAIChunkEncoder(includeUsage: false)
        var out: [UInt8] = []
        encoder.encode(.start(id: id, model: model, provider: "openai", created: created), into: &out)
        let expected = Self.treeChunk(
            id: id, model: model, created: created, delta: ["role": "assistant", "content": ""], finish: nil)
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    @Test(arguments: 0..<starts.count, 0..<usages.count)
    func theEndIsTheTreesBytes(_ which: Int, _ usageIndex: Int) {
        let (id, model, created) = Self.starts[which]
        let usage = Self.usages[usageIndex]
        for finish in Self.finishes {
            for includeUsage in [false, true] {
                let encoder = OpenAIChunkEncoder(includeUsage: includeUsage)
                var out: [UInt8] = []
                encoder.encode(.start(id: id, model: model, provider: "openai", created: created), into: &out)
                out.removeAll()
                encoder.encode(.usage(usage), into: &out)
                encoder.encode(.done(finish, providerFinishReason: nil), into: &out)
                var expected = Self.treeChunk(
                    id: id, model: model, created: created, delta: .object(JSONObject()),
                    finish: OpenAIFinishReason.wire(finish))
                if includeUsage {
                    expected += Self.treeUsageChunk(id: id, model: model, created: created, usage: usage)
                }
                expected += "data: [DONE]\n\n"
                #expect(String(decoding: out, as: UTF8.self) == expected, "\(finish) \(includeUsage)")
            }
        }
    }

    /// Never on the relay's path (it always sends `start` first), but the encoder is public.
    @Test func anEndWithoutAStartIsTheTreesBytes() {
        let encoder = OpenAIChunkEncoder(includeUsage: true)
        var out: [UInt8] = []
        encoder.encode(.usage(Self.usages[1]), into: &out)
        encoder.encode(.done(.length, providerFinishReason: nil), into: &out)
        let expected =
            Self.treeChunk(id: "", model: "", created: 0, delta: .object(JSONObject()), finish: "length")
            + Self.treeUsageChunk(id: "", model: "", created: 0, usage: Self.usages[1]) + "data: [DONE]\n\n"
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }
}
