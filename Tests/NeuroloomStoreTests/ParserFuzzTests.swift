import Foundation
import NeuroloomTestSupport
import PropertyBased
import Synchronization
import Testing
@testable import NeuroloomStore

/// Fuzzing the text parsers every request goes through — timestamps, ids, API keys, list cursors —
/// with random text and with small edits of valid text. A failure is a trap or a wrong answer:
/// each parser is compared with a small reference written independently of it (a regular
/// expression, a 128-bit integer, a bitwise CRC, Foundation's base64). Seeds: see ``fuzz(_:count:make:check:sourceLocation:)``.
@Suite struct ParserFuzzTests {
    // MARK: Timestamps

    @Test func generatedTimestampsParseToTheReferenceInstant() async {
        await fuzz("timestamps.generated", count: 20_000, make: { rng in ReferenceTimestamp.randomValid(using: &rng) }) { text in
            let expected = ReferenceTimestamp.milliseconds(text)
            #expect(expected != nil, "the generator made \(text.debugDescription), which the reference refuses")
            #expect(Timestamp(iso8601: text)?.millisecondsSinceEpoch == expected, "\(text.debugDescription)")
        }
    }

    @Test func editedTimestampsAgreeWithTheReferenceGrammar() async {
        await fuzz("timestamps.edited", count: 40_000, make: { rng in
            let valid = Array(ReferenceTimestamp.randomValid(using: &rng).utf8)
            let edited = ByteMutations.mutate(valid, edits: 1...3, alphabet: ReferenceTimestamp.alphabet, using: &rng)
            return String(decoding: edited, as: UTF8.self)
        }) { text in
            #expect(Timestamp(iso8601: text)?.millisecondsSinceEpoch == ReferenceTimestamp.milliseconds(text), "\(text.debugDescription)")
        }
    }

    @Test func randomTimestampTextAgreesWithTheReferenceGrammar() async {
        await fuzz("timestamps.random", count: 15_000, make: { rng in
            String(decoding: ByteMutations.random(count: 0...40, alphabet: ReferenceTimestamp.alphabet, using: &rng), as: UTF8.self)
        }) { text in
            #expect(Timestamp(iso8601: text)?.millisecondsSinceEpoch == ReferenceTimestamp.milliseconds(text), "\(text.debugDescription)")
        }
    }

    @Test func anyStoredInstantFormatsAndFourDigitYearsRoundTrip() async {
        await fuzz("timestamps.format", count: 10_000, make: { rng in
            Int.random(in: 0..<4, using: &rng) == 0
                ? [Int64.min, Int64.max, -1, 0, -62_135_596_800_001, 253_402_300_800_000][Int.random(in: 0..<6, using: &rng)]
                : Int64.random(in: .min ... .max, using: &rng)
        }) { millis in
            let text = Timestamp(millisecondsSinceEpoch: millis).iso8601  // any Int64 from disk: no trap
            if (-62_167_219_200_000...253_402_300_799_999).contains(millis) {  // 0000-01-01 … 9999-12-31
                #expect(Timestamp(iso8601: text)?.millisecondsSinceEpoch == millis, "\(text)")
            } else {
                #expect(Timestamp(iso8601: text) == nil, "\(text) has no four-digit year")
            }
            _ = Timestamp(millisecondsSinceEpoch: millis).adding(milliseconds: millis)  // saturates
        }
    }

    // MARK: Identifiers

    @Test func editedAndRandomIdsAgreeWithTheReferenceDecoder() async {
        await fuzz("ids.text", count: 30_000, make: { rng -> String in
            let prefix = ["", "mem_", "ws_", "key_"][Int.random(in: 0..<4, using: &rng)]
            let ulid = ULID(high: rng.next(), low: rng.next())
            let valid = Array((prefix + ulid.text).utf8)
            let bytes = Int.random(in: 0..<5, using: &rng) == 0
                ? ByteMutations.random(count: 0...34, alphabet: ReferenceIdentifier.alphabet, using: &rng)
                : ByteMutations.mutate(valid, edits: 1...2, alphabet: ReferenceIdentifier.alphabet, using: &rng)
            return String(decoding: bytes, as: UTF8.self)
        }) { text in
            let expected = ReferenceIdentifier.value(text.utf8)
            #expect(ULID(text: text).map(ReferenceIdentifier.value(of:)) == expected, "\(text.debugDescription)")
            for (prefix, parsed) in [("mem_", MemoryID(text)?.ulid), ("ws_", WorkspaceID(text)?.ulid), ("key_", KeyID(text)?.ulid)] {
                let reference = text.utf8.starts(with: prefix.utf8) ? ReferenceIdentifier.value(text.utf8.dropFirst(prefix.utf8.count)) : nil
                #expect(parsed.map(ReferenceIdentifier.value(of:)) == reference, "\(prefix) \(text.debugDescription)")
            }
            if let id = MemoryID(text) { #expect(id.description == text, "canonical: the text is the only spelling") }
        }
    }

    @Test func storedIdBytesOfAnyLengthAreCheckedNotTrusted() async {
        await fuzz("ids.bytes", count: 10_000, make: { rng in
            ByteMutations.random(count: Int.random(in: 0..<3, using: &rng) == 0 ? 16...16 : 0...33, using: &rng)
        }) { bytes in
            let ulid = ULID(storedBytes: bytes)
            #expect((ulid != nil) == (bytes.count == 16))
            if let ulid {
                #expect(ulid.bytes == bytes)
                #expect(ReferenceIdentifier.value(of: ulid) == bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) })
                #expect(ULID(text: ulid.text) == ulid)
            }
        }
    }

    // MARK: API keys

    @Test func editedAndRandomKeysAgreeWithTheReferenceChecksum() async {
        await fuzz("apiKeys", count: 20_000, make: { rng -> String in
            let valid = ReferenceKey.randomValid(using: &rng)
            switch Int.random(in: 0..<8, using: &rng) {
            case 0: return valid
            case 1: return String(decoding: ByteMutations.random(count: 40...50, alphabet: ReferenceKey.alphabet, using: &rng), as: UTF8.self)
            default: return String(decoding: ByteMutations.mutate(Array(valid.utf8), edits: 1...2, alphabet: ReferenceKey.alphabet, using: &rng), as: UTF8.self)
            }
        }) { text in
            let expected = ReferenceKey.environment(of: text)
            let parsed = APIKeySecret(parsing: text)
            #expect(parsed?.environment == expected, "\(text.debugDescription)")
            if let parsed { #expect(parsed.value == text) }
        }
    }

    // MARK: List cursors

    @Test func cursorsRoundTripAndEditedCursorsAgreeWithFoundationBase64() async {
        await fuzz("cursors", count: 10_000, make: { rng -> (id: MemoryID, text: String) in
            let id = MemoryID(ulid: ULID(high: rng.next(), low: rng.next()))
            let valid = Array(ListCursor.encode(id).utf8)
            let text: [UInt8]
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: text = valid
            case 1: text = ByteMutations.random(count: 0...30, alphabet: ReferenceCursor.alphabet, using: &rng)
            default: text = ByteMutations.mutate(valid, edits: 1...2, alphabet: ReferenceCursor.alphabet, using: &rng)
            }
            return (id, String(decoding: text, as: UTF8.self))
        }) { input in
            #expect((try? ListCursor.decode(ListCursor.encode(input.id))) == input.id)
            let expected = ReferenceCursor.memory(input.text)
            let decoded: MemoryID?
            do throws(StoreError) {
                decoded = try ListCursor.decode(input.text)
            } catch {
                decoded = nil
                #expect(error == .invalid(field: "cursor", message: "is not a cursor returned by this API"))
            }
            #expect(decoded == expected, "\(input.text.debugDescription)")
        }
    }
}

// MARK: - References

/// RFC 3339 as ``Timestamp/init(iso8601:)`` documents it, written apart from the parser: a regular
/// expression for the grammar, then range checks and date arithmetic by counting leap years.
enum ReferenceTimestamp {
    /// The bytes the grammar is made of, for edits that stay near it.
    static let alphabet = Array("0123456789-:.TtZz+ 0123456789".utf8)

    /// Regex is not Sendable; one lock-protected instance serves every test.
    private static let pattern = Mutex(
        try! Regex(#"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[Tt ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?(Z|z|([+-])([0-9]{2}):([0-9]{2})))?"#)
            .matchingSemantics(.unicodeScalar))

    static func milliseconds(_ text: String) -> Int64? {
        // The captures as strings (nil when the group did not take part).
        let groups: [String?]? = pattern.withLock { regex in
            guard let match = try? regex.wholeMatch(in: text) else { return nil }
            return (0..<match.output.count).map { match.output[$0].substring.map(String.init) }
        }
        guard let groups else { return nil }
        func number(_ index: Int) -> Int64 { groups[index].flatMap { Int64($0) } ?? 0 }
        let year = number(1), month = number(2), day = number(3)
        let hour = number(4), minute = number(5), second = number(6)
        guard (1...12).contains(month), day >= 1, day <= daysIn(month, year), hour < 24, minute < 60, second < 60 else { return nil }
        let fraction = groups[7].map { Int64(($0 + "00").prefix(3))! } ?? 0
        var offset: Int64 = 0
        if let sign = groups[9] {
            let hours = number(10), minutes = number(11)
            guard hours < 24, minutes < 60 else { return nil }
            offset = (sign == "-" ? -1 : 1) * (hours * 60 + minutes)
        }
        let days = daysSinceYearZero(year, month, day) - daysSinceYearZero(1970, 1, 1)
        return days * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + fraction - offset * 60_000
    }

    static func isLeap(_ year: Int64) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysIn(_ month: Int64, _ year: Int64) -> Int64 {
        [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][Int(month) - 1]
    }

    /// Days from 0000-01-01 (proleptic Gregorian), by counting the leap years before `year`.
    static func daysSinceYearZero(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let leapYearsBefore = (year + 3) / 4 - (year + 99) / 100 + (year + 399) / 400
        let monthStarts: [Int64] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
        return 365 * year + leapYearsBefore + monthStarts[Int(month) - 1] + (month > 2 && isLeap(year) ? 1 : 0) + day - 1
    }

    /// A random text the grammar accepts, in every accepted shape.
    static func randomValid(using rng: inout some RandomNumberGenerator) -> String {
        func digits(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let year = Int64.random(in: 0...9999, using: &rng)
        let month = Int64.random(in: 1...12, using: &rng)
        let day = Int64.random(in: 1...daysIn(month, year), using: &rng)
        var text = "\(digits(year, 4))-\(digits(month, 2))-\(digits(day, 2))"
        guard Int.random(in: 0..<8, using: &rng) != 0 else { return text }
        text += ["T", "t", " "][Int.random(in: 0..<3, using: &rng)]
        text += "\(digits(Int64.random(in: 0...23, using: &rng), 2)):\(digits(Int64.random(in: 0...59, using: &rng), 2))"
        if Int.random(in: 0..<6, using: &rng) != 0 {
            text += ":\(digits(Int64.random(in: 0...59, using: &rng), 2))"
            if Int.random(in: 0..<3, using: &rng) != 0 {
                text += "." + String((0..<Int.random(in: 1...12, using: &rng)).map { _ in "0123456789".randomElement(using: &rng)! })
            }
        }
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: text += "Z"
        case 1: text += "z"
        default:
            text += (Bool.random(using: &rng) ? "+" : "-")
                + "\(digits(Int64.random(in: 0...23, using: &rng), 2)):\(digits(Int64.random(in: 0...59, using: &rng), 2))"
        }
        return text
    }
}

/// Crockford base32 decoded into a 128-bit integer, apart from ``ULID``'s word arithmetic.
enum ReferenceIdentifier {
    static let digits = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)
    static let alphabet = digits + Array("ABCDEFGHJKMNPQRSTVWXYZilou_-mewsky".utf8)

    /// The value of exactly 26 digits fitting 128 bits, or `nil`.
    static func value(_ text: some Collection<UInt8>) -> UInt128? {
        guard text.count == 26 else { return nil }
        var value: UInt128 = 0
        for byte in text {
            guard let digit = digits.firstIndex(of: byte) else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 32)
            guard !overflow else { return nil }
            value = shifted + UInt128(digit)
        }
        return value
    }

    static func value(of ulid: ULID) -> UInt128 {
        ulid.bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
    }
}

/// The API key format with a bitwise CRC-32 (no table) and base62 arithmetic of its own.
enum ReferenceKey {
    static let base62 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    static let alphabet = base62 + Array("nlk_livetst_-+/= ".utf8)

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 0 ? 0 : 0xEDB8_8320) }
        }
        return ~crc
    }

    static func checksum(_ body: [UInt8]) -> [UInt8] {
        var value = UInt64(crc32(body))
        var characters: [UInt8] = []
        for _ in 0..<6 {
            characters.insert(base62[Int(value % 62)], at: 0)
            value /= 62
        }
        return characters
    }

    static func environment(of text: String) -> WorkspaceEnvironment? {
        let bytes = Array(text.utf8)
        guard bytes.count == 47 else { return nil }
        let environment: WorkspaceEnvironment
        switch String(decoding: bytes[0..<9], as: UTF8.self) {
        case "nlk_live_": environment = .live
        case "nlk_test_": environment = .test
        default: return nil
        }
        guard bytes[9...].allSatisfy(base62.contains), Array(bytes[41...]) == checksum(Array(bytes[..<41])) else { return nil }
        return environment
    }

    static func randomValid(using rng: inout some RandomNumberGenerator) -> String {
        var body = Array((Bool.random(using: &rng) ? "nlk_live_" : "nlk_test_").utf8)
        for _ in 0..<32 { body.append(base62[Int.random(in: 0..<62, using: &rng)]) }
        return String(decoding: body + checksum(body), as: UTF8.self)
    }
}

/// A list cursor decoded with Foundation's base64, apart from ``ListCursor``'s own codec.
enum ReferenceCursor {
    static let digits = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    /// base64url, and what standard base64 has instead (`+`, `/`, padding).
    static let alphabet = digits + Array("+/=".utf8)

    static func memory(_ text: String) -> MemoryID? {
        guard text.utf8.allSatisfy(digits.contains) else { return nil }  // base64url, unpadded
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: standard) else { return nil }
        // Canonical only: the unused low bits of the last character must be zero.
        let canonical = data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        guard canonical == text, data.count == 17, data.first == 1 else { return nil }
        return MemoryID(ulid: ULID(bytes: Array(data.dropFirst())))
    }
}
