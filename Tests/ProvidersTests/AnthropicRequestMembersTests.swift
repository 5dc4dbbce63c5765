import ChatModel
import JSON
import Testing

@testable import Providers

/// The Anthropic door finds a body's members in one pass (`AnthropicRequestMembers`, by length
/// and then name): every name the door knows lands where the translator's lists say, nothing
/// else is taken for one of them, and unknown or refused fields still meet their checks.
@Suite("Anthropic door: members found in one pass")
struct AnthropicRequestMembersTests {
    @Test func everyKnownNameHasItsPlaceAndNoOtherNameHasOne() {
        let refused = Set(AnthropicRequestTranslator.refusedFields.map(\.key))
        for key in AnthropicRequestTranslator.known {
            if refused.contains(key) {
                #expect(AnthropicRequestMembers.place(key) == .unmapped, "\(key)")
            } else {
                guard case .mapped(let member)? = AnthropicRequestMembers.place(key) else {
                    Issue.record("\(key) has no place")
                    continue
                }
                #expect(member.wireName == key)
            }
        }
        #expect(AnthropicRequestTranslator.mapped.count == AnthropicRequestMembers.Member.allCases.count)
        #expect(AnthropicRequestTranslator.known.count == AnthropicRequestMembers.Member.allCases.count + refused.count)
        // Nearby names (a letter more or less, another first letter, other case, a blank) have no place.
        for key in AnthropicRequestTranslator.known {
            for near in [key + "s", String(key.dropLast()), "x" + key.dropFirst(), key.uppercased(), " " + key] {
                guard !AnthropicRequestTranslator.known.contains(near) else { continue }
                #expect(AnthropicRequestMembers.place(near) == nil, "\(near)")
            }
        }
    }

    @Test func unknownAndRefusedFieldsAreCaughtAndNullsAskForNothing() throws {
        let head = #"{"model":"m","max_tokens":8,"messages":[{"role":"user","content":"hi"}]"#
        #expect(
            throws: GatewayError.invalidRequest(
                "top_q: unknown field (this gateway maps every field it accepts)", param: "top_q")
        ) {
            try AnthropicRequestTranslator.translate(try JSONValue.parse(head + #","top_q":1,"zeta":2}"#))
        }
        #expect(throws: GatewayError.invalidRequest("top_k: top_k has no equivalent at every provider", param: "top_k"))
        {
            try AnthropicRequestTranslator.translate(try JSONValue.parse(head + #","top_k":5}"#))
        }
        let nulls = try JSONValue.parse(head + #","top_q":null,"top_k":null,"temperature":null,"stream":true}"#)
        let request = try AnthropicRequestTranslator.translate(nulls)
        #expect(request.temperature == nil && request.stream && request.maxTokens == 8)
        let members = AnthropicRequestMembers.read(try FieldReader.object(nulls, at: ""))
        #expect(!members.sendsUnmappedFields && !members.sendsUnknownFields)
        #expect(members[.model] == "m" && members[.temperature] == .null && members[.system] == nil)
    }
}
