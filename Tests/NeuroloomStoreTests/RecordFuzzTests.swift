import NeuroloomTestSupport
import PropertyBased
import Testing
@testable import NeuroloomStore

/// Fuzzing the decoders of bytes read from disk: memory, key and workspace records, and the search
/// index entries (vector blocks, vector slots, postings). Every format is canonical, so the oracle
/// is exact: bytes decode if and only if a reference reading of the documented layout says they
/// are well formed, and whatever decodes encodes back to the very same bytes.
@Suite struct RecordFuzzTests {
    static let memoryID = MemoryID(ulid: ULID(high: 0x0190_0000_0000_0001, low: 42))
    static let workspaceID = WorkspaceID(ulid: ULID(high: 0x0190_0000_0000_0002, low: 7))
    static let keyID = KeyID(ulid: ULID(high: 0x0190_0000_0000_0003, low: 9))

    // MARK: Records

    @Test func memoryRecordsRoundTripAndEditedOnesDecodeExactlyWhenWellFormed() async {
        await fuzz("records.memory", count: 20_000, make: { rng -> (original: Memory, bytes: [UInt8]) in
            let memory = Memory(id: Self.memoryID, content: RandomJSON.string(using: &rng),
                                metadataJSON: ByteMutations.random(count: 0...12, using: &rng),
                                createdAt: Timestamp(millisecondsSinceEpoch: Int64.random(in: .min ... .max, using: &rng)),
                                updatedAt: Timestamp(millisecondsSinceEpoch: Int64.random(in: .min ... .max, using: &rng)),
                                workspaceID: Self.workspaceID)
            return (memory, RecordFuzzTests.edit(memory.encoded(), using: &rng))
        }) { input in
            #expect(input.original.encoded().withUnsafeBytes { try? Memory(decodingRecord: $0, id: Self.memoryID, workspaceID: Self.workspaceID) } == input.original)
            let decoded = input.bytes.withUnsafeBytes { try? Memory(decodingRecord: $0, id: Self.memoryID, workspaceID: Self.workspaceID) }
            #expect((decoded != nil) == ReferenceRecords.isMemory(input.bytes), "\(ByteMutations.hex(input.bytes))")
            if let decoded { #expect(decoded.encoded() == input.bytes, "canonical") }
        }
    }

    @Test func keyRecordsRoundTripAndEditedOnesDecodeExactlyWhenWellFormed() async {
        await fuzz("records.key", count: 20_000, make: { rng -> (original: APIKeyRecord, bytes: [UInt8]) in
            func time() -> Timestamp? {
                Bool.random(using: &rng) ? Timestamp(millisecondsSinceEpoch: Int64.random(in: .min ... .max, using: &rng)) : nil
            }
            let record = APIKeyRecord(
                id: Self.keyID, name: RandomJSON.string(using: &rng), workspaceID: Self.workspaceID,
                environment: Bool.random(using: &rng) ? .live : .test, scope: Scope.allCases.randomElement(using: &rng)!,
                createdAt: Timestamp(millisecondsSinceEpoch: Int64.random(in: .min ... .max, using: &rng)),
                expiresAt: time(), revokedAt: time(), lastUsedAt: time(), preview: RandomJSON.string(using: &rng))
            return (record, RecordFuzzTests.edit(record.encoded(), using: &rng))
        }) { input in
            #expect(input.original.encoded().withUnsafeBytes { try? APIKeyRecord(decodingRecord: $0, id: Self.keyID) } == input.original)
            let decoded = input.bytes.withUnsafeBytes { try? APIKeyRecord(decodingRecord: $0, id: Self.keyID) }
            #expect((decoded != nil) == ReferenceRecords.isKey(input.bytes), "\(ByteMutations.hex(input.bytes))")
            if let decoded { #expect(decoded.encoded() == input.bytes, "canonical") }
        }
    }

    @Test func workspaceRecordsRoundTripAndEditedOnesDecodeExactlyWhenWellFormed() async {
        await fuzz("records.workspace", count: 10_000, make: { rng -> (original: Workspace, bytes: [UInt8]) in
            let workspace = Workspace(id: Self.workspaceID, name: RandomJSON.string(using: &rng),
                                      createdAt: Timestamp(millisecondsSinceEpoch: Int64.random(in: .min ... .max, using: &rng)))
            return (workspace, RecordFuzzTests.edit(workspace.encoded(), using: &rng))
        }) { input in
            #expect(input.original.encoded().withUnsafeBytes { try? Workspace(decodingRecord: $0, id: Self.workspaceID) } == input.original)
            let decoded = input.bytes.withUnsafeBytes { try? Workspace(decodingRecord: $0, id: Self.workspaceID) }
            #expect((decoded != nil) == ReferenceRecords.isWorkspace(input.bytes), "\(ByteMutations.hex(input.bytes))")
            if let decoded { #expect(decoded.encoded() == input.bytes, "canonical") }
        }
    }

    /// A record's bytes as they are (1 in 8), as random bytes (1 in 8), or edited.
    static func edit(_ bytes: [UInt8], using rng: inout some RandomNumberGenerator) -> [UInt8] {
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: return bytes
        case 1: return ByteMutations.random(count: 0...64, alphabet: [0, 1, 2, 4, 16, 0xFF], using: &rng)
        default: return ByteMutations.mutate(bytes, edits: 1...3, alphabet: [0, 1, 2, 4, 16, 0xFF, 0x80, 0xC3], using: &rng)
        }
    }

    // MARK: Index entries

    @Test func vectorBlocksRoundTripAndEditedOnesDecodeExactlyWhenWellFormed() async {
        await fuzz("index.vectorBlocks", count: 20_000, make: { rng -> (dimension: Int, readAs: Int, count: Int, bytes: [UInt8]) in
            let dimension = Int.random(in: 1...6, using: &rng)
            var block = VectorBlock(dimension: dimension)
            let count = Int.random(in: 0..<16, using: &rng) == 0 ? SearchIndexes.blockCapacity : Int.random(in: 0...5, using: &rng)
            for _ in 0..<count {
                block.append(id: ByteMutations.random(count: 16...16, using: &rng),
                             vector: (0..<dimension).map { _ in Float.random(in: -1...1, using: &rng) })
            }
            // Read back with the right dimension, a near miss, or a stored dimension that is absurd.
            let readAs = [dimension, dimension, dimension, dimension + 1, 0, Int.max, Int.max / 4, Int(UInt32.max), 1 << 62]
                .randomElement(using: &rng)!
            let bytes = Int.random(in: 0..<3, using: &rng) == 0 ? block.encoded()
                : ByteMutations.mutate(block.encoded(), edits: 1...3, alphabet: [0, 1, 2, 0xFF], using: &rng)
            return (dimension, readAs, count, bytes)
        }) { input in
            let expected = ReferenceRecords.vectorCount(input.bytes, dimension: input.readAs)
            #expect(input.bytes.withUnsafeBytes { VectorBlock.count(ofBlock: $0, dimension: input.readAs) } == expected)
            let decoded = try? VectorBlock(decoding: input.bytes, dimension: input.readAs)
            #expect(decoded?.count == expected)
            if let decoded { #expect(decoded.encoded() == input.bytes, "canonical") }
        }
    }

    @Test func postingsSlotsAndCountersDecodeOnlyTheirOwnSizes() async {
        await fuzz("index.entries", count: 10_000, make: { rng -> (bytes: [UInt8], prefixLength: Int, block: UInt32, slot: Int) in
            (ByteMutations.random(count: 0...40, using: &rng), Int.random(in: -2...41, using: &rng),
             UInt32.random(in: .min ... .max, using: &rng), Int.random(in: 0...0xFFFF, using: &rng))
        }) { input in
            let bytes = input.bytes
            func bigEndian(_ range: Range<Int>) -> UInt64 { bytes[range].reduce(0) { $0 << 8 | UInt64($1) } }
            bytes.withUnsafeBytes { raw in
                let figures = SearchIndexes.postingFigures(raw)
                #expect(figures.map { [UInt64($0.frequency), UInt64($0.length)] } == (bytes.count == 8 ? [bigEndian(0..<4), bigEndian(4..<8)] : nil))
                let slot = SearchIndexes.vectorSlot(raw)
                #expect(slot.map { [UInt64($0.block), UInt64($0.slot)] } == (bytes.count == 6 ? [bigEndian(0..<4), bigEndian(4..<6)] : nil))
                let memory = SearchIndexes.postingMemory(raw, prefixLength: input.prefixLength)
                #expect(memory?.bytes == (input.prefixLength >= 0 && bytes.count - input.prefixLength == 16 ? Array(bytes.suffix(16)) : nil))
                for offset in [0, 1, 4, 8, 40] {
                    #expect(Bytes.readBE32(raw, at: offset) == (bytes.count >= offset + 4 ? UInt32(bigEndian(offset..<(offset + 4))) : 0))
                    #expect(Bytes.readBE64(raw, at: offset) == (bytes.count >= offset + 8 ? bigEndian(offset..<(offset + 8)) : 0))
                }
            }
            let value = SearchIndexes.vectorSlotValue(block: input.block, slot: input.slot)
            let decoded = value.withUnsafeBytes { SearchIndexes.vectorSlot($0) }
            #expect(decoded?.block == input.block && decoded?.slot == input.slot, "slots round-trip")
        }
    }
}

// MARK: - Reference readings of the documented layouts

/// Each record format read by a small cursor of its own: `true` exactly when the bytes are one
/// record of the layout (version byte, big-endian integers, u32-length-prefixed UTF-8 strings and
/// byte strings, optional timestamps tagged 0/1), with nothing after it.
enum ReferenceRecords {
    struct Cursor {
        let bytes: [UInt8]
        var offset = 0
        var failed = false

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        mutating func take(_ count: Int) -> ArraySlice<UInt8> {
            guard !failed, count >= 0, bytes.count - offset >= count else { failed = true; return [] }
            defer { offset += count }
            return bytes[offset..<(offset + count)]
        }

        mutating func byte(_ expected: UInt8) { if take(1).first != expected { failed = true } }

        mutating func blob() -> ArraySlice<UInt8> {
            let length = take(4).reduce(0) { $0 << 8 | Int($1) }
            return take(length)
        }

        /// A string: valid UTF-8 exactly when decoding it replaces nothing.
        mutating func string() -> String {
            let raw = blob()
            let text = String(decoding: raw, as: UTF8.self)
            if !Array(text.utf8).elementsEqual(raw) { failed = true }
            return text
        }

        mutating func optionalTime() {
            switch take(1).first {
            case 0: break
            case 1: _ = take(8)
            default: failed = true
            }
        }

        var complete: Bool { !failed && offset == bytes.count }
    }

    static func isMemory(_ bytes: [UInt8]) -> Bool {
        var cursor = Cursor(bytes)
        cursor.byte(1)
        _ = cursor.take(16)  // createdAt, updatedAt
        _ = cursor.string()
        _ = cursor.blob()
        return cursor.complete
    }

    static func isKey(_ bytes: [UInt8]) -> Bool {
        var cursor = Cursor(bytes)
        cursor.byte(1)
        if cursor.blob().count != 16 { return false }
        guard ["live", "test"].contains(cursor.string()), ["read", "write", "admin"].contains(cursor.string()) else { return false }
        _ = cursor.string()  // name
        _ = cursor.string()  // preview
        _ = cursor.take(8)
        for _ in 0..<3 { cursor.optionalTime() }
        return cursor.complete
    }

    static func isWorkspace(_ bytes: [UInt8]) -> Bool {
        var cursor = Cursor(bytes)
        cursor.byte(1)
        _ = cursor.string()
        _ = cursor.take(8)
        return cursor.complete
    }

    /// `count` (u32 LE, at most 256), then exactly `count` × (16 + 4 × `dimension`) bytes —
    /// computed in 128 bits, where nothing overflows.
    static func vectorCount(_ bytes: [UInt8], dimension: Int) -> Int? {
        guard bytes.count >= 4, dimension >= 0 else { return nil }
        let count = bytes[0..<4].reversed().reduce(0) { $0 << 8 | Int($1) }
        guard count <= 256, Int128(4) + Int128(count) * (16 + 4 * Int128(dimension)) == Int128(bytes.count) else { return nil }
        return count
    }
}
