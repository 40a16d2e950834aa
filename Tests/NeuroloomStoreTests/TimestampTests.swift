import Testing
@testable import NeuroloomStore

@Suite struct TimestampTests {
    @Test func formatsKnownInstants() {
        #expect(Timestamp(millisecondsSinceEpoch: 0).iso8601 == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(millisecondsSinceEpoch: 1_790_000_000_123).iso8601 == "2026-09-21T14:13:20.123Z")
        #expect(Timestamp(millisecondsSinceEpoch: 951_782_400_007).iso8601 == "2000-02-29T00:00:00.007Z")
        #expect(Timestamp(millisecondsSinceEpoch: -1).iso8601 == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp(millisecondsSinceEpoch: 253_402_300_799_999).iso8601 == "9999-12-31T23:59:59.999Z")
    }

    @Test func formattingAndParsingRoundTrip() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let millis = Int64.random(in: -62_135_596_800_000...253_402_300_799_999, using: &generator)
            let text = Timestamp(millisecondsSinceEpoch: millis).iso8601
            #expect(text.utf8.count == 24, "\(text)")
            #expect(Timestamp(iso8601: text)?.millisecondsSinceEpoch == millis, "\(text)")
        }
    }
}
