import Foundation
@_spi(Operator) import LMDB
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

/// Reader slots held by other processes, for real.
@Suite struct ReaderTableTests {
    @Test func aFullReaderTableThrowsReadersFullWhileItsHolderLivesAndIsReclaimedOnDemandOnceItIsKilled() throws {
        let dir = TemporaryDirectory()
        do {
            let env = try Environment(path: dir.path)
            let db: Database<UTF8Text, UTF8Text> = try env.openDatabase(named: "main")
            try env.write { txn in try db.put("v", forKey: "k", in: txn) }
        }
        let holder = try ReaderSlotHolder(environment: dir.path, scratch: dir)
        #expect(holder.slots > 0)
        // A fresh environment object: no read transaction of its own kept for reuse.
        let env = try Environment(path: dir.path)
        let db: Database<UTF8Text, UTF8Text> = try env.openDatabase(named: "main")
        #expect(throws: LMDBError.readersFull) { try env.read { txn in try db.get("k", in: txn) } }
        try holder.kill()
        // The killed process's slots are stale: the next read reclaims them (mdb_reader_check) and succeeds.
        #expect(try env.read { txn in try db.get("k", in: txn) } == "v")
    }

    @Test func aDatabaseHandleIsRefusedInAnotherEnvironmentsTransaction() throws {
        let first = TemporaryDirectory(), second = TemporaryDirectory()
        let envA = try Environment(path: first.path)
        let envB = try Environment(path: second.path)
        let inA: Database<UTF8Text, UTF8Text> = try envA.openDatabase(named: "secrets")
        let inB: Database<UTF8Text, UTF8Text> = try envB.openDatabase(named: "secrets")
        try envA.write { txn in try inA.put("a's data", forKey: "k", in: txn) }
        try envB.write { txn in try inB.put("b's data", forKey: "k", in: txn) }
        // Same name, same MDB_dbi number in both: without the check, a read would silently see A's data.
        #expect(throws: LMDBError.databaseOfAnotherEnvironment(name: "secrets")) {
            try envB.read { txn in try inA.get("k", in: txn) }
        }
        #expect(throws: LMDBError.databaseOfAnotherEnvironment(name: "secrets")) {
            try envB.write { txn in try inA.put("x", forKey: "k", in: txn) }
        }
        #expect(try envB.read { txn in try inB.get("k", in: txn) } == "b's data")
    }
}
