import ChatModel
import Testing
@testable import Gateway

@Suite("Usage estimate of cut streams")
struct UsageEstimateTests {
    @Test func aCompletedStreamKeepsTheProvidersNumbers() {
        let reported = Usage(inputTokens: 10, outputTokens: 3)
        let (usage, estimated) = UsageEstimate.settle(reported, cut: false, deliveredBytes: 400, inputTokens: 99)
        #expect(usage == reported)
        #expect(!estimated)
    }

    @Test func aCutStreamCountsWhatWasDeliveredAndTheRequest() {
        let (usage, estimated) = UsageEstimate.settle(.zero, cut: true, deliveredBytes: 41, inputTokens: 7)
        #expect(estimated)
        #expect(usage.outputTokens == 11)
        #expect(usage.inputTokens == 7)
        #expect(usage.totalTokens == 18)
    }

    /// Anthropic's message_start says input 13, output 1 (a placeholder): input stands, output grows.
    @Test func reportedInputStandsAndAPlaceholderOutputGrows() {
        let reported = Usage(inputTokens: 13, outputTokens: 1, cacheReadTokens: 4)
        let (usage, estimated) = UsageEstimate.settle(reported, cut: true, deliveredBytes: 20, inputTokens: 999)
        #expect(estimated)
        #expect(usage.inputTokens == 13)
        #expect(usage.outputTokens == 5)
        #expect(usage.cacheReadTokens == 4)
        #expect(usage.totalTokens == 18)
    }

    @Test func aCutStreamWithFullUsageIsNotEstimated() {
        let reported = Usage(inputTokens: 13, outputTokens: 50)
        let (usage, estimated) = UsageEstimate.settle(reported, cut: true, deliveredBytes: 20, inputTokens: 5)
        #expect(usage == reported)
        #expect(!estimated)
    }

    @Test func aCompletedStreamThatReportedZeroKeepsZero() {
        let (usage, estimated) = UsageEstimate.settle(.zero, cut: false, deliveredBytes: 8, inputTokens: 3)
        #expect(!estimated)
        #expect(usage == .zero)
    }

    @Test func theRequestEstimateRoundsUpAndCountsImagesAndTools() {
        var request = ChatRequest(model: "m", messages: [.text(.user, "hi")])
        #expect(UsageEstimate.inputTokens(of: request) == 1)
        request.messages.append(Message(role: .user, content: [.image(ImagePart(url: "http://x/y.png"))]))
        #expect(UsageEstimate.inputTokens(of: request) == 801)
        #expect(UsageEstimate.tokens(bytes: 0) == 0)
        #expect(UsageEstimate.tokens(bytes: 4) == 1)
        #expect(UsageEstimate.tokens(bytes: 5) == 2)
    }
}
