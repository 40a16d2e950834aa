import Foundation
import Testing
import NeuroloomTestSupport
@_spi(Operator) @testable import LMDB

@Suite struct ReadOnlyEnvironmentTests {
    private func readOnlyOptions() -> EnvironmentOptions {
        var options = EnvironmentOptions()
        options.readOnly = true
        options.mapSize = 0
        return options
    }

    @Test func databaseHandlesOpenedReadOnlyOutliveTheirOpeningTransaction() throws {
        let dir = TemporaryDirectory()
        do {
            let env = try Environment(path: dir.path)
            let db: Database<UTF8Text, UTF8Text> = try env.openDatabase(named: "items")
            try env.write { txn in try db.put("value", forKey: "key", in: txn) }
        }
        let env = try Environment(path: dir.path, options: readOnlyOptions())
        let db: Database<UTF8Text, UTF8Text> = try env.openDatabase(named: "items")
        // Before the fix, the handle was closed with its read transaction: EINVAL here.
        try env.read { txn throws in #expect(try db.get("key", in: txn) == "value") }
        try env.read { txn throws in #expect(try db.count(in: txn) == 1) }
        #expect(throws: LMDBError.notFound) { let _: Database<UTF8Text, UTF8Text> = try env.openDatabase(named: "missing") }
        #expect(env.mapSize > 0, "map size 0 adopts the size recorded in the file")
    }

    @Test func databaseNamesAndReadersAreListed() throws {
        let dir = TemporaryDirectory()
        let env = try Environment(path: dir.path)
        let _: Database<UTF8Text, UTF8Text> = try env.openDatabase(named: "zeta")
        let _: Database<UTF8Text, UTF8Text> = try env.openDatabase(named: "alpha")
        #expect(try env.databaseNames() == ["alpha", "zeta"])
        #expect(env.staleReadersClearedAtOpen == 0)
        #expect(try env.readers().allSatisfy { $0.transactionID == nil })
        try env.read { _ in
            let readers = try env.readers()
            #expect(readers.contains { $0.processID == getpid() && $0.transactionID != nil })
        }
    }

    @Test func readerListParsing() {
        let text = "    pid     thread     txnid\n      4242 7f00aa 17\n        77 7f00bb -\n"
        #expect(ReaderSlot.parse(readerList: text) == [
            ReaderSlot(processID: 4242, thread: "7f00aa", transactionID: 17),
            ReaderSlot(processID: 77, thread: "7f00bb", transactionID: nil),
        ])
        #expect(ReaderSlot.parse(readerList: "(no active readers)\n") == [])
    }
}
