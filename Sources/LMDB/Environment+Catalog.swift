import CLMDB

/// One slot of the reader table (`mdb_reader_list`): a process holding, or having held, a read
/// transaction of this environment.
public struct ReaderSlot: Sendable, Equatable, Codable {
    /// The process that owns the slot.
    public var processID: Int32
    /// Its thread, as LMDB prints it (hexadecimal).
    public var thread: String
    /// The snapshot it reads, or `nil` when the slot is reserved but no transaction is running.
    public var transactionID: Int?

    public init(processID: Int32, thread: String, transactionID: Int?) {
        self.processID = processID
        self.thread = thread
        self.transactionID = transactionID
    }
}

extension Environment {
    /// The names of the environment's named databases: the keys of LMDB's unnamed main database,
    /// in byte order. (Nothing in this package stores plain keys in the main database.)
    public func databaseNames() throws -> [String] {
        try read { txn in
            var dbi: MDB_dbi = 0
            try check(mdb_dbi_open(try txn.pointer(), nil, 0, &dbi))
            let main = Database<UTF8Text, RawBytes>(handle: dbi, name: "", environmentIdentity: identity)
            var names: [String] = []
            try main.forEach(in: txn) { name, _ in
                names.append(name)
                return true
            }
            return names
        }
    }

    /// The reader table's occupied slots (`mdb_reader_list`), across every process using the
    /// environment.
    public func readers() throws(LMDBError) -> [ReaderSlot] {
        let collector = ReaderListCollector()
        try withOpenHandle { handle throws(LMDBError) in
            let context = Unmanaged.passUnretained(collector).toOpaque()
            let rc = mdb_reader_list(handle, { message, context in
                guard let message, let context else { return 0 }
                Unmanaged<ReaderListCollector>.fromOpaque(context).takeUnretainedValue().text += String(cString: message)
                return 0
            }, context)
            if rc < 0 { try check(rc) }
        }
        return ReaderSlot.parse(readerList: collector.text)
    }
}

/// Gathers `mdb_reader_list`'s output lines; used only for the duration of that call.
private final class ReaderListCollector {
    var text = ""
}

extension ReaderSlot {
    /// Parses `mdb_reader_list`'s text: a header line, then `pid thread txnid` per slot (`-` for
    /// a reserved slot without a transaction), or `(no active readers)`.
    static func parse(readerList text: String) -> [ReaderSlot] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 3, let processID = Int32(fields[0]) else { return nil }
            return ReaderSlot(processID: processID, thread: String(fields[1]), transactionID: Int(fields[2]))
        }
    }
}
