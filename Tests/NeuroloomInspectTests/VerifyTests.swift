import Foundation
import LMDB
import NeuroloomInspect
import NeuroloomStore
import Testing

/// `verify` on consistent data, and on data corrupted on purpose straight through the LMDB layer.
@Suite struct VerifyTests {
    @Test func aConsistentDataDirectoryHasNoProblems() async throws {
        let fixture = try await InspectFixture.make()
        try fixture.buildIndexes()
        let output = fixture.run(.verify(workspace: nil))
        let report = try output.decode(VerifyReport.self)
        #expect(report.problems == [])
        #expect(output.status == .ok && report.ok)
        #expect(report.workspaces == 2 && report.partitions == 2 && report.memories == 6)
        #expect(report.notes.count == 1 && report.notes[0].contains(fixture.beta.description), "beta was never written to: a note, not a problem")
        let table = fixture.run(.verify(workspace: nil), json: false)
        #expect(table.status == .ok && table.standardOutput.last?.hasPrefix("OK:") == true)
    }

    @Test func memoriesWithoutIndexEntriesAreReported() async throws {
        let fixture = try await InspectFixture.make()
        try fixture.buildIndexes()
        let victim = fixture.alphaLive[1]
        try IndexWriter.write(path: fixture.path(fixture.alpha, .live)) { tables, txn in
            try tables.docLengths.delete(victim.id.ulid.bytes, in: txn)
            try tables.postings.delete(IndexWriter.postingKey("cafe", victim.id), in: txn)
            try tables.vectorSlots.delete(victim.id.ulid.bytes, in: txn)
        }
        let output = fixture.run(.verify(workspace: fixture.alpha.description))
        #expect(output.status == .problemsFound)
        let problems = try output.decode(VerifyReport.self).problems
        let victimID = victim.id.description
        #expect(problems.contains { $0.kind == .missingDocLength && $0.memory == victimID && $0.environment == "live" })
        #expect(problems.contains { $0.kind == .missingPostings && $0.memory == victimID && $0.message.contains("cafe") })
        #expect(problems.contains { $0.kind == .missingVector && $0.memory == victimID })
        #expect(problems.contains { $0.kind == .vectorWithoutSlot && $0.memory == victimID })
        #expect(problems.contains { $0.kind == .totalLengthMismatch })
        #expect(problems.contains { $0.kind == .termCountMismatch && $0.term == "cafe" })
        #expect(problems.allSatisfy { $0.workspace == fixture.alpha.description })
    }

    @Test func indexEntriesPointingAtMissingMemoriesAndWrongCountsAreReported() async throws {
        let fixture = try await InspectFixture.make()
        try fixture.buildIndexes()
        let ghost = MemoryID.generate()
        let real = fixture.alphaLive[0]
        try IndexWriter.write(path: fixture.path(fixture.alpha, .live)) { tables, txn in
            // A posting and a document length for a memory that does not exist.
            try tables.postings.put(IndexWriter.u32(1) + IndexWriter.u32(1), forKey: IndexWriter.postingKey("ghost", ghost), in: txn)
            try tables.terms.put(IndexWriter.u64(1), forKey: Array("ghost".utf8), in: txn)
            try tables.docLengths.put(IndexWriter.u32(3), forKey: ghost.ulid.bytes, in: txn)
            // A wrong document frequency, a term with no postings, a wrong posting frequency.
            let dark = try #require(try tables.terms.get(Array("dark".utf8), in: txn))
            try tables.terms.put(IndexWriter.u64(Int(dark.last ?? 0) + 5), forKey: Array("dark".utf8), in: txn)
            try tables.terms.put(IndexWriter.u64(2), forKey: Array("orphan".utf8), in: txn)
            try tables.postings.put(IndexWriter.u32(7) + IndexWriter.u32(1), forKey: IndexWriter.postingKey("theme", real.id), in: txn)
            // A posting under a term the memory does not have.
            try tables.postings.put(IndexWriter.u32(1) + IndexWriter.u32(1), forKey: IndexWriter.postingKey("zebra", real.id), in: txn)
            try tables.terms.put(IndexWriter.u64(1), forKey: Array("zebra".utf8), in: txn)
            // A wrong document count.
            try tables.indexMeta.put(IndexWriter.u64(99), forKey: "docCount", in: txn)
        }
        let output = fixture.run(.verify(workspace: nil))
        #expect(output.status == .problemsFound)
        let problems = try output.decode(VerifyReport.self).problems
        #expect(problems.contains { $0.kind == .postingForMissingMemory && $0.memory == ghost.description && $0.term == "ghost" })
        #expect(problems.contains { $0.kind == .docLengthForMissingMemory && $0.memory == ghost.description })
        #expect(problems.contains { $0.kind == .termCountMismatch && $0.term == "dark" })
        #expect(problems.contains { $0.kind == .termCountMismatch && $0.term == "orphan" })
        #expect(problems.contains { $0.kind == .postingFrequencyMismatch && $0.term == "theme" && $0.memory == real.id.description })
        #expect(problems.contains { $0.kind == .postingForAbsentTerm && $0.term == "zebra" && $0.memory == real.id.description })
        #expect(problems.contains { $0.kind == .docCountMismatch })
        #expect(!problems.contains { $0.kind == .termCountMismatch && $0.term == "ghost" }, "its count matches its one posting")

        let table = fixture.run(.verify(workspace: nil), json: false)
        #expect(table.status == .problemsFound)
        #expect(table.standardOutput.contains { $0.contains("postingForMissingMemory") && $0.contains(ghost.description) })
    }

    @Test func vectorBlocksAreChecked() async throws {
        let fixture = try await InspectFixture.make()
        try fixture.buildIndexes()
        let ghost = MemoryID.generate()
        try IndexWriter.write(path: fixture.path(fixture.alpha, .test)) { tables, txn in
            let dimension = Int(try #require(try tables.indexMeta.get("dimension", in: txn)).last ?? 0)
            // A block holding one vector, for a memory that does not exist, not normalised.
            var block = withUnsafeBytes(of: UInt32(1).littleEndian) { Array($0) } + ghost.ulid.bytes
            for _ in 0..<dimension { block += withUnsafeBytes(of: Float(2).bitPattern.littleEndian) { Array($0) } }
            try tables.vectors.put(block, forKey: IndexWriter.u32(77), in: txn)
            try tables.vectorSlots.put(IndexWriter.u32(77) + [0, 0], forKey: ghost.ulid.bytes, in: txn)
            // A block whose size does not match its count.
            try tables.vectors.put(withUnsafeBytes(of: UInt32(3).littleEndian) { Array($0) } + [1, 2, 3], forKey: IndexWriter.u32(78), in: txn)
        }
        let problems = try fixture.run(.verify(workspace: nil)).decode(VerifyReport.self).problems
        #expect(problems.contains { $0.kind == .vectorForMissingMemory && $0.memory == ghost.description && $0.environment == "test" })
        #expect(problems.contains { $0.kind == .vectorSlotForMissingMemory && $0.memory == ghost.description })
        #expect(problems.contains { $0.kind == .vectorNotNormalised && $0.memory == ghost.description })
        #expect(problems.contains { $0.kind == .malformedVectorBlock })
    }

    @Test func aKeywordOnlyPartitionNeedsNoVectorsButMayHoldNone() async throws {
        let fixture = try await InspectFixture.make()
        for environment in WorkspaceEnvironment.allCases {
            try IndexWriter.ensureKeywordIndex(path: fixture.path(fixture.alpha, environment), workspace: fixture.alpha)
        }
        let hasEmbedder = try IndexWriter.Tables.embedder(path: fixture.path(fixture.alpha, .live)) != nil
        let clean = try fixture.run(.verify(workspace: nil)).decode(VerifyReport.self)
        if hasEmbedder {
            // The store's write path already pinned an embedder: its own vectors must be complete.
            #expect(clean.problems == [])
        } else {
            #expect(clean.problems == [], "no embedder: no vectors to check")
            try IndexWriter.write(path: fixture.path(fixture.alpha, .live)) { tables, txn in
                try tables.vectorSlots.put(IndexWriter.u32(0) + [0, 0], forKey: fixture.alphaLive[0].id.ulid.bytes, in: txn)
            }
            let problems = try fixture.run(.verify(workspace: nil)).decode(VerifyReport.self).problems
            #expect(problems.map(\.kind) == [.vectorsWithoutEmbedder])
        }
    }

    @Test func undecodableRecordsAreReported() async throws {
        let fixture = try await InspectFixture.make()
        try fixture.buildIndexes()
        let broken = MemoryID.generate()
        try IndexWriter.write(path: fixture.path(fixture.alpha, .live)) { tables, txn in
            try tables.memories.put([9, 9, 9], forKey: broken.ulid.bytes, in: txn)
            try tables.memories.put([1], forKey: [1, 2, 3], in: txn)
        }
        let problems = try fixture.run(.verify(workspace: nil)).decode(VerifyReport.self).problems
        #expect(problems.contains { $0.kind == .corruptRecord && $0.memory == broken.description })
        #expect(problems.contains { $0.kind == .malformedKey && $0.message.contains("memories") })
        #expect(problems.contains { $0.kind == .docCountMismatch })
        // Its index entries cannot be computed, so none is demanded of it.
        #expect(!problems.contains { $0.kind == .missingDocLength })
    }

    @Test func workspaceDirectoriesMustMatchControlRecords() async throws {
        let fixture = try await InspectFixture.make()
        try fixture.buildIndexes()
        let stray = WorkspaceID.generate()
        let files = FileManager.default
        try files.createDirectory(atPath: fixture.data.workspacePath(stray), withIntermediateDirectories: true)
        try files.createDirectory(atPath: fixture.data.workspacesPath + "/not-a-workspace", withIntermediateDirectories: true)
        try files.createDirectory(atPath: fixture.data.workspacePath(fixture.alpha) + "/staging", withIntermediateDirectories: true)
        let output = fixture.run(.verify(workspace: nil))
        #expect(output.status == .problemsFound)
        let problems = try output.decode(VerifyReport.self).problems
        #expect(problems.contains { $0.kind == .directoryWithoutWorkspace && $0.workspace == stray.description })
        #expect(problems.contains { $0.kind == .unexpectedDirectoryEntry && $0.message.contains("not-a-workspace") })
        #expect(problems.contains { $0.kind == .unexpectedDirectoryEntry && $0.workspace == fixture.alpha.description && $0.message.contains("staging") })
        // Scoped to alpha, the other directories' problems are left out.
        let alphaOnly = try fixture.run(.verify(workspace: fixture.alpha.description)).decode(VerifyReport.self).problems
        #expect(alphaOnly.map(\.kind) == [.unexpectedDirectoryEntry])
    }
}

extension IndexWriter.Tables {
    /// The partition's `embedder` entry, if any.
    static func embedder(path: String) throws -> String? {
        let tables = try IndexWriter.Tables(path: path)
        defer { tables.environment.close() }
        return try tables.environment.read { txn in try tables.indexMeta.get("embedder", in: txn).map { String(decoding: $0, as: UTF8.self) } }
    }
}
