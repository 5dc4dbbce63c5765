import Testing
import JSON

/// Documents in the spirit of JSONTestSuite: `y_` must parse, `n_` must be refused with an
/// error (never a crash).
@Suite struct JSONConformanceTests {
    static let accepted: [(String, String)] = [
        ("y_array_empty", "[]"),
        ("y_array_empty_spaces", "[ \t\r\n ]"),
        ("y_array_heterogeneous", #"[null, 1, "1", {}, [], true, false]"#),
        ("y_array_nested", "[[[]],[[]]]"),
        ("y_object_empty", "{}"),
        ("y_object_empty_key", #"{"":0}"#),
        ("y_object_simple", #"{"a":[]}"#),
        ("y_object_duplicated_key", #"{"a":"b","a":"c"}"#),
        ("y_object_escaped_key", #"{"\u0041\n":1}"#),
        ("y_object_long_strings", #"{"x":[{"id": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}], "id": "yyyy"}"#),
        ("y_number_0", "0"),
        ("y_number_minus_zero", "-0"),
        ("y_number_negative_int", "-123"),
        ("y_number_real_fraction", "0.5"),
        ("y_number_real_exponent", "123e45"),
        ("y_number_real_capital_e_pos", "1E+2"),
        ("y_number_real_neg_exp", "1e-2"),
        ("y_number_real_fraction_exponent", "123.456e78"),
        ("y_number_exp_leading_zero", "1e05"),
        ("y_number_huge", "1e999999"),
        ("y_number_long_int", "123456789012345678901234567890"),
        ("y_string_empty", #""""#),
        ("y_string_simple_escapes", #""\"\\\/\b\f\n\r\t""#),
        ("y_string_unicode_escape", #""\u00e9\u4e2d""#),
        ("y_string_surrogate_pair", #""\uD83D\uDE00""#),
        ("y_string_lowercase_surrogates", #""\ud834\udd1e""#),
        ("y_string_escaped_nul", #""\u0000""#),
        ("y_string_utf8_2_3_4", "\"é中😀\""),
        ("y_string_del", "\"\u{7F}\""),
        ("y_string_u2028", "\"\u{2028}\u{2029}\""),
        ("y_string_nonchar_uffff", "\"\u{FFFF}\""),
        ("y_literal_true", "true"),
        ("y_literal_false", " false "),
        ("y_literal_null", "null"),
        ("y_structure_whitespace_around", "\n\r\t [1] \n"),
    ]

    static let rejected: [(String, [UInt8])] = [
        ("n_empty", []),
        ("n_only_whitespace", Array(" \n\t".utf8)),
        ("n_array_trailing_comma", Array("[1,]".utf8)),
        ("n_array_leading_comma", Array("[,1]".utf8)),
        ("n_array_double_comma", Array("[1,,2]".utf8)),
        ("n_array_unclosed", Array("[1".utf8)),
        ("n_array_unclosed_after_comma", Array("[1,".utf8)),
        ("n_array_missing_comma", Array("[1 2]".utf8)),
        ("n_array_colon", Array(#"["a":1]"#.utf8)),
        ("n_array_mismatched_close", Array("[}".utf8)),
        ("n_object_trailing_comma", Array(#"{"a":1,}"#.utf8)),
        ("n_object_unquoted_key", Array("{a:1}".utf8)),
        ("n_object_single_quotes", Array("{'a':1}".utf8)),
        ("n_object_number_key", Array("{1:1}".utf8)),
        ("n_object_missing_colon", Array(#"{"a" 1}"#.utf8)),
        ("n_object_missing_value", Array(#"{"a":}"#.utf8)),
        ("n_object_unclosed", Array(#"{"a":1"#.utf8)),
        ("n_object_comma_only", Array("{,}".utf8)),
        ("n_object_comment", Array(#"{"a":1 /* c */}"#.utf8)),
        ("n_object_line_comment", Array("{\"a\":1 // c\n}".utf8)),
        ("n_number_leading_zero", Array("01".utf8)),
        ("n_number_neg_leading_zero", Array("-01".utf8)),
        ("n_number_plus", Array("+1".utf8)),
        ("n_number_minus_alone", Array("-".utf8)),
        ("n_number_dot_start", Array(".5".utf8)),
        ("n_number_dot_end", Array("1.".utf8)),
        ("n_number_dot_e", Array("1.e3".utf8)),
        ("n_number_exp_empty", Array("1e".utf8)),
        ("n_number_exp_sign_only", Array("1e+".utf8)),
        ("n_number_hex", Array("0x1".utf8)),
        ("n_number_nan", Array("NaN".utf8)),
        ("n_number_infinity", Array("Infinity".utf8)),
        ("n_number_neg_infinity", Array("-Infinity".utf8)),
        ("n_number_space_inside", Array("1 000".utf8)),
        ("n_string_unterminated", Array(#""abc"#.utf8)),
        ("n_string_single_quote", Array("'a'".utf8)),
        ("n_string_bad_escape", Array(#""\x""#.utf8)),
        ("n_string_escape_uppercase_u", Array(#""\U0041""#.utf8)),
        ("n_string_escape_at_end", Array(#""\"#.utf8)),
        ("n_string_short_unicode", Array(#""\u12""#.utf8)),
        ("n_string_bad_hex", Array(#""\u00G0""#.utf8)),
        ("n_string_lone_high_surrogate", Array(#""\uD800""#.utf8)),
        ("n_string_lone_high_then_text", Array(#""\uD800abc""#.utf8)),
        ("n_string_high_high", Array(#""\uD800\uD800""#.utf8)),
        ("n_string_lone_low_surrogate", Array(#""\uDC00""#.utf8)),
        ("n_string_high_then_escape", Array(#""\uD800\n""#.utf8)),
        ("n_string_raw_newline", Array("\"a\nb\"".utf8)),
        ("n_string_raw_tab", Array("\"a\tb\"".utf8)),
        ("n_string_raw_nul", [0x22, 0x00, 0x22]),
        ("n_string_raw_control_after_escape", Array("\"\\n\u{1F}\"".utf8)),
        ("n_utf8_invalid_continuation", [0x22, 0xC3, 0x28, 0x22]),
        ("n_utf8_lone_continuation", [0x22, 0x80, 0x22]),
        ("n_utf8_overlong_slash", [0x22, 0xC0, 0xAF, 0x22]),
        ("n_utf8_encoded_surrogate", [0x22, 0xED, 0xA0, 0x80, 0x22]),
        ("n_utf8_above_max", [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22]),
        ("n_utf8_truncated", [0x22, 0xE4, 0xB8, 0x22]),
        ("n_utf8_ff", [0x22, 0xFF, 0x22]),
        ("n_utf8_invalid_in_escaped_string", [0x22, 0x5C, 0x6E, 0xC3, 0x22]),
        ("n_utf8_invalid_in_key", [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]),
        ("n_utf8_bom", [0xEF, 0xBB, 0xBF, 0x7B, 0x7D]),
        ("n_literal_truncated_true", Array("tru".utf8)),
        ("n_literal_capital_true", Array("True".utf8)),
        ("n_literal_nul", Array("nul".utf8)),
        ("n_literal_undefined", Array("undefined".utf8)),
        ("n_garbage_after_value", Array("[1]x".utf8)),
        ("n_two_values", Array("1 2".utf8)),
        ("n_two_objects", Array("{}{}".utf8)),
        ("n_true_suffix", Array("truex".utf8)),
        ("n_trailing_nul", Array("1\u{0}".utf8)),
        ("n_form_feed_whitespace", Array("\u{0C}[]".utf8)),
        ("n_nbsp_whitespace", Array("\u{A0}[]".utf8)),
        ("n_structure_close_only", Array("]".utf8)),
    ]

    @Test(arguments: accepted)
    func acceptsValidDocument(_ name: String, _ text: String) throws {
        let value = try JSONValue.parse(text)
        // Every accepted document survives serialize → parse.
        #expect(try JSONValue.parse(value.serialized()) == value, "\(name)")
    }

    @Test(arguments: rejected)
    func rejectsInvalidDocument(_ name: String, _ bytes: [UInt8]) {
        #expect(throws: JSONParseError.self, "\(name)") { try JSONValue.parse(bytes) }
    }

    @Test func errorsCarryOffsetAndReason() {
        func error(_ text: String) -> JSONParseError? {
            do { _ = try JSONValue.parse(text); return nil } catch { return error }
        }
        #expect(error("[1,]")?.offset == 3)
        #expect(error("[1,]")?.reason.isEmpty == false)
        #expect(error("01")?.offset == 1)
        #expect(error("01")?.reason == "leading zero in number")
        #expect(error(#"{"a" 1}"#)?.offset == 5)
        #expect(error("[1] x")?.offset == 4)
        #expect(error("")?.offset == 0)
        #expect(error(#"["\q"]"#)?.offset == 2)
        #expect(error(#""\uDC00""#)?.reason == "lone low surrogate")
        #expect(error("[1]x").map { "\($0)" } == "unexpected data after the JSON value at byte 3")
    }

    @Test func nestingUpToTheLimitParses() throws {
        let depth = 256
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        var value = try JSONValue.parse(text)
        var levels = 0
        while let inner = value.arrayValue {
            levels += 1
            guard let next = inner.first else { break }
            value = next
        }
        #expect(levels == depth)
        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        #expect(throws: Never.self) { try JSONValue.parse(objects) }
    }

    @Test func nestingBeyondTheLimitIsAnError() {
        #expect(throws: JSONParseError.self) {
            try JSONValue.parse(String(repeating: "[", count: 257) + String(repeating: "]", count: 257))
        }
        #expect(throws: JSONParseError.self) {
            try JSONValue.parse(String(repeating: #"{"a":"#, count: 257) + "1" + String(repeating: "}", count: 257))
        }
        // A hostile depth fails fast instead of overflowing the stack.
        do {
            _ = try JSONValue.parse(String(repeating: "[", count: 1_000_000))
            Issue.record("expected a depth error")
        } catch {
            #expect(error.offset == 256)
            #expect(error.reason.contains("256"))
        }
    }
}
