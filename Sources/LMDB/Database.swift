import CLMDB

/// A typed handle to one named database inside an ``Environment``.
///
/// Handles are plain values (`MDB_dbi` numbers): obtain them once with
/// ``Environment/openDatabase(named:key:value:)`` and use them with any transaction of that
/// environment. Every operation takes the transaction explicitly.
public struct Database<Key: ByteCodec, Value: ByteCodec>: Sendable {
    let handle: MDB_dbi
    public let name: String
    /// The ``Environment/identity`` of the environment that opened this handle: every operation
    /// checks that its transaction belongs to the same one.
    let environmentIdentity: UInt64

    init(handle: MDB_dbi, name: String, environmentIdentity: UInt64) {
        self.handle = handle
        self.name = name
        self.environmentIdentity = environmentIdentity
    }

    /// The transaction's `MDB_txn`, if it belongs to this handle's environment.
    @inline(__always)
    func pointer(in txn: some Transaction) throws(LMDBError) -> OpaquePointer {
        try txn.pointer(forDatabase: name, of: environmentIdentity)
    }

    /// The value stored under `key`, decoded, or `nil`.
    public func get(_ key: Key.Value, in txn: some Transaction) throws -> Value.Value? {
        try withValue(forKey: key, in: txn) { bytes in try bytes.map(Value.decode) }
    }

    /// Whether `key` is present.
    public func contains(_ key: Key.Value, in txn: some Transaction) throws -> Bool {
        try withValue(forKey: key, in: txn) { $0 != nil }
    }

    /// Calls `body` with the stored bytes for `key` (or `nil`) without copying them.
    /// The buffer points into the map: it must not escape `body`.
    public func withValue<R>(
        forKey key: Key.Value, in txn: some Transaction, _ body: (UnsafeRawBufferPointer?) throws -> R
    ) throws -> R {
        let pointer = try self.pointer(in: txn)
        return try Key.withBytes(of: key) { keyBytes in
            var mdbKey = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            var mdbValue = MDB_val()
            let rc = mdb_get(pointer, handle, &mdbKey, &mdbValue)
            if rc == MDB_NOTFOUND { return try body(nil) }
            try check(rc)
            return try body(UnsafeRawBufferPointer(start: mdbValue.mv_data, count: mdbValue.mv_size))
        }
    }

    /// Stores `value` under `key`, replacing what was there unless `noOverwrite`
    /// (then an existing key throws ``LMDBError/keyExists``).
    public func put(_ value: Value.Value, forKey key: Key.Value, in txn: WriteTransaction, noOverwrite: Bool = false) throws {
        let pointer = try self.pointer(in: txn)
        try Key.withBytes(of: key) { keyBytes in
            try Value.withBytes(of: value) { valueBytes in
                var mdbKey = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
                var mdbValue = MDB_val(mv_size: valueBytes.count, mv_data: UnsafeMutableRawPointer(mutating: valueBytes.baseAddress))
                try check(mdb_put(pointer, handle, &mdbKey, &mdbValue, noOverwrite ? UInt32(MDB_NOOVERWRITE) : 0))
            }
        }
    }

    /// Removes `key`. Returns whether it was present.
    @discardableResult
    public func delete(_ key: Key.Value, in txn: WriteTransaction) throws -> Bool {
        let pointer = try self.pointer(in: txn)
        return try Key.withBytes(of: key) { keyBytes in
            var mdbKey = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            let rc = mdb_del(pointer, handle, &mdbKey, nil)
            if rc == MDB_NOTFOUND { return false }
            try check(rc)
            return true
        }
    }

    /// Removes every entry (the database itself stays).
    public func removeAll(in txn: WriteTransaction) throws {
        try check(mdb_drop(try pointer(in: txn), handle, 0))
    }

    /// `mdb_stat` for this database: entry count, B-tree depth and page counts.
    public func statistics(in txn: some Transaction) throws -> DatabaseStatistics {
        var stat = MDB_stat()
        try check(mdb_stat(try pointer(in: txn), handle, &stat))
        return DatabaseStatistics(stat)
    }

    /// Number of entries.
    public func count(in txn: some Transaction) throws -> Int {
        try statistics(in: txn).entries
    }

    /// Runs `body` with a cursor over this database; the cursor closes when `body` returns.
    public func withCursor<R>(in txn: some Transaction, _ body: (Cursor<Key, Value>) throws -> R) throws -> R {
        let cursor = try Cursor<Key, Value>(transaction: try pointer(in: txn), database: handle)
        defer { cursor.close() }
        return try body(cursor)
    }

    /// Visits entries in key order (or reverse order), starting at the first key ≥ `start`
    /// (reverse: the last key ≤ `start`), until `body` returns `false` or the entries run out.
    public func forEach(
        in txn: some Transaction, from start: Key.Value? = nil, reverse: Bool = false,
        _ body: (Key.Value, Value.Value) throws -> Bool
    ) throws {
        try withCursor(in: txn) { cursor in
            var entry: (key: Key.Value, value: Value.Value)?
            if let start {
                entry = reverse ? try cursor.seek(atOrBefore: start) : try cursor.seek(atOrAfter: start)
            } else {
                entry = reverse ? try cursor.last() : try cursor.first()
            }
            while let current = entry {
                guard try body(current.key, current.value) else { return }
                entry = reverse ? try cursor.previous() : try cursor.next()
            }
        }
    }
}

extension Database {
    /// Visits entries in key order from the first key ≥ `start` (all when `nil`) without copying:
    /// `body` sees the bytes in the memory map, valid only during the call. Stops when `body`
    /// returns `false`. For scans where copying would dominate (vector blocks, posting ranges).
    public func forEachInPlace(
        in txn: some Transaction, from start: [UInt8]? = nil,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try withCursor(in: txn) { cursor in
            var entry: (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?
            if let start {
                entry = try start.withUnsafeBytes { try cursor.seekInPlace(atOrAfter: $0) }
            } else {
                entry = try cursor.firstInPlace()
            }
            while let current = entry {
                guard try body(current.key, current.value) else { return }
                entry = try cursor.nextInPlace()
            }
        }
    }
}

/// Figures from `mdb_stat`.
public struct DatabaseStatistics: Sendable, Equatable, Codable {
    public var pageSize: Int
    public var depth: Int
    public var branchPages: Int
    public var leafPages: Int
    public var overflowPages: Int
    public var entries: Int

    init(_ stat: MDB_stat) {
        pageSize = Int(stat.ms_psize)
        depth = Int(stat.ms_depth)
        branchPages = stat.ms_branch_pages
        leafPages = stat.ms_leaf_pages
        overflowPages = stat.ms_overflow_pages
        entries = stat.ms_entries
    }
}
