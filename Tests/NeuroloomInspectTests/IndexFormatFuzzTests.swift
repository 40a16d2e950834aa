import Foundation
@_spi(Operator) import LMDB
import NeuroloomTestSupport
import PropertyBased
import Testing
@testable import NeuroloomInspect
@_spi(Operator) @testable import NeuroloomStore

/// Fuzzing the inspector's decoders of the search-index layout, which read data they must not
/// trust. Two oracles: the store's own writer (every entry it encodes, the inspector reads back
/// the same), and reference readings of the documented layout for edited and random bytes.
@Suite struct IndexFormatFuzzTests {
    @Test func postingKeysSplitBackAndEditedOnesSplitExactlyWhenWellFormed() async {
        await fuzz("inspect.postingKeys", count: 15_000, make: { rng -> (term: String, memory: [UInt8], bytes: [UInt8]) in
            let term = String(decoding: ByteMutations.random(count: 0...12, alphabet: Array("abcé日\u{0}".utf8), using: &rng), as: UTF8.self)
            let memory = ByteMutations.random(count: 16...16, using: &rng)
            let key = SearchIndexes.postingKey(term, memory)
            let bytes = Int.random(in: 0..<3, using: &rng) == 0 ? key : ByteMutations.mutate(key, edits: 1...3, alphabet: [0, 0x61, 0xC3, 0xFF], using: &rng)
            return (term, memory, bytes)
        }) { input in
            #expect(IndexFormat.postingKey(term: input.term, memory: input.memory) == SearchIndexes.postingKey(input.term, input.memory),
                    "the inspector and the store write the same key")
            let reference = Self.referenceSplit(input.bytes)
            let split = IndexFormat.splitPostingKey(input.bytes)
            #expect(split?.term == reference?.term && split?.memory == reference?.memory, "\(ByteMutations.hex(input.bytes))")
            if !input.term.isEmpty, !input.term.utf8.contains(0) {  // the tokenizer makes no empty term
                let written = IndexFormat.splitPostingKey(SearchIndexes.postingKey(input.term, input.memory))
                #expect(written?.term == input.term && written?.memory == input.memory)
            }
        }
    }

    @Test func vectorBlocksTheStoreWritesAreReadBackAndEditedOnesExactlyWhenWellFormed() async {
        await fuzz("inspect.vectorBlocks", count: 15_000, make: { rng -> (dimension: Int, readAs: Int, edited: Bool, bytes: [UInt8], ids: [[UInt8]]) in
            let dimension = Int.random(in: 1...5, using: &rng)
            var block = VectorBlock(dimension: dimension)
            var ids: [[UInt8]] = []
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let id = ByteMutations.random(count: 16...16, using: &rng)
                ids.append(id)
                block.append(id: id, vector: (0..<dimension).map { _ in Float.random(in: -1...1, using: &rng) })
            }
            // The right dimension, a near miss, or what a corrupt `index_meta` may say.
            let readAs = [dimension, dimension, dimension - 1, dimension + 1, -1, Int.max, Int.max / 3, 1 << 61, Int(UInt32.max)]
                .randomElement(using: &rng)!
            let edited = Bool.random(using: &rng)
            let bytes = edited ? ByteMutations.mutate(block.encoded(), edits: 1...3, alphabet: [0, 1, 0xFF], using: &rng) : block.encoded()
            return (dimension, readAs, edited, bytes, ids)
        }) { input in
            input.bytes.withUnsafeBytes { raw in
                let view = VectorBlockView(raw, dimension: input.readAs)
                let reference = Self.referenceBlockCount(input.bytes, dimension: input.readAs)
                #expect(view?.count == reference, "\(ByteMutations.hex(input.bytes)) as dimension \(input.readAs)")
                // The store reads blocks the same way (it also takes empty ones and dimension 0).
                if let reference { #expect(VectorBlock.count(ofBlock: raw, dimension: input.readAs) == reference) }
                if !input.edited, input.readAs == input.dimension {
                    #expect(view?.count == input.ids.count, "the inspector reads what the store wrote")
                }
                guard let view else { return }
                #expect(!view.holds(view.memory(at: 0), at: -1) && !view.holds(view.memory(at: 0), at: view.count), "slots outside the block hold nothing")
                for slot in 0..<view.count {
                    #expect(view.holds(view.memory(at: slot), at: slot))
                    _ = view.norm(at: slot)  // reads stay inside the block
                    if !input.edited { #expect(view.memory(at: slot) == input.ids[slot]) }
                }
            }
        }
    }

    @Test func slotsPostingsAndCountersAgreeWithTheStoreDecoders() async {
        await fuzz("inspect.entries", count: 10_000, make: { rng in ByteMutations.random(count: 0...12, using: &rng) }) { bytes in
            let slot = IndexFormat.vectorSlot(bytes)
            let storeSlot = bytes.withUnsafeBytes { SearchIndexes.vectorSlot($0) }
            #expect(slot.map { [Int($0.block), Int($0.slot)] } == storeSlot.map { [Int($0.block), $0.slot] })
            let posting = IndexFormat.posting(bytes)
            let storePosting = bytes.withUnsafeBytes { SearchIndexes.postingFigures($0) }
            #expect(posting.map { [$0.frequency, $0.length] } == storePosting.map { [$0.frequency, $0.length] })
            #expect(IndexFormat.bigEndianUInt32(bytes) == (bytes.count == 4 ? bytes.withUnsafeBytes { Bytes.readBE32($0, at: 0) } : nil))
            #expect(IndexFormat.bigEndianUInt64(bytes) == (bytes.count == 8 ? bytes.withUnsafeBytes { Bytes.readBE64($0, at: 0) } : nil))
            var metadata = IndexMetadata()
            metadata.record(key: Layout.IndexMeta.dimension, value: bytes)
            #expect((metadata.dimension == nil) == (bytes.count != 8))
        }
    }

    /// Issue 13: `neuroloom-inspect memory` trapped on a partition whose stored dimension is huge.
    /// Now the vector reads as malformed, verify reports it, and the store refuses with a corrupt
    /// record instead of trapping.
    @Test(arguments: [UInt64.max, UInt64(Int.max), 1 << 62, UInt64(UInt32.max) + 1])
    func aHugeStoredDimensionIsReportedNotTrappedOn(_ dimension: UInt64) async throws {
        let fixture = try await InspectFixture.make()
        try fixture.buildIndexes()
        let path = fixture.path(fixture.alpha, .live)
        try IndexWriter.write(path: path) { tables, txn in
            try tables.indexMeta.put(withUnsafeBytes(of: dimension.bigEndian) { Array($0) }, forKey: "dimension", in: txn)
        }
        let memory = fixture.alphaLive[0]
        let output = fixture.run(.memory(workspace: fixture.alpha.description, environment: .live, memory: memory.id.description))
        #expect(output.status == .ok, "\(output.standardError)")
        let detail = try output.decode(MemoryDetail.self)
        #expect(detail.embedding?.norm == nil, "the block does not hold vectors of that dimension")
        #expect(fixture.run(.verify(workspace: fixture.alpha.description)).status == .problemsFound)

        let control = try ControlStore(directory: fixture.data)
        let resolver = KeyResolver(control: control)
        let storage = WorkspaceStorage(directory: fixture.data, resolver: resolver)
        await #expect(throws: StoreError.self) {
            try await storage.deleteMemory(memory.id, grant: try resolver.resolve(fixture.alphaLiveKey))
        }
        await storage.closeAll()
        resolver.flushLastUse()
        control.close()
    }

    // MARK: References

    /// `term ‖ 0 ‖ 16 bytes`, with a term of valid UTF-8 and no NUL.
    static func referenceSplit(_ key: [UInt8]) -> (term: String, memory: [UInt8])? {
        guard key.count >= 17 + 1 else { return nil }
        let term = Array(key.dropLast(17)), separator = key[key.count - 17], memory = Array(key.suffix(16))
        let text = String(decoding: term, as: UTF8.self)
        guard separator == 0, !term.contains(0), Array(text.utf8) == term else { return nil }
        return (text, memory)
    }

    /// `count` (u32 LE) of 1…256, then exactly `count` × (16 + 4 × `dimension`) bytes, in 128 bits.
    static func referenceBlockCount(_ bytes: [UInt8], dimension: Int) -> Int? {
        guard bytes.count >= 4, dimension > 0 else { return nil }
        let count = bytes[0..<4].reversed().reduce(0) { $0 << 8 | Int($1) }
        guard (1...256).contains(count), Int128(4) + Int128(count) * (16 + 4 * Int128(dimension)) == Int128(bytes.count) else { return nil }
        return count
    }
}
