import Foundation
import Testing
import NeuroloomTestSupport
@_spi(Operator) @testable import LMDB

@Suite struct EnvironmentTests {
    @Test func writeCommitsAndThrowAborts() throws {
        let dir = TemporaryDirectory()
        let env = try Environment(path: dir.path)
        let db: Database<UTF8Text, UTF8Text> = try env.openDatabase(named: "items")
        try env.write { txn in try db.put("one", forKey: "a", in: txn) }
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try env.write { txn in
                try db.put("two", forKey: "b", in: txn)
                throw Boom()
            }
        }
        try env.read { txn throws in
            #expect(try db.get("a", in: txn) == "one")
            #expect(try db.get("b", in: txn) == nil)
        }
    }

    @Test func errorCodesMapToCases() throws {
        #expect(LMDBError(code: -30799) == .keyExists)
        #expect(LMDBError(code: -30798) == .notFound)
        #expect(LMDBError(code: -30792) == .mapFull)
        #expect(LMDBError(code: -30790) == .readersFull)
        #expect(LMDBError(code: -30785) == .mapResized)
        #expect(LMDBError(code: -30780) == .badDatabase)
        #expect(LMDBError(code: 2) == .system(2))
        for code in Int32(-30799)...Int32(-30780) {
            #expect(LMDBError(code: code).code == code, "round trip of \(code)")
        }
        // A real error from a real call: noOverwrite on an existing key.
        let dir = TemporaryDirectory()
        let env = try Environment(path: dir.path)
        let db: Database<UTF8Text, UTF8Text> = try env.openDatabase(named: "items")
        try env.write { txn in try db.put("x", forKey: "k", in: txn) }
        #expect(throws: LMDBError.keyExists) {
            try env.write { txn in try db.put("y", forKey: "k", in: txn, noOverwrite: true) }
        }
        // Opening a directory that holds a non-LMDB data file.
        let bogus = dir.sub("bogus")
        try FileManager.default.createDirectory(atPath: bogus, withIntermediateDirectories: true)
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: bogus + "/data.mdb"))
        #expect(throws: LMDBError.invalidFile) { _ = try Environment(path: bogus) }
    }

    @Test func mapGrowsFromOneMegabyteToHoldFiftyMegabytes() throws {
        let dir = TemporaryDirectory()
        var options = EnvironmentOptions()
        options.mapSize = 1 << 20
        let env = try Environment(path: dir.path, options: options)
        let db: Database<BigEndianUInt64, RawBytes> = try env.openDatabase(named: "blobs")
        let blob = [UInt8](repeating: 7, count: 64 * 1024)
        // 800 × 64 KiB = 50 MiB, in batches of 20 per transaction.
        for batch in 0..<40 {
            try env.write { txn in
                for item in 0..<20 { try db.put(blob, forKey: UInt64(batch * 20 + item), in: txn) }
            }
        }
        #expect(env.mapSize >= 50 << 20)
        try env.read { txn throws in
            #expect(try db.count(in: txn) == 800)
            #expect(try db.get(799, in: txn) == blob)
        }
    }

    @Test func transactionLargerThanTheMapStillCommitsAfterGrowth() throws {
        let dir = TemporaryDirectory()
        var options = EnvironmentOptions()
        options.mapSize = 1 << 20
        let env = try Environment(path: dir.path, options: options)
        let db: Database<BigEndianUInt64, RawBytes> = try env.openDatabase(named: "blobs")
        var attempts = 0
        try env.write { txn in
            attempts += 1
            for item in 0..<64 { try db.put([UInt8](repeating: 1, count: 64 * 1024), forKey: UInt64(item), in: txn) }
        }
        #expect(attempts > 1, "the body reran after the map grew")
        try env.read { txn throws in #expect(try db.count(in: txn) == 64) }
    }

    @Test func mapStopsAtItsMaximum() throws {
        let dir = TemporaryDirectory()
        var options = EnvironmentOptions()
        options.mapSize = 1 << 20
        options.maximumMapSize = 2 << 20
        let env = try Environment(path: dir.path, options: options)
        let db: Database<BigEndianUInt64, RawBytes> = try env.openDatabase(named: "blobs")
        #expect(throws: LMDBError.mapFull) {
            try env.write { txn in
                for item in 0..<64 { try db.put([UInt8](repeating: 1, count: 64 * 1024), forKey: UInt64(item), in: txn) }
            }
        }
        try env.read { txn throws in #expect(try db.count(in: txn) == 0) }
    }

    @Test func readersSeeSnapshotsWhileAWriterRuns() async throws {
        let dir = TemporaryDirectory()
        let env = try Environment(path: dir.path)
        let db: Database<UTF8Text, BigEndianUInt64> = try env.openDatabase(named: "counters")
        try env.write { txn in
            try db.put(0, forKey: "a", in: txn)
            try db.put(0, forKey: "b", in: txn)
        }
        // The writer keeps a == b in every committed state; readers must never see them differ.
        let writes = 300
        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                for value in 1...writes {
                    try env.write { txn in
                        try db.put(UInt64(value), forKey: "a", in: txn)
                        try db.put(UInt64(value), forKey: "b", in: txn)
                    }
                }
                return 0
            }
            for _ in 0..<4 {
                group.addTask {
                    var reads = 0
                    var last: UInt64 = 0
                    while last < UInt64(writes) {
                        let (a, b) = try env.read { txn in (try db.get("a", in: txn), try db.get("b", in: txn)) }
                        #expect(a == b)
                        #expect(a! >= last, "snapshots never go back in time")
                        last = a!
                        reads += 1
                    }
                    return reads
                }
            }
            var totalReads = 0
            for try await reads in group { totalReads += reads }
            #expect(totalReads > 0)
        }
    }

    @Test func reopeningKeepsData() throws {
        let dir = TemporaryDirectory()
        do {
            let env = try Environment(path: dir.path)
            let db: Database<UTF8Text, UTF8Text> = try env.openDatabase(named: "items")
            try env.write { txn in try db.put("kept", forKey: "k", in: txn) }
        }
        let env = try Environment(path: dir.path)
        let db: Database<UTF8Text, UTF8Text> = try env.openDatabase(named: "items")
        try env.read { txn throws in #expect(try db.get("k", in: txn) == "kept") }
    }

    @Test func theSamePathCannotBeOpenedTwiceInOneProcess() throws {
        let dir = TemporaryDirectory()
        let env = try Environment(path: dir.path)
        #expect(throws: LMDBError.environmentAlreadyOpen(path: dir.path)) { _ = try Environment(path: dir.path) }
        env.close()
        #expect(throws: LMDBError.environmentClosed) { try env.read { _ in } }
        _ = try Environment(path: dir.path)
    }

    @Test func readOnlyEnvironmentRefusesToCreate() throws {
        let dir = TemporaryDirectory()
        var options = EnvironmentOptions()
        options.readOnly = true
        #expect(throws: LMDBError.self) { _ = try Environment(path: dir.sub("missing"), options: options) }
    }

    @Test func cursorsWalkBothWaysAndSeek() throws {
        let dir = TemporaryDirectory()
        let env = try Environment(path: dir.path)
        let db: Database<BigEndianUInt64, UTF8Text> = try env.openDatabase(named: "numbers")
        try env.write { txn in
            for value in stride(from: 10, through: 100, by: 10) { try db.put("n\(value)", forKey: UInt64(value), in: txn) }
        }
        try env.read { txn throws in
            var forward: [UInt64] = []
            try db.forEach(in: txn, from: 35) { key, _ in forward.append(key); return forward.count < 3 }
            #expect(forward == [40, 50, 60])
            var backward: [UInt64] = []
            try db.forEach(in: txn, from: 35, reverse: true) { key, _ in backward.append(key); return true }
            #expect(backward == [30, 20, 10])
            var exact: [UInt64] = []
            try db.forEach(in: txn, from: 50, reverse: true) { key, _ in exact.append(key); return exact.count < 2 }
            #expect(exact == [50, 40])
            var past: [UInt64] = []
            try db.forEach(in: txn, from: 1000, reverse: true) { key, _ in past.append(key); return past.count < 1 }
            #expect(past == [100])
        }
    }

    @Test func compactCopyOpensWithTheSameData() throws {
        let dir = TemporaryDirectory()
        let env = try Environment(path: dir.sub("source"))
        let db: Database<UTF8Text, UTF8Text> = try env.openDatabase(named: "items")
        try env.write { txn in for index in 0..<100 { try db.put("v\(index)", forKey: "k\(index)", in: txn) } }
        try FileManager.default.createDirectory(atPath: dir.sub("copy"), withIntermediateDirectories: true)
        try env.copy(to: dir.sub("copy"))
        let copy = try Environment(path: dir.sub("copy"))
        let copied: Database<UTF8Text, UTF8Text> = try copy.openDatabase(named: "items")
        try copy.read { txn throws in
            #expect(try copied.count(in: txn) == 100)
            #expect(try copied.get("k42", in: txn) == "v42")
        }
    }
}
