import CLMDB

/// A position in one database, valid only inside ``Database/withCursor(in:_:)``.
/// Each move returns the decoded entry it lands on, or `nil` when there is none.
public final class Cursor<Key: ByteCodec, Value: ByteCodec> {
    private var cursor: OpaquePointer?

    init(transaction: OpaquePointer, database: MDB_dbi) throws(LMDBError) {
        var cursor: OpaquePointer?
        try check(mdb_cursor_open(transaction, database, &cursor))
        self.cursor = cursor
    }

    func close() {
        if let cursor { mdb_cursor_close(cursor) }
        cursor = nil
    }

    public func first() throws -> (key: Key.Value, value: Value.Value)? { try move(MDB_FIRST) }
    public func last() throws -> (key: Key.Value, value: Value.Value)? { try move(MDB_LAST) }
    public func next() throws -> (key: Key.Value, value: Value.Value)? { try move(MDB_NEXT) }
    public func previous() throws -> (key: Key.Value, value: Value.Value)? { try move(MDB_PREV) }

    /// Moves to the first key ≥ `key` (`MDB_SET_RANGE`).
    public func seek(atOrAfter key: Key.Value) throws -> (key: Key.Value, value: Value.Value)? {
        try Key.withBytes(of: key) { bytes in
            var mdbKey = MDB_val(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            return try move(MDB_SET_RANGE, key: &mdbKey)
        }
    }

    /// Moves to the last key ≤ `key`.
    public func seek(atOrBefore key: Key.Value) throws -> (key: Key.Value, value: Value.Value)? {
        let exact = try Key.withBytes(of: key) { bytes -> Bool? in
            var mdbKey = MDB_val(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            guard let found = try rawMove(MDB_SET_RANGE, key: &mdbKey) else { return nil }
            return found.key.elementsEqual(bytes)
        }
        switch exact {
        case .none: return try last()
        case .some(true): return try current()
        case .some(false): return try previous()
        }
    }

    // MARK: Without copying

    /// Moves to the first entry; key and value point into the map (valid until the next move or
    /// the transaction's end — never keep them).
    public func firstInPlace() throws(LMDBError) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        var key = MDB_val()
        return try rawMove(MDB_FIRST, key: &key)
    }

    /// Moves to the next entry, without copying (see ``firstInPlace()``).
    public func nextInPlace() throws(LMDBError) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        var key = MDB_val()
        return try rawMove(MDB_NEXT, key: &key)
    }

    /// Moves to the first key ≥ `key`, without copying (see ``firstInPlace()``).
    public func seekInPlace(atOrAfter key: UnsafeRawBufferPointer) throws(LMDBError) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        var mdbKey = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        return try rawMove(MDB_SET_RANGE, key: &mdbKey)
    }

    /// The entry under the cursor.
    public func current() throws -> (key: Key.Value, value: Value.Value)? { try move(MDB_GET_CURRENT) }

    private func move(_ operation: MDB_cursor_op) throws -> (key: Key.Value, value: Value.Value)? {
        var key = MDB_val()
        return try move(operation, key: &key)
    }

    private func move(_ operation: MDB_cursor_op, key: inout MDB_val) throws -> (key: Key.Value, value: Value.Value)? {
        guard let raw = try rawMove(operation, key: &key) else { return nil }
        return (try Key.decode(raw.key), try Value.decode(raw.value))
    }

    private func rawMove(_ operation: MDB_cursor_op, key: inout MDB_val) throws(LMDBError) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        guard let cursor else { throw .transactionEnded }
        var value = MDB_val()
        let rc = mdb_cursor_get(cursor, &key, &value, operation)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc)
        return (UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size),
                UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
    }
}
