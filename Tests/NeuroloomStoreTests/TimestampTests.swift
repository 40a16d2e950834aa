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

/// RFC 3339 as people write it (issue 13: a sixth fraction digit used to kill the process).
@Suite struct TimestampParsingTests {
    static let newYear2026: Int64 = 1_767_225_600_000

    @Test func theFilterValueThatTrappedParses() {
        #expect(Timestamp(iso8601: "2026-01-01T00:00:00.123456Z")?.millisecondsSinceEpoch == Self.newYear2026 + 123)
    }

    @Test(arguments: 1...12)
    func anyNumberOfFractionDigitsKeepsMillisecondsAndTruncatesTheRest(_ digits: Int) {
        let fraction = String("987654321987".prefix(digits))
        let expected = Int64(String((fraction + "00").prefix(3)))!
        #expect(Timestamp(iso8601: "2026-01-01T00:00:00.\(fraction)Z")?.millisecondsSinceEpoch == Self.newYear2026 + expected, "\(digits) digits")
    }

    @Test func offsetsLowerCaseAndBareDates() {
        let cases: [(String, Int64)] = [
            ("2026-01-01T01:00:00+01:00", Self.newYear2026),
            ("2025-12-31T18:30:00.5-05:30", Self.newYear2026 + 500),
            ("2026-01-01T00:00:00-00:00", Self.newYear2026),
            ("2026-01-01T23:59:00+23:59", Self.newYear2026),
            ("2026-01-01t00:00:00z", Self.newYear2026),
            ("2026-01-01 00:00:00Z", Self.newYear2026),
            ("2026-01-01T00:00Z", Self.newYear2026),
            ("2026-01-01", Self.newYear2026),
            ("2024-02-29T12:00:00Z", 1_709_208_000_000),
            ("0000-01-01T00:00:00Z", -62_167_219_200_000),
            ("9999-12-31T23:59:59.999999999Z", 253_402_300_799_999),
        ]
        for (text, expected) in cases {
            #expect(Timestamp(iso8601: text)?.millisecondsSinceEpoch == expected, "\(text)")
        }
    }

    @Test func everythingElseIsRefused() {
        let refused = [
            "", "2026", "2026-01", "2026-1-01", "2026-01-1", "20260101", "2026-13-01", "2026-00-10", "2026-01-00",
            "2026-02-29", "2024-02-30", "2026-04-31", "2026-01-01T", "2026-01-01T00:00:00", "2026-01-01T00Z",
            "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z", "2026-01-01T00:00:60Z", "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00,5Z", "2026-01-01T00:00.5Z", "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00+01:60",
            "2026-01-01T00:00:00+0100", "2026-01-01T00:00:00+01", "2026-01-01T00:00:00Zjunk", " 2026-01-01", "2026-01-01 ",
            "2026-01-01T00:00:00.123456Z ", "-2026-01-01", "+02026-01-01", "２０２６-01-01", "٢٠٢٦-01-01",
            "2026-01-01T00:00:00.1٢Z", "2026-01-01X00:00:00Z", "2026-01-01T00:00:00UTC",
        ]
        for text in refused {
            #expect(Timestamp(iso8601: text) == nil, "\(text.debugDescription)")
        }
    }

    @Test func addingSaturatesInsteadOfOverflowing() {
        #expect(Timestamp(millisecondsSinceEpoch: .max - 1).adding(milliseconds: 10).millisecondsSinceEpoch == .max)
        #expect(Timestamp(millisecondsSinceEpoch: .min + 1).adding(milliseconds: -10).millisecondsSinceEpoch == .min)
        #expect(Timestamp(millisecondsSinceEpoch: 5).adding(milliseconds: -7).millisecondsSinceEpoch == -2)
    }

    @Test func extremeStoredTimesFormatWithoutTrapping() {
        for millis in [Int64.min, Int64.max, -62_167_219_200_001, 253_402_300_800_000] {
            let text = Timestamp(millisecondsSinceEpoch: millis).iso8601
            #expect(!text.isEmpty)
            #expect(Timestamp(iso8601: text) == nil, "\(text) is outside four-digit years")
        }
    }
}
