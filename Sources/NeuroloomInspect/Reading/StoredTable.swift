import LMDB

/// One named database of an environment opened read-only, as raw bytes. A database that does not
/// exist (an environment written before it was introduced) reads as empty, so the inspector works
/// on every format generation and reports what is missing instead of failing to open.
struct StoredTable {
    let name: String
    let database: Database<RawBytes, RawBytes>?

    /// Whether the database exists in the environment.
    var exists: Bool { database != nil }

    func get(_ key: [UInt8], in txn: ReadTransaction) throws -> [UInt8]? {
        guard let database else { return nil }
        return try database.get(key, in: txn)
    }

    func contains(_ key: [UInt8], in txn: ReadTransaction) throws -> Bool {
        guard let database else { return false }
        return try database.contains(key, in: txn)
    }

    /// The stored bytes for `key` without copying them (valid only inside `body`).
    func withValue<R>(forKey key: [UInt8], in txn: ReadTransaction, _ body: (UnsafeRawBufferPointer?) throws -> R) throws -> R {
        guard let database else { return try body(nil) }
        return try database.withValue(forKey: key, in: txn, body)
    }

    /// Visits entries in key order from the first key ≥ `start`, until `body` returns `false`.
    func forEach(in txn: ReadTransaction, from start: [UInt8]? = nil, _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        guard let database else { return }
        try database.forEach(in: txn, from: start, body)
    }

    func count(in txn: ReadTransaction) throws -> Int {
        guard let database else { return 0 }
        return try database.count(in: txn)
    }
}
