import Foundation
import NeuroloomAPI
import NeuroloomInspect
@_spi(Operator) import NeuroloomStore
import NeuroloomTestSupport
import Testing

/// Each command's JSON output, against a data directory built through the store API.
@Suite struct CommandTests {
    @Test func workspacesReportsCountsSizesAndActiveKeysPerPartition() async throws {
        let fixture = try await InspectFixture.make()
        let output = fixture.run(.workspaces)
        #expect(output.status == .ok)
        let report = try output.decode(WorkspacesReport.self)
        #expect(report.workspaces.map(\.name) == ["alpha", "beta"])
        let alpha = try #require(report.workspaces.first)
        #expect(alpha.id == fixture.alpha.description)
        let live = try #require(alpha.partitions.first { $0.environment == "live" })
        let test = try #require(alpha.partitions.first { $0.environment == "test" })
        #expect(live.exists && live.memories == 4 && live.fileBytes > 0 && live.usedBytes > 0)
        #expect(live.activeKeys == .init(read: 1, write: 0, admin: 1), "the revoked write key is not active")
        #expect(test.exists && test.memories == 2)
        #expect(test.activeKeys == .init(read: 0, write: 0, admin: 1))
        let beta = try #require(report.workspaces.last)
        #expect(beta.partitions.allSatisfy { !$0.exists && $0.memories == 0 }, "nothing stored: no environment on disk")

        let table = fixture.run(.workspaces, json: false)
        #expect(table.status == .ok)
        #expect(table.standardOutput.first?.hasPrefix("ID") == true)
        #expect(table.standardOutput.count == 5, "a header and one row per partition")
    }

    @Test func statsGivesLMDBFiguresPerNamedDatabase() async throws {
        let fixture = try await InspectFixture.make()
        let output = fixture.run(.stats(workspace: fixture.alpha.description, environment: .live))
        #expect(output.status == .ok)
        let report = try output.decode(StatsReport.self)
        #expect(report.workspace == fixture.alpha.description && report.environment == "live")
        let names = report.databases.map(\.name)
        #expect(names.contains("memories") && names.contains("meta"))
        #expect(names == names.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }))
        #expect(report.databases.first { $0.name == "memories" }?.entries == 4)
        #expect(report.databases.allSatisfy { $0.depth >= ($0.entries > 0 ? 1 : 0) })
        #expect(report.mapSize >= report.usedBytes && report.usedBytes > 0 && report.fileBytes > 0)
        #expect(report.pageSize > 0 && report.lastTransactionID > 0 && report.maxReaders > 0)
        #expect(report.readers.allSatisfy { $0.transactionID == nil }, "no reader is active once the command has read")
        #expect(report.staleReadersCleared == 0)
    }

    @Test func memoriesDumpIsTheAPIShapeOldestFirstPagedThroughBoundedTransactions() async throws {
        let fixture = try await InspectFixture.make()
        var inspector = fixture.inspector
        inspector.memoryPageSize = 3
        let output = fixture.run(.memories(workspace: fixture.alpha.description, environment: .live, limit: nil, after: nil), inspector: inspector)
        #expect(output.status == .ok)
        #expect(output.standardOutput.count == 4)
        let records = try output.standardOutput.map { try JSONDecoder().decode(MemoryRecord.self, from: Data($0.utf8)) }
        let expected = fixture.alphaLive.map { memory in
            MemoryRecord(id: memory.id.description, content: memory.content, metadata: memory.metadata,
                         createdAt: memory.createdAt.iso8601, updatedAt: memory.updatedAt.iso8601, workspaceId: fixture.alpha.description)
        }
        #expect(records == expected)
        // Member order and metadata bytes exactly as the API writes them.
        let first = try #require(fixture.alphaLive.first)
        #expect(output.standardOutput.first == #"{"id":"\#(first.id)","content":"\#(first.content)","metadata":\#(String(decoding: first.metadataJSON, as: UTF8.self)),"createdAt":"\#(first.createdAt.iso8601)","updatedAt":"\#(first.updatedAt.iso8601)","workspaceId":"\#(fixture.alpha)"}"#)

        let limited = fixture.run(.memories(workspace: fixture.alpha.description, environment: .live, limit: 2, after: nil), inspector: inspector)
        #expect(limited.standardOutput == Array(output.standardOutput.prefix(2)))
        let resumed = fixture.run(.memories(workspace: fixture.alpha.description, environment: .live, limit: nil, after: fixture.alphaLive[1].id.description), inspector: inspector)
        #expect(resumed.standardOutput == Array(output.standardOutput.suffix(2)))
        let sandbox = fixture.run(.memories(workspace: fixture.alpha.description, environment: .test, limit: nil, after: nil))
        #expect(sandbox.standardOutput.count == 2)
    }

    @Test func memoryShowsTheRecordItsIndexEntriesAndItsVector() async throws {
        let fixture = try await InspectFixture.make()
        try fixture.buildIndexes()
        let memory = fixture.alphaLive[0]
        let output = fixture.run(.memory(workspace: fixture.alpha.description, environment: .live, memory: memory.id.description))
        #expect(output.status == .ok)
        let detail = try output.decode(MemoryDetail.self)
        #expect(detail.memory == MemoryJSON.record(memory))
        let (frequencies, length) = KeywordTokenizer.termFrequencies(of: memory.content)
        #expect(detail.length == length && detail.indexedLength == length)
        #expect(detail.terms.map(\.term) == frequencies.keys.sorted())
        #expect(detail.terms.allSatisfy { $0.frequency == frequencies[$0.term] && $0.indexedFrequency == $0.frequency })
        #expect(detail.terms.first { $0.term == "dark" }?.frequency == 2)
        #expect(detail.strayPostings.isEmpty)
        let embedding = try #require(detail.embedding)
        #expect(detail.embedder != nil && embedding.dimension > 0)
        #expect(abs((embedding.norm ?? 0) - 1) < 1e-3)

        let missing = fixture.run(.memory(workspace: fixture.alpha.description, environment: .live, memory: MemoryID.generate().description))
        #expect(missing.status == .failure)
        #expect(missing.standardError.first?.contains("no memory") == true)
    }

    @Test func memoryFindsPostingsUnderTermsTheContentLacks() async throws {
        let fixture = try await InspectFixture.make()
        let memory = fixture.alphaLive[2]
        try IndexWriter.write(path: fixture.path(fixture.alpha, .live)) { tables, txn in
            try tables.postings.put(IndexWriter.u32(3) + IndexWriter.u32(1), forKey: IndexWriter.postingKey("stale", memory.id), in: txn)
        }
        var inspector = fixture.inspector
        inspector.postingPageSize = 2
        let output = fixture.run(.memory(workspace: fixture.alpha.description, environment: .live, memory: memory.id.description), inspector: inspector)
        let detail = try output.decode(MemoryDetail.self)
        #expect(detail.strayPostings == [.init(term: "stale", frequency: 3)])
    }

    @Test func keysShowMetadataAndNeverASecretOrDigest() async throws {
        let fixture = try await InspectFixture.make()
        let output = fixture.run(.keys(workspace: nil))
        #expect(output.status == .ok)
        let report = try output.decode(KeysReport.self)
        #expect(report.keys.count == 6)
        #expect(report.keys.filter { $0.status == "revoked" }.map(\.name) == ["old writer"])
        #expect(report.keys.filter { $0.workspaceId == fixture.beta.description }.count == 2)
        for secret in fixture.secrets {
            #expect(!output.standardOutput.joined().contains(secret))
            #expect(!output.standardOutput.joined().contains(String(secret.dropFirst(9).prefix(20))))
        }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput[0].utf8)) as? [String: Any])
        let first = try #require((object["keys"] as? [[String: Any]])?.first)
        #expect(Set(first.keys) == ["id", "name", "workspaceId", "scope", "environment", "preview", "createdAt", "expiresAt", "revokedAt", "lastUsedAt", "status"])

        let alphaOnly = try fixture.run(.keys(workspace: fixture.alpha.description)).decode(KeysReport.self)
        #expect(alphaOnly.keys.count == 4 && alphaOnly.keys.allSatisfy { $0.workspaceId == fixture.alpha.description })
        let table = fixture.run(.keys(workspace: nil), json: false)
        #expect(table.standardOutput.count == 7)
        for secret in fixture.secrets { #expect(!table.standardOutput.joined().contains(secret)) }
    }

    @Test func usageAndIOErrorsExitTwoWithAMessage() async throws {
        let fixture = try await InspectFixture.make()
        let cases: [InspectCommand] = [
            .stats(workspace: "ws_nope", environment: .live),
            .stats(workspace: WorkspaceID.generate().description, environment: .live),
            .stats(workspace: fixture.beta.description, environment: .live),
            .memories(workspace: fixture.alpha.description, environment: .live, limit: nil, after: "mem_bad"),
            .memories(workspace: fixture.alpha.description, environment: .live, limit: -1, after: nil),
            .memory(workspace: fixture.alpha.description, environment: .live, memory: "nope"),
            .keys(workspace: WorkspaceID.generate().description),
            .verify(workspace: WorkspaceID.generate().description),
            .backup(workspace: fixture.alpha.description, environment: .live, destination: fixture.data.root),
        ]
        for command in cases {
            let output = fixture.run(command)
            #expect(output.status == .failure, "\(command)")
            #expect(output.standardOutput.isEmpty, "\(command)")
            #expect(output.standardError.count == 1 && output.standardError[0].hasPrefix("neuroloom-inspect: "), "\(command)")
        }
        let empty = TemporaryDirectory("inspect-empty")
        let noData = fixture.run(.workspaces, inspector: Inspector(directory: DataDirectory(root: empty.path)))
        #expect(noData.status == .failure)
        #expect(noData.standardError.first?.contains("no control environment") == true)
    }
}
