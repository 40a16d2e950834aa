import CLMDB

/// What both transaction kinds share: a live `MDB_txn` pointer that is valid only inside the closure
/// that received the transaction.
public protocol Transaction: AnyObject {
    /// The `MDB_txn`, or ``LMDBError/transactionEnded`` if the transaction's closure has returned.
    func pointer() throws(LMDBError) -> OpaquePointer
    /// The identity of the ``Environment`` this transaction belongs to (``Environment/identity``).
    var environmentIdentity: UInt64 { get }
}

extension Transaction {
    /// The `MDB_txn` for an operation on a database opened in the environment `identity`.
    ///
    /// An `MDB_dbi` is only a number: used with another environment's transaction it silently names
    /// whatever database has that number there (another partition's data). This check makes that a
    /// ``LMDBError/databaseOfAnotherEnvironment(name:)`` instead.
    @inline(__always)
    func pointer(forDatabase name: String, of identity: UInt64) throws(LMDBError) -> OpaquePointer {
        guard identity == environmentIdentity else { throw .databaseOfAnotherEnvironment(name: name) }
        return try pointer()
    }
}

/// A read-only snapshot, handed to the closure of ``Environment/read(_:)``. Do not let it escape.
public final class ReadTransaction: Transaction {
    private var txn: OpaquePointer?
    public let environmentIdentity: UInt64

    /// Starts a new snapshot on `idle` (a transaction ended by ``reset()``) when given, else begins one.
    init(environment: Environment, reusing idle: OpaquePointer?) throws(LMDBError) {
        environmentIdentity = environment.identity
        if let idle {
            if mdb_txn_renew(idle) == MDB_SUCCESS {
                txn = idle
                return
            }
            mdb_txn_abort(idle)
        }
        var txn: OpaquePointer?
        try check(mdb_txn_begin(environment.handle, nil, UInt32(MDB_RDONLY), &txn))
        self.txn = txn
    }

    public func pointer() throws(LMDBError) -> OpaquePointer {
        guard let txn else { throw .transactionEnded }
        return txn
    }

    /// Ends the snapshot but keeps the handle for ``init(environment:reusing:)`` (`mdb_txn_reset`).
    func reset() -> OpaquePointer? {
        guard let txn else { return nil }
        self.txn = nil
        mdb_txn_reset(txn)
        return txn
    }

    /// Ends the snapshot with `mdb_txn_commit`, which, unlike an abort, keeps the database handles
    /// opened in it (`lmdb.h`, `mdb_dbi_open`). Used only to open databases of a read-only environment.
    func commit() throws(LMDBError) {
        guard let txn else { throw .transactionEnded }
        self.txn = nil
        try check(mdb_txn_commit(txn))
    }
}

/// A write transaction, handed to the closure of ``Environment/write(_:)``. Do not let it escape.
public final class WriteTransaction: Transaction {
    private var txn: OpaquePointer?
    public let environmentIdentity: UInt64

    init(environment: Environment) throws(LMDBError) {
        environmentIdentity = environment.identity
        var txn: OpaquePointer?
        try check(mdb_txn_begin(environment.handle, nil, 0, &txn))
        self.txn = txn
    }

    public func pointer() throws(LMDBError) -> OpaquePointer {
        guard let txn else { throw .transactionEnded }
        return txn
    }

    func commit() throws(LMDBError) {
        guard let txn else { throw .transactionEnded }
        self.txn = nil
        // mdb_txn_commit frees the transaction whether or not it succeeds.
        try check(mdb_txn_commit(txn))
    }

    func abort() {
        if let txn { mdb_txn_abort(txn) }
        txn = nil
    }
}
