import JSON
import Testing

@testable import ChatModel

/// The unified door finds a body's members in one pass (`ChatRequestMembers`, by length and
/// then name): every top-level key it accepts is a member under its own name, nothing else is,
/// and a body with any other key still meets the unknown-field check.
@Suite("Unified request: members found in one pass")
struct ChatRequestMembersTests {
    @Test func everyAcceptedKeyIsAMemberAndNoOtherNameIsOne() {
        for key in ChatRequest.allTopKeys {
            guard let member = ChatRequestMembers.member(key) else {
                Issue.record("\(key) is not a member")
                continue
            }
            #expect(member.wireName == key)
        }
        #expect(ChatRequest.allTopKeys.count == ChatRequestMembers.Member.allCases.count)
        // Nearby names (a letter more or less, another first letter, other case, a blank) are not members.
        for key in ChatRequest.allTopKeys {
            for near in [key + "s", String(key.dropLast()), "x" + key.dropFirst(), key.uppercased(), " " + key] {
                guard !ChatRequest.allTopKeys.contains(near) else { continue }
                #expect(ChatRequestMembers.member(near) == nil, "\(near)")
            }
        }
    }

    @Test func membersAreReadAndOtherKeysNoticedWhateverTheirValue() throws {
        let head = #"{"model":"m","messages":[{"role":"user","content":"hi"}]"#
        let known = ChatRequestMembers(try FieldReader.object(try JSONValue.parse(head + #","seed":null}"#), at: ""))
        #expect(!known.hasOtherKeys)
        #expect(known[.model] == "m" && known[.seed] == .null && known[.stop] == nil)
        let other = ChatRequestMembers(try FieldReader.object(try JSONValue.parse(head + #","top_q":null}"#), at: ""))
        #expect(other.hasOtherKeys)
    }

    @Test func theFirstUnknownKeyIsNamedEvenWhenNull() throws {
        let body = try JSONValue.parse(#"{"model":"m","top_q":null,"messages":[],"zeta":1}"#)
        #expect(throws: GatewayError.invalidRequest("top_q: unknown field", param: "top_q")) {
            try ChatRequest.decode(body)
        }
        let extra = try JSONValue.parse(#"{"model":"m","max_steps":2,"messages":[{"role":"user","content":"x"}]}"#)
        #expect(try ChatRequest.decode(extra, extraKeys: ["max_steps"]).messages.count == 1)
        #expect(throws: GatewayError.invalidRequest("max_steps: unknown field", param: "max_steps")) {
            try ChatRequest.decode(extra)
        }
    }
}
