import Foundation
import NeuroloomAPI
import NeuroloomTestSupport
import PropertyBased
import Testing
@testable import NeuroloomStore

/// Fuzzing the JSON parser (every request body and stored metadata) against Foundation's
/// `JSONSerialization`, and the search-filter parser against a reference validator.
@Suite struct JSONFuzzTests {
    // MARK: JSON

    @Test func writtenValuesParseBackAndFoundationAgreesTheyAreJSON() async {
        await fuzz("json.roundTrip", count: 10_000, make: { rng in RandomJSON.value(depth: 4, using: &rng) }) { value in
            let bytes = JSONWriter.encode(value)
            #expect((try? JSONParser.parse(bytes)) == value, "\(String(decoding: bytes, as: UTF8.self))")
            #expect(FoundationJSON.accepts(bytes), "\(String(decoding: bytes, as: UTF8.self))")
        }
    }

    @Test func editedJSONIsAcceptedExactlyWhenFoundationAcceptsIt() async {
        await fuzz("json.edited", count: 40_000, make: { rng in
            ByteMutations.mutate(JSONWriter.encode(RandomJSON.value(depth: 3, using: &rng)), edits: 1...3, alphabet: RandomJSON.alphabet, using: &rng)
        }) { bytes in
            FoundationJSON.compare(bytes)
        }
    }

    @Test func randomBytesAreAcceptedExactlyWhenFoundationAcceptsThem() async {
        await fuzz("json.random", count: 20_000, make: { rng in
            ByteMutations.random(count: 0...24, alphabet: RandomJSON.alphabet, using: &rng)
        }) { bytes in
            FoundationJSON.compare(bytes)
        }
    }

    // MARK: Search filters

    @Test func filtersAreAcceptedExactlyWhenTheReferenceValidatorAcceptsThem() async {
        await fuzz("filters", count: 20_000, make: { rng -> (filter: JSONValue, metadata: [JSONValue]) in
            (RandomFilter.filter(depth: 0, using: &rng), (0..<3).map { _ in RandomFilter.metadata(using: &rng) })
        }) { input in
            let expected = ReferenceFilter.isValid(input.filter)
            do throws(StoreError) {
                let filter = try MetadataFilter(parsing: input.filter)
                #expect(expected, "accepted \(input.filter)")
                for metadata in input.metadata {
                    _ = filter.matches(metadata, createdAt: Timestamp(millisecondsSinceEpoch: 1_790_000_000_000), updatedAt: nil)
                }
            } catch {
                #expect(!expected, "refused \(input.filter): \(error)")
                guard case .invalid(let field, _) = error else {
                    Issue.record("\(error) is not an invalid-input error")
                    return
                }
                #expect(field.hasPrefix("filters"), "the error names the member: \(field)")
            }
        }
    }

    @Test func theTimestampThatUsedToTrapIsAFilterOperand() throws {
        let filter = try MetadataFilter(parsing: ["createdAt": ["$gte": "2026-01-01T00:00:00.123456Z"]])
        #expect(filter == .field(path: ["createdAt"], .greaterThanOrEqual(1_767_225_600_123)))
        #expect(throws: StoreError.invalid(field: "filters.createdAt.$gte", message: "must be an ISO 8601 date-time such as 2026-11-27T08:00:00Z")) {
            try MetadataFilter(parsing: ["createdAt": ["$gte": "2026-01-01T00:00:00.Z"]])
        }
    }
}

// MARK: - Generators and references

enum RandomJSON {
    /// Bytes that matter to the grammar, for edits and random documents that reach deep states.
    static let alphabet = Array(#"{}[],:"\/ 0123456789-+.eEtruefalsnbu"#.utf8) + [0x09, 0x0A, 0x0D, 0x0B, 0xC3, 0xA9, 0xED, 0xA0, 0xFF, 0x00]

    static func value(depth: Int, using rng: inout some RandomNumberGenerator) -> JSONValue {
        switch Int.random(in: 0..<(depth > 0 ? 9 : 6), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .integer(integer(using: &rng))
        case 3: return .number(number(using: &rng))
        case 4, 5: return .string(string(using: &rng))
        case 6: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in value(depth: depth - 1, using: &rng) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &rng) { members[string(using: &rng)] = value(depth: depth - 1, using: &rng) }
            return .object(members)
        }
    }

    static func integer(using rng: inout some RandomNumberGenerator) -> Int64 {
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return Int64.random(in: -100...100, using: &rng)
        case 1: return [Int64.min, Int64.max, 0, -1, 999_999_999_999_999][Int.random(in: 0..<5, using: &rng)]
        default: return Int64.random(in: .min ... .max, using: &rng)
        }
    }

    /// A finite double the writer keeps as a double (an integral one below 1e15 is written as an integer).
    static func number(using rng: inout some RandomNumberGenerator) -> Double {
        while true {
            let candidate = Bool.random(using: &rng)
                ? Double.random(in: -1e6...1e6, using: &rng)
                : Double(bitPattern: rng.next())
            if candidate.isFinite, !(candidate == candidate.rounded() && abs(candidate) < 1e15) { return candidate }
        }
    }

    static func string(using rng: inout some RandomNumberGenerator) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...8, using: &rng) {
            let value: UInt32
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: value = UInt32.random(in: 0...0x1F, using: &rng)
            case 1: value = [0x22, 0x5C, 0x2F, 0x7F][Int.random(in: 0..<4, using: &rng)]
            case 2: value = UInt32.random(in: 0x80...0xD7FF, using: &rng)
            case 3: value = UInt32.random(in: 0x10000...0x10FFFF, using: &rng)
            default: value = UInt32.random(in: 0x20...0x7E, using: &rng)
            }
            if let scalar = Unicode.Scalar(value), value != 0xFEFF { scalars.append(scalar) }
        }
        return String(scalars)
    }
}

/// Foundation's parser as the oracle. Its documented departures from RFC 8259 are excused, and
/// only those: it takes trailing commas, duplicate keys (last wins), a byte-order mark, and
/// guesses UTF-16/32 from NUL bytes.
enum FoundationJSON {
    static func accepts(_ bytes: [UInt8]) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
    }

    static func compare(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let ours: Result<JSONValue, JSONParser.Failure> = Result { () throws(JSONParser.Failure) in try JSONParser.parse(bytes) }
        // NUL bytes or a byte-order mark make Foundation decode another encoding: no comparison.
        guard !bytes.contains(0), !bytes.starts(with: [0xEF, 0xBB, 0xBF]), !bytes.starts(with: [0xFE, 0xFF]), !bytes.starts(with: [0xFF, 0xFE]) else { return }
        let theirs = accepts(bytes)
        let text = String(decoding: bytes, as: UTF8.self).debugDescription
        switch ours {
        case .success:
            #expect(theirs, "accepted \(text), which Foundation refuses", sourceLocation: sourceLocation)
        case .failure(let failure) where theirs:
            let excused = hasTrailingComma(bytes)
                || (failure.message.hasPrefix("duplicate key \"") && occursTwice(key: String(failure.message.dropFirst(15).dropLast()), in: bytes))
            #expect(excused, "refused \(text) (\(failure)), which Foundation accepts", sourceLocation: sourceLocation)
        case .failure:
            break
        }
    }

    /// A `,` directly before `]` or `}` (whitespace between), outside strings: a lexical scan.
    static func hasTrailingComma(_ bytes: [UInt8]) -> Bool {
        var inString = false, escaped = false
        var previous: UInt8 = 0
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
                continue
            }
            if byte == 0x22 { inString = true; previous = byte; continue }
            if [0x20, 0x09, 0x0A, 0x0D].contains(byte) { continue }
            if (byte == 0x5D || byte == 0x7D) && previous == 0x2C { return true }
            previous = byte
        }
        return false
    }

    /// Whether `key`, as a JSON string literal, appears at least twice in the input (edits copy
    /// spans verbatim, so a duplicated key keeps the writer's escaping).
    static func occursTwice(key: String, in bytes: [UInt8]) -> Bool {
        var needle: [UInt8] = []
        JSONWriter.writeString(key, into: &needle)
        guard !needle.isEmpty, needle.count <= bytes.count else { return false }
        var found = 0
        for start in 0...(bytes.count - needle.count) where bytes[start..<(start + needle.count)].elementsEqual(needle) { found += 1 }
        return found >= 2
    }
}

enum RandomFilter {
    static let keys = ["$and", "$or", "$not", "$nor", "topic", "priority", "tags", "user.id", "a..b", ".x", "y.", "",
                       "createdAt", "updatedAt", "createdAt.x"]
    static let operators = ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$regex"]

    static func filter(depth: Int, using rng: inout some RandomNumberGenerator) -> JSONValue {
        if Int.random(in: 0..<12, using: &rng) == 0 || depth > 5 { return operand(using: &rng) }  // not an object
        var members: [String: JSONValue] = [:]
        let count = Int.random(in: 0..<20, using: &rng) == 0 ? Int.random(in: 60...70, using: &rng) : Int.random(in: 0...4, using: &rng)
        for index in 0..<count {
            let key = count > 10 ? "field\(index)" : keys[Int.random(in: 0..<keys.count, using: &rng)]
            members[key] = member(for: key, depth: depth, using: &rng)
        }
        return .object(members)
    }

    static func member(for key: String, depth: Int, using rng: inout some RandomNumberGenerator) -> JSONValue {
        switch key {
        case "$and", "$or", "$nor":
            if Int.random(in: 0..<8, using: &rng) == 0 { return operand(using: &rng) }
            return .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in filter(depth: depth + 1, using: &rng) })
        case "$not":
            return filter(depth: depth + 1, using: &rng)
        default:
            guard Bool.random(using: &rng) else { return operand(using: &rng) }
            var conditions: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let name = Int.random(in: 0..<10, using: &rng) == 0 ? "plain" : operators[Int.random(in: 0..<operators.count, using: &rng)]
                conditions[name] = Bool.random(using: &rng)
                    ? .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in operand(using: &rng) })
                    : operand(using: &rng)
            }
            return .object(conditions)
        }
    }

    static func operand(using rng: inout some RandomNumberGenerator) -> JSONValue {
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .integer(Int64.random(in: -5...5, using: &rng))
        case 3: return .number(Double.random(in: -5...5, using: &rng))
        case 4: return .string(["ui", "a", ""][Int.random(in: 0..<3, using: &rng)])
        case 5: return .string(ReferenceTimestamp.randomValid(using: &rng))
        case 6:
            let valid = Array(ReferenceTimestamp.randomValid(using: &rng).utf8)
            return .string(String(decoding: ByteMutations.mutate(valid, alphabet: ReferenceTimestamp.alphabet, using: &rng), as: UTF8.self))
        default: return .object(["k": .integer(1)])
        }
    }

    static func metadata(using rng: inout some RandomNumberGenerator) -> JSONValue {
        var members: [String: JSONValue] = [:]
        for key in ["topic", "priority", "tags", "user", "a"] where Bool.random(using: &rng) {
            members[key] = Bool.random(using: &rng) ? operand(using: &rng) : .object(["id": operand(using: &rng)])
        }
        return .object(members)
    }
}

/// The filter rules of ``MetadataFilter``'s documentation, as a yes/no validator of their own.
enum ReferenceFilter {
    static let comparisons: Set<String> = ["$gt", "$gte", "$lt", "$lte"]

    static func isValid(_ value: JSONValue) -> Bool {
        var members = 0
        return object(value, depth: 0, members: &members) && members <= 64
    }

    static func object(_ value: JSONValue, depth: Int, members: inout Int) -> Bool {
        guard case .object(let entries) = value, depth < 4 else { return false }
        for (key, member) in entries {
            members += 1
            switch key {
            case "$and", "$or":
                guard case .array(let items) = member, !items.isEmpty else { return false }
                for item in items where !object(item, depth: depth + 1, members: &members) { return false }
            case "$not":
                guard object(member, depth: depth + 1, members: &members) else { return false }
            default:
                if key.hasPrefix("$") || key.isEmpty || key.hasPrefix(".") || key.hasSuffix(".") || key.contains("..") { return false }
                guard condition(member, timestamp: key == "createdAt" || key == "updatedAt") else { return false }
            }
        }
        return true
    }

    static func condition(_ value: JSONValue, timestamp: Bool) -> Bool {
        func instant(_ operand: JSONValue) -> Bool {
            guard timestamp else { return true }
            guard case .string(let text) = operand else { return false }
            return ReferenceTimestamp.milliseconds(text) != nil
        }
        guard case .object(let operators) = value, operators.keys.contains(where: { $0.first == "$" }) else { return instant(value) }
        for (name, operand) in operators {
            switch name {
            case "$eq", "$ne":
                guard instant(operand) else { return false }
            case _ where comparisons.contains(name):
                if timestamp {
                    guard instant(operand) else { return false }
                } else {
                    switch operand {
                    case .integer, .number: break
                    default: return false
                    }
                }
            case "$in", "$nin":
                guard case .array(let items) = operand, items.allSatisfy(instant) else { return false }
            case "$exists":
                guard case .bool = operand else { return false }
            default:
                return false
            }
        }
        return true
    }
}
