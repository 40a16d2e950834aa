import Foundation
import NeuroloomAPI
import NeuroloomEmbedding
import NeuroloomTestSupport
import Synchronization
import Testing
@_spi(Operator) @testable import NeuroloomStore

/// An embedder with chosen vectors, so a test decides what "similar in meaning" is.
struct TableEmbedder: Embedder {
    let id: String
    let table: [String: [Float]]
    var dimension: Int { 4 }

    init(id: String = "test-table", _ table: [String: [Float]]) {
        self.id = id
        self.table = table
    }

    func embed(_ texts: [String]) async throws -> [[Float]] {
        texts.map { l2normalized(table[$0] ?? [0, 0, 0, 1]) }
    }
}

/// A ``TableEmbedder`` that counts the texts it is asked to embed.
final class CountingEmbedder: Embedder {
    let table: TableEmbedder
    private let texts = Mutex<[String]>([])
    var id: String { table.id }
    var dimension: Int { table.dimension }
    var embedded: [String] { texts.withLock { $0 } }

    init(_ table: [String: [Float]]) { self.table = TableEmbedder(table) }

    func embed(_ texts: [String]) async throws -> [[Float]] {
        self.texts.withLock { $0 += texts }
        return try await table.embed(texts)
    }
}

@Suite struct SearchTests {
    @Test func bm25MatchesAHandComputedToyCorpus() async throws {
        let fixture = try StoreFixture()
        let (_, grant, _) = try fixture.workspace()
        let d1 = try await fixture.storage.createMemory(NewMemory(content: "apple banana apple"), grant: grant)
        let d2 = try await fixture.storage.createMemory(NewMemory(content: "banana cherry"), grant: grant)
        let d3 = try await fixture.storage.createMemory(NewMemory(content: "cherry date elderberry fig"), grant: grant)
        let scores = try await fixture.storage.withPartition(grant) { (partition: Partition) throws(StoreError) in
            try partition.read { txn in try partition.indexes.keywordScores(for: "Banana, CHERRY!", in: txn) }
        }
        // N = 3, avgdl = 3; idf(banana) = idf(cherry) = ln(1 + 1.5 / 2.5); k1 = 1.2, b = 0.75.
        let idf = log(1 + 1.5 / 2.5)
        #expect(abs((scores[d1.id.ulid] ?? 0) - idf * 1.0) < 1e-9)
        #expect(abs((scores[d2.id.ulid] ?? 0) - 2 * idf * 2.2 / 1.9) < 1e-9)
        #expect(abs((scores[d3.id.ulid] ?? 0) - idf * 0.88) < 1e-9)
        let apple = try await fixture.storage.searchMemories(SearchRequest(query: "apple", mode: .keyword), grant: grant)
        #expect(apple.map(\.memory.id) == [d1.id])
        #expect(apple.first?.score == 1)
        let ranked = try await fixture.storage.searchMemories(SearchRequest(query: "banana cherry", mode: .keyword), grant: grant)
        #expect(ranked.map(\.memory.id) == [d2.id, d1.id, d3.id])
    }

    @Test func tokenizerFoldsCaseAccentsAndSplitsCodesTheSameWayOnBothSides() {
        #expect(KeywordTokenizer.terms(of: "Déjà vu: ERR_CONN_RESET (0x80004005) in the Café") == ["deja", "vu", "err", "conn", "reset", "0x80004005", "cafe"])
        #expect(KeywordTokenizer.terms(of: "東京タワー") == ["東", "京", "タ", "ワ", "ー"].filter { KeywordTokenizer.isIdeographic($0.unicodeScalars.first!) })
        #expect(KeywordTokenizer.terms(of: "") == [])
    }

    @Test func hybridKeepsTheBestKeywordMatchThatMeaningRanksLow() async throws {
        let embedder = TableEmbedder([
            "The user likes dark themes in the editor": [1, 0, 0, 0],
            "Night mode is preferred in the IDE": [0.95, 0.05, 0, 0],
            "Editor font is JetBrains Mono": [0.9, 0.1, 0, 0],
            "Upload failed with ERR_CONN_RESET": [0, 0, 1, 0],
            "ERR_CONN_RESET": [1, 0, 0, 0],
        ])
        let fixture = try StoreFixture { $0.embedder = embedder }
        let (_, grant, _) = try fixture.workspace()
        var ids: [String: MemoryID] = [:]
        for content in embedder.table.keys where content != "ERR_CONN_RESET" {
            ids[content] = try await fixture.storage.createMemory(NewMemory(content: content), grant: grant).id
        }
        let semantic = try await fixture.storage.searchMemories(SearchRequest(query: "ERR_CONN_RESET", topK: 2, mode: .semantic), grant: grant)
        #expect(!semantic.contains { $0.memory.content.contains("ERR_CONN_RESET") }, "meaning alone misses the code")
        let hybrid = try await fixture.storage.searchMemories(SearchRequest(query: "ERR_CONN_RESET", topK: 2, mode: .hybrid), grant: grant)
        #expect(hybrid.count == 2)
        #expect(hybrid.contains { $0.memory.id == ids["Upload failed with ERR_CONN_RESET"] })
        #expect(hybrid.allSatisfy { (0...1).contains($0.score) })
        let keyword = try await fixture.storage.searchMemories(SearchRequest(query: "err conn reset", mode: .keyword), grant: grant)
        #expect(keyword.map(\.memory.id) == [ids["Upload failed with ERR_CONN_RESET"]])
    }

    @Test func semanticScoresAreCosinesAndFiltersFillTopK() async throws {
        let embedder = TableEmbedder(["q": [1, 0, 0, 0], "a": [1, 0, 0, 0], "b": [1, 1, 0, 0], "c": [0, 1, 0, 0]])
        let fixture = try StoreFixture { $0.embedder = embedder }
        let (_, grant, _) = try fixture.workspace()
        let a = try await fixture.storage.createMemory(NewMemory(content: "a", metadata: ["keep": false]), grant: grant)
        let b = try await fixture.storage.createMemory(NewMemory(content: "b", metadata: ["keep": true]), grant: grant)
        let c = try await fixture.storage.createMemory(NewMemory(content: "c", metadata: ["keep": true]), grant: grant)
        let all = try await fixture.storage.searchMemories(SearchRequest(query: "q", mode: .semantic), grant: grant)
        #expect(all.map(\.memory.id) == [a.id, b.id])  // c is orthogonal: score 0 is not a match
        #expect(abs((all.first?.score ?? 0) - 1) < 1e-6)
        #expect(abs((all.last?.score ?? 0) - 1 / 2.0.squareRoot()) < 1e-6)
        let filtered = try await fixture.storage.searchMemories(
            SearchRequest(query: "q", topK: 1, filter: MetadataFilter(parsing: ["keep": true]), mode: .semantic), grant: grant)
        #expect(filtered.map(\.memory.id) == [b.id], "the filter runs before the cut: topK is filled from matching memories")
        let strict = try await fixture.storage.searchMemories(SearchRequest(query: "q", mode: .semantic, minScore: 0.9), grant: grant)
        #expect(strict.map(\.memory.id) == [a.id])
        _ = c
    }

    @Test func everyFilterOperatorIncludingMismatchesAndMissingFields() async throws {
        let fixture = try StoreFixture()
        let (_, grant, _) = try fixture.workspace()
        let first = try await fixture.storage.createMemory(NewMemory(content: "note one", metadata: [
            "category": "preferences", "priority": 3, "tags": ["ui", "editor"], "user": ["id": "u1", "age": 40],
        ]), grant: grant)
        fixture.clock.advance(milliseconds: 60_000)
        let second = try await fixture.storage.createMemory(NewMemory(content: "note two", metadata: [
            "category": "facts", "priority": "high", "tags": ["api"],
        ]), grant: grant)
        func ids(_ filter: JSONValue) async throws -> Set<MemoryID> {
            let request = try SearchRequest(query: "note", topK: 10, filter: MetadataFilter(parsing: filter), mode: .keyword)
            return Set(try await fixture.storage.searchMemories(request, grant: grant).map(\.memory.id))
        }
        let cutoff = Timestamp(millisecondsSinceEpoch: first.createdAt.millisecondsSinceEpoch + 1).iso8601
        let cases: [(JSONValue, Set<MemoryID>)] = [
            (["category": "preferences"], [first.id]),
            (["tags": "editor"], [first.id]),                               // array field contains the value
            (["priority": ["$eq": 3]], [first.id]),
            (["priority": ["$ne": 3]], [second.id]),
            (["priority": ["$gt": 2]], [first.id]),                         // "high" is not a number: no match
            (["priority": ["$gte": 3]], [first.id]),
            (["priority": ["$lt": 3]], []),
            (["priority": ["$lte": 3]], [first.id]),
            (["category": ["$in": ["facts", "other"]]], [second.id]),
            (["tags": ["$in": ["ui"]]], [first.id]),
            (["category": ["$nin": ["facts"]]], [first.id]),
            (["user.id": ["$exists": true]], [first.id]),
            (["user.id": ["$exists": false]], [second.id]),
            (["user.age": ["$gte": 18]], [first.id]),
            (["missing.field": "x"], []),
            (["$and": [["category": "preferences"], ["priority": 3]]], [first.id]),
            (["$or": [["category": "facts"], ["priority": 3]]], [first.id, second.id]),
            (["$not": ["category": "facts"]], [first.id]),
            (["createdAt": ["$gte": .string(cutoff)]], [second.id]),
            (["createdAt": ["$lt": .string(cutoff)]], [first.id]),
            (["updatedAt": ["$lte": .string(second.updatedAt.iso8601)]], [first.id, second.id]),
        ]
        for (filter, expected) in cases {
            #expect(try await ids(filter) == expected, "\(filter)")
        }
        for (bad, named) in [
            (["priority": ["$regex": "x"]] as JSONValue, "filters.priority.$regex"),
            (["$xor": [["a": 1]]], "filters.$xor"),
            (["priority": ["$gt": "high"]], "filters.priority.$gt"),
            (["createdAt": ["$gt": "yesterday"]], "filters.createdAt.$gt"),
            (["$and": []], "filters.$and"),
            (["$not": 3], "filters.$not"),
        ] {
            #expect(throws: StoreError.self, "\(bad)") { _ = try MetadataFilter(parsing: bad) }
            do { _ = try MetadataFilter(parsing: bad) } catch {
                if case .invalid(let field, _) = error { #expect(field == named, "\(bad)") } else { Issue.record("\(error)") }
            }
        }
    }

    @Test func searchFollowsEditsAndDeletesAlsoAfterReopening() async throws {
        let embedder = TableEmbedder(["old text about tea": [1, 0, 0, 0], "new text about coffee": [0, 1, 0, 0], "tea": [1, 0, 0, 0], "coffee": [0, 1, 0, 0]])
        let fixture = try StoreFixture { $0.embedder = embedder }
        let (_, grant, _) = try fixture.workspace()
        let memory = try await fixture.storage.createMemory(NewMemory(content: "old text about tea"), grant: grant)
        _ = try await fixture.storage.updateMemory(memory.id, MemoryPatch(content: "new text about coffee"), grant: grant)
        for mode in SearchMode.allCases {
            #expect(try await fixture.storage.searchMemories(SearchRequest(query: "tea", mode: mode), grant: grant).isEmpty, "\(mode)")
            #expect(try await fixture.storage.searchMemories(SearchRequest(query: "coffee", mode: mode), grant: grant).map(\.memory.content) == ["new text about coffee"], "\(mode)")
        }
        await fixture.storage.closeAll()
        var configuration = StorageConfiguration()
        configuration.embedder = embedder
        let reopened = WorkspaceStorage(directory: DataDirectory(root: fixture.directory.path), resolver: fixture.resolver, configuration: configuration)
        #expect(try await reopened.searchMemories(SearchRequest(query: "coffee"), grant: grant).map(\.memory.id) == [memory.id])
        try await reopened.deleteMemory(memory.id, grant: grant)
        for mode in SearchMode.allCases {
            #expect(try await reopened.searchMemories(SearchRequest(query: "coffee", mode: mode), grant: grant).isEmpty, "\(mode)")
        }
        let emptied = try await reopened.withPartition(grant) { (partition: Partition) throws(StoreError) in
            try partition.read { txn in
                (try partition.indexes.vectors.count(in: txn), try partition.indexes.postings.count(in: txn),
                 try partition.indexes.terms.count(in: txn), try partition.indexes.counter("docCount", in: txn))
            }
        }
        #expect(emptied == (0, 0, 0, 0), "no index entry outlives its memory")
        await reopened.closeAll()
    }

    @Test func anUpdateEmbedsOnlyTextThatChanges() async throws {
        let embedder = CountingEmbedder(["tea": [1, 0, 0, 0], "coffee": [0, 1, 0, 0]])
        let fixture = try StoreFixture { $0.embedder = embedder }
        let (_, grant, _) = try fixture.workspace()
        let memory = try await fixture.storage.createMemory(NewMemory(content: "tea"), grant: grant)
        #expect(embedder.embedded == ["tea"])

        let same = try await fixture.storage.updateMemory(memory.id, MemoryPatch(content: "tea", metadata: .object(["k": .integer(1)])), grant: grant)
        #expect(same.metadata == .object(["k": .integer(1)]))
        _ = try await fixture.storage.updateMemory(memory.id, MemoryPatch(metadata: .object([:])), grant: grant)
        await #expect(throws: StoreError.notFound) {
            try await fixture.storage.updateMemory(MemoryID.generate(), MemoryPatch(content: "coffee"), grant: grant)
        }
        #expect(embedder.embedded == ["tea"], "same text, metadata only and a missing memory embed nothing")
        #expect(try await fixture.storage.searchMemories(SearchRequest(query: "tea", mode: .semantic), grant: grant).map(\.memory.id) == [memory.id],
                "the vector stays")

        let beforeEdit = embedder.embedded.count  // searches embed their queries too
        _ = try await fixture.storage.updateMemory(memory.id, MemoryPatch(content: "coffee"), grant: grant)
        #expect(embedder.embedded.dropFirst(beforeEdit) == ["coffee"])
        #expect(try await fixture.storage.searchMemories(SearchRequest(query: "coffee", mode: .semantic), grant: grant).first?.memory.id == memory.id)
        #expect(try await fixture.storage.searchMemories(SearchRequest(query: "tea", mode: .keyword), grant: grant).isEmpty)
    }

    @Test func vectorBlocksStayConsistentThroughManyInsertsAndDeletes() async throws {
        let embedder = TableEmbedder([:])  // every text gets the same vector: only bookkeeping is under test
        let fixture = try StoreFixture { $0.embedder = embedder }
        let (_, grant, _) = try fixture.workspace()
        var alive: [MemoryID] = []
        for round in 0..<3 {
            let created = try await fixture.storage.batchCreateMemories((0..<100).map { NewMemory(content: "item \(round) \($0)") }, grant: grant)
            alive += created.map(\.id)
            for id in alive.enumerated().filter({ $0.offset % 3 == round }).map(\.element) {
                try await fixture.storage.deleteMemory(id, grant: grant)
                alive.removeAll { $0 == id }
            }
        }
        let ids = alive
        let (slotted, inBlocks, positioned) = try await fixture.storage.withPartition(grant) { (partition: Partition) throws(StoreError) in
            try partition.read { txn in
                let scan = try partition.indexes.semanticScores(for: [0, 0, 0, 1], in: txn)
                // Every memory's slot leads to its own position in the scan (hybrid relies on it).
                let positioned = try ids.allSatisfy { id in
                    let key = id.ulid
                    return try partition.indexes.position(of: key, in: scan, txn: txn).map { scan.keys[$0] == key } ?? false
                }
                return (try partition.indexes.vectorSlots.count(in: txn), Set(scan.keys), positioned)
            }
        }
        #expect(slotted == alive.count)
        #expect(inBlocks == Set(alive.map(\.ulid)))
        #expect(positioned)
    }

    @Test func aPartitionRefusesVectorsFromAnotherEmbedder() async throws {
        let fixture = try StoreFixture { $0.embedder = TableEmbedder(id: "model-a", [:]) }
        let (_, grant, _) = try fixture.workspace()
        _ = try await fixture.storage.createMemory(NewMemory(content: "first"), grant: grant)
        await fixture.storage.closeAll()
        var configuration = StorageConfiguration()
        configuration.embedder = TableEmbedder(id: "model-b", [:])
        let other = WorkspaceStorage(directory: DataDirectory(root: fixture.directory.path), resolver: fixture.resolver, configuration: configuration)
        await #expect(throws: StoreError.self) { try await other.createMemory(NewMemory(content: "second"), grant: grant) }
        // Searching never compares vectors across embedders: semantic finds nothing, keyword still works.
        #expect(try await other.searchMemories(SearchRequest(query: "first", mode: .semantic), grant: grant).isEmpty)
        #expect(try await other.searchMemories(SearchRequest(query: "first", mode: .keyword), grant: grant).count == 1)
        await other.closeAll()
    }

    @Test func identicalTextInAnotherPartitionIsNeverFound() async throws {
        let fixture = try StoreFixture { $0.embedder = TableEmbedder(["shared secret plan": [1, 0, 0, 0]]) }
        let (_, mine, myTest) = try fixture.workspace("mine")
        let (_, theirs, _) = try fixture.workspace("theirs")
        let own = try await fixture.storage.createMemory(NewMemory(content: "shared secret plan"), grant: mine)
        _ = try await fixture.storage.createMemory(NewMemory(content: "shared secret plan"), grant: theirs)
        _ = try await fixture.storage.createMemory(NewMemory(content: "shared secret plan"), grant: myTest)
        for mode in SearchMode.allCases {
            let found = try await fixture.storage.searchMemories(SearchRequest(query: "shared secret plan", mode: mode), grant: mine)
            #expect(found.map(\.memory.id) == [own.id], "\(mode)")
        }
    }

    @Test func lazySelectionYieldsExactlyTheFullSortInBatches() {
        var generator = SystemRandomNumberGenerator()
        let candidates = (0..<5_000).map { index -> (key: MemoryKey, score: Double) in
            var bytes = [UInt8](repeating: 0, count: 16)
            bytes[15] = UInt8(index % 256)
            bytes[14] = UInt8(index / 256)
            // Few distinct scores: ties must break newest (largest id) first, the same in every batch.
            return (ULID(bytes: bytes), Double(Int.random(in: 0..<50, using: &generator)) / 50)
        }
        let expected = candidates.sorted { $0.score != $1.score ? $0.score > $1.score : $1.key.bytes.lexicographicallyPrecedes($0.key.bytes) }.map(\.key)
        #expect(Array(TopScores.descending(candidates, atLeast: 10)).map(\.key) == expected)
        #expect(Array(TopScores.descending(candidates, atLeast: 10).prefix(700)).map(\.key) == Array(expected.prefix(700)))
    }

    @Test func reindexRebuildsBothIndexesAndRepinsTheEmbedder() async throws {
        let texts = ["red apples", "green pears", "blue berries"]
        let fixture = try StoreFixture { $0.embedder = TableEmbedder(id: "model-a", [:]) }
        let (workspace, grant, _) = try fixture.workspace()
        for text in texts { _ = try await fixture.storage.createMemory(NewMemory(content: text), grant: grant) }
        // Damage the keyword index behind the store's back: reindex must not depend on it.
        try await fixture.storage.withPartition(grant) { (partition: Partition) throws(StoreError) in
            try await partition.write(validate: {}, { txn in try partition.indexes.postings.removeAll(in: txn) })
        }
        await fixture.storage.closeAll()

        var configuration = StorageConfiguration()
        configuration.embedder = TableEmbedder(id: "model-b", ["pears": [0, 1, 0, 0], "green pears": [0, 1, 0, 0]])
        let storage = WorkspaceStorage(directory: DataDirectory(root: fixture.directory.path), resolver: fixture.resolver, configuration: configuration)
        await #expect(throws: StoreError.forbidden(required: .admin)) {
            _ = try await storage.reindex(grant: try fixture.grant(workspace, .live, .write).grant)
        }
        let report = try await storage.reindex(grant: try fixture.resolver.operatorGrant(workspace: workspace, environment: .live))
        #expect(report.memories == 3)
        #expect(report.vectors == 3)
        let pinned = try await storage.withPartition(grant) { (partition: Partition) throws(StoreError) in
            try partition.read { txn in try partition.indexes.pinnedEmbedder(in: txn)?.id }
        }
        #expect(pinned == "model-b")
        #expect(try await storage.searchMemories(SearchRequest(query: "pears", topK: 1, mode: .semantic), grant: grant).map(\.memory.content) == ["green pears"])
        #expect(try await storage.searchMemories(SearchRequest(query: "apples", mode: .keyword), grant: grant).map(\.memory.content) == ["red apples"])
        _ = try await storage.createMemory(NewMemory(content: "after reindex"), grant: grant)
        await storage.closeAll()
    }
}
