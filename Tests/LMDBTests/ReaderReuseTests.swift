import Foundation
import LMDB
import NeuroloomTestSupport
import Testing

/// Read transactions are reset and renewed rather than begun anew: they must see new commits,
/// survive map growth between reads, hold no snapshot while idle and never leak reader slots.
@Suite struct ReaderReuseTests {
    @Test func reusedReadersSeeNewCommitsAcrossGrowthAndHoldNoSnapshotWhileIdle() async throws {
        let dir = TemporaryDirectory()
        var options = EnvironmentOptions()
        options.mapSize = 1 << 20
        let env = try Environment(path: dir.path, options: options)
        let db: Database<BigEndianUInt64, RawBytes> = try env.openDatabase(named: "blobs")
        let blob = [UInt8](repeating: 3, count: 32 * 1024)
        for round in 0..<12 {
            // Several readers at once, so more than one transaction sits in the pool.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        for _ in 0..<25 { _ = try env.read { txn in try db.count(in: txn) } }
                    }
                }
                try await group.waitForAll()
            }
            // 96 × 32 KiB per round: the 1 MiB map has to grow between pooled reads.
            try env.write { txn in
                for item in 0..<96 { try db.put(blob, forKey: UInt64(round * 96 + item), in: txn) }
            }
            #expect(try env.read { txn in try db.count(in: txn) } == (round + 1) * 96, "a reused reader sees the latest commit")
        }
        #expect(env.mapSize > 1 << 20)
        let slots = try env.readers()
        #expect(slots.count <= 8 + 4, "pooled readers are bounded")
        #expect(slots.allSatisfy { $0.transactionID == nil }, "idle readers hold no snapshot (writers can reuse pages)")
        env.close()
        let reopened = try Environment(path: dir.path, options: options)
        let again: Database<BigEndianUInt64, RawBytes> = try reopened.openDatabase(named: "blobs")
        #expect(try reopened.read { txn in try again.count(in: txn) } == 12 * 96)
        reopened.close()
    }
}
