import CLMDB
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How an ``Environment`` is opened. Every field has a safe default.
public struct EnvironmentOptions: Sendable, Equatable {
    /// Initial map size in bytes. The map grows (doubling) whenever a write hits `MDB_MAP_FULL`,
    /// so this only needs to be a sensible starting point. Default 16 MiB. `0` adopts the size
    /// recorded in an existing environment (what a read-only reader wants).
    public var mapSize: Int = 16 << 20
    /// The map never grows past this. A write that would need more fails with ``LMDBError/mapFull``.
    /// Default 1 TiB of address space (not disk: LMDB files are sparse until written).
    public var maximumMapSize: Int = 1 << 40
    /// `mdb_env_set_maxdbs`: how many named databases the environment may hold. Default 16.
    public var maxDatabases: UInt32 = 16
    /// `mdb_env_set_maxreaders`: reader-table slots (concurrent read transactions across processes).
    public var maxReaders: UInt32 = 256
    /// Open with `MDB_RDONLY`: no write transaction can begin, the files are never modified
    /// (only the lock file's reader slots are touched).
    public var readOnly: Bool = false
    /// Create the directory if it does not exist (ignored when `readOnly`).
    public var createDirectory: Bool = true
    /// Permissions of the data and lock files.
    public var fileMode: mode_t = 0o600

    public init() {}
}

/// An open LMDB environment: one directory holding `data.mdb` and `lock.mdb`.
///
/// Invariants this type protects:
/// - it always runs with `MDB_NOTLS`, so a read transaction is not bound to its thread's
///   TLS reader slot and Swift tasks may run it on any thread;
/// - transactions exist only inside ``read(_:)`` and ``write(_:)`` closures, which are synchronous:
///   a write transaction starts, runs and ends on one thread;
/// - the map is resized only while no transaction of this process is open (a shared/exclusive lock
///   around every transaction), as `mdb_env_set_mapsize` requires;
/// - one process never opens the same path twice (`lmdb.h`: "Do not have open an LMDB database twice
///   in the same process at the same time"): the second ``init(path:options:)`` throws
///   ``LMDBError/environmentAlreadyOpen(path:)``.
///
/// The environment closes (`mdb_env_close`) when the last reference goes away. Callers that share
/// an environment between tasks must make sure no transaction is running when they drop it.
public final class Environment: @unchecked Sendable {
    // @unchecked Sendable: the MDB_env handle is thread-safe under MDB_NOTLS; the only mutable
    // state (the map size) is guarded by `resizeLock` and `mapSizeState`.
    let handle: OpaquePointer
    /// The directory this environment lives in, as given to the initializer (standardised).
    public let path: String
    public let options: EnvironmentOptions
    private let resizeLock = ReadWriteLock()
    private let currentMapSize: Mutex<Int>

    private static let openPaths = Mutex<Set<String>>([])
    private static let identities = Atomic<UInt64>(0)

    /// A number no other ``Environment`` object of this process has had: database handles and
    /// transactions carry it, so a handle is never used with another environment's transaction.
    public let identity: UInt64 = Environment.identities.add(1, ordering: .relaxed).newValue

    /// Opens (creating unless read-only) the environment in directory `path`.
    ///
    /// Runs `mdb_reader_check` after opening, so reader slots left behind by crashed processes are
    /// freed before this process needs them.
    ///
    /// Operator SPI: the storage layer, the CLI and the offline tools open environments by path;
    /// the server modules (HTTP, MCP) cannot, so they reach data only through a grant.
    @_spi(Operator)
    public init(path: String, options: EnvironmentOptions = EnvironmentOptions()) throws(LMDBError) {
        if !options.readOnly && options.createDirectory {
            try Environment.makeDirectories(path)
        }
        let key = Environment.canonicalPath(path)
        let inserted = Environment.openPaths.withLock { $0.insert(key).inserted }
        guard inserted else { throw .environmentAlreadyOpen(path: path) }

        do {
            (self.handle, self.staleReadersClearedAtOpen) = try Environment.openHandle(path: path, options: options)
        } catch {
            Environment.openPaths.withLock { _ = $0.remove(key) }
            throw error
        }
        self.path = path
        self.options = options
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        self.currentMapSize = Mutex(info.me_mapsize)
        self.registryKey = key
    }

    private let registryKey: String

    /// Reader slots of dead processes that `mdb_reader_check` freed when this environment opened.
    public let staleReadersClearedAtOpen: Int

    private static func openHandle(path: String, options: EnvironmentOptions) throws(LMDBError) -> (OpaquePointer, Int) {
        var created: OpaquePointer?
        try check(mdb_env_create(&created))
        guard let env = created else { throw .system(ENOMEM) }
        do {
            try check(mdb_env_set_maxdbs(env, MDB_dbi(options.maxDatabases)))
            try check(mdb_env_set_maxreaders(env, options.maxReaders))
            try check(mdb_env_set_mapsize(env, options.mapSize))
            var flags = UInt32(MDB_NOTLS)
            if options.readOnly { flags |= UInt32(MDB_RDONLY) }
            try check(mdb_env_open(env, path, flags, options.fileMode))
            var dead: Int32 = 0
            try check(mdb_reader_check(env, &dead))
            return (env, Int(dead))
        } catch {
            mdb_env_close(env)
            throw error
        }
    }

    /// Set once by ``close()``; read under `resizeLock`.
    private let closed = Mutex<Bool>(false)
    /// Ended read transactions kept for reuse (`mdb_txn_reset`; `mdb_txn_renew` starts them
    /// again without claiming a reader slot). Emptied before a resize and at close.
    private let idleReaders = Mutex<[IdleReader]>([])
    /// Idle read transactions kept at most.
    private static let idleReaderLimit = 8

    deinit {
        close()
    }

    /// Closes the environment now: waits for this process's open transactions to end, then
    /// `mdb_env_close`. Later transactions throw ``LMDBError/environmentClosed``. Idempotent.
    /// After it returns, the same path may be opened again in this process.
    public func close() {
        resizeLock.withExclusive {
            let wasClosed = closed.withLock { closed in
                defer { closed = true }
                return closed
            }
            guard !wasClosed else { return }
            abortIdleReaders()
            mdb_env_close(handle)
            let key = registryKey
            Environment.openPaths.withLock { _ = $0.remove(key) }
        }
    }

    /// Frees the kept read transactions. Call with `resizeLock` held exclusively.
    private func abortIdleReaders() {
        for idle in idleReaders.withLock({ idle in defer { idle.removeAll() }; return idle }) {
            mdb_txn_abort(idle.txn)
        }
    }

    /// Throws if ``close()`` has run. Call with `resizeLock` held.
    private func checkOpen() throws(LMDBError) {
        if closed.withLock({ $0 }) { throw .environmentClosed }
    }

    // MARK: Transactions

    /// Runs `body` in a read-only transaction and returns its result.
    ///
    /// The transaction sees one consistent snapshot and never blocks writers. It ends (`mdb_txn_abort`)
    /// when `body` returns or throws. Values read inside must be decoded inside: the bytes LMDB hands
    /// out point into the map and are valid only until the transaction ends.
    ///
    /// When the reader table is full (`MDB_READERS_FULL`), slots left by dead processes are reclaimed
    /// with `mdb_reader_check` and the transaction is tried once more.
    public func read<T>(_ body: (ReadTransaction) throws -> T) throws -> T {
        var reclaimedReaders = false
        while true {
            do {
                return try resizeLock.withShared { () throws -> T in
                    try checkOpen()
                    let txn = try ReadTransaction(environment: self, reusing: idleReaders.withLock { $0.popLast()?.txn })
                    defer {
                        if let idle = txn.reset() {
                            let kept = idleReaders.withLock { pool -> Bool in
                                guard pool.count < Environment.idleReaderLimit else { return false }
                                pool.append(IdleReader(txn: idle))
                                return true
                            }
                            if !kept { mdb_txn_abort(idle) }
                        }
                    }
                    return try body(txn)
                }
            } catch LMDBError.mapResized {
                try adoptMapSizeGrownElsewhere()
            } catch LMDBError.readersFull where !reclaimedReaders {
                // Slots held by dead processes (a killed `neuroloom mcp`) are freed, then one retry.
                reclaimedReaders = true
                guard try clearStaleReaders() > 0 else { throw LMDBError.readersFull }
            }
        }
    }

    /// Runs `body` in a write transaction: returning commits, throwing aborts.
    ///
    /// If the transaction runs out of map space (`MDB_MAP_FULL`, from a put or from the commit),
    /// it is aborted, the map is doubled while no transaction of this process is open, and `body`
    /// runs again from the start. `body` must therefore have no effects outside the transaction
    /// before it returns, and must let ``LMDBError`` values it sees propagate unchanged.
    ///
    /// Only one write transaction runs at a time per environment (across processes: LMDB's writer
    /// lock); callers should serialise their writers so that threads do not pile up on that lock.
    public func write<T>(_ body: (WriteTransaction) throws -> T) throws -> T {
        guard !options.readOnly else { throw LMDBError.system(EACCES) }
        while true {
            do {
                return try resizeLock.withShared { () throws -> T in
                    try checkOpen()
                    let txn = try WriteTransaction(environment: self)
                    do {
                        let result = try body(txn)
                        try txn.commit()
                        return result
                    } catch {
                        txn.abort()
                        throw error
                    }
                }
            } catch LMDBError.mapFull {
                try growMap()
            } catch LMDBError.mapResized {
                try adoptMapSizeGrownElsewhere()
            }
        }
    }

    // MARK: Map size

    /// The map size this process currently uses, in bytes.
    public var mapSize: Int { currentMapSize.withLock { $0 } }

    /// Doubles the map (up to `maximumMapSize`). Waits until no transaction of this process is open.
    private func growMap() throws(LMDBError) {
        try resizeLock.withExclusive { () throws(LMDBError) in
            try checkOpen()
            abortIdleReaders()
            var info = MDB_envinfo()
            mdb_env_info(handle, &info)
            let current = info.me_mapsize
            guard current < options.maximumMapSize else { throw LMDBError.mapFull }
            let target = min(options.maximumMapSize, current.multipliedReportingOverflow(by: 2).overflow ? options.maximumMapSize : current * 2)
            try check(mdb_env_set_mapsize(handle, target))
            currentMapSize.withLock { $0 = target }
        }
    }

    /// Another process grew the map: `mdb_env_set_mapsize(env, 0)` adopts the size on disk.
    private func adoptMapSizeGrownElsewhere() throws(LMDBError) {
        try resizeLock.withExclusive { () throws(LMDBError) in
            try checkOpen()
            abortIdleReaders()
            try check(mdb_env_set_mapsize(handle, 0))
            var info = MDB_envinfo()
            mdb_env_info(handle, &info)
            currentMapSize.withLock { $0 = info.me_mapsize }
        }
    }

    // MARK: Databases

    /// Opens (creating unless read-only) the named database `name` and returns a typed handle.
    /// Read-only, a database that does not exist throws ``LMDBError/notFound``.
    ///
    /// Open each database once, right after opening the environment, and keep the handle: LMDB
    /// handles stay valid for the environment's life, and `mdb_dbi_open` "must not be called from
    /// multiple concurrent transactions in the same process".
    public func openDatabase<Key: ByteCodec, Value: ByteCodec>(
        named name: String, key: Key.Type = Key.self, value: Value.Type = Value.self
    ) throws -> Database<Key, Value> {
        if options.readOnly {
            // A handle opened in a read-only transaction outlives it only if the transaction
            // commits: `mdb_txn_abort` closes the handles it opened (later use fails with EINVAL).
            return try read { txn in
                var dbi: MDB_dbi = 0
                try check(mdb_dbi_open(try txn.pointer(), name, 0, &dbi))
                try txn.commit()
                return Database(handle: dbi, name: name, environmentIdentity: identity)
            }
        }
        return try write { txn in
            var dbi: MDB_dbi = 0
            try check(mdb_dbi_open(try txn.pointer(), name, UInt32(MDB_CREATE), &dbi))
            return Database(handle: dbi, name: name, environmentIdentity: identity)
        }
    }

    // MARK: Information

    /// Runs `body` with the `MDB_env` handle while the environment is open and its map is not
    /// being resized (for calls that need no transaction, in extensions of this type).
    func withOpenHandle<T>(_ body: (OpaquePointer) throws(LMDBError) -> T) throws(LMDBError) -> T {
        try resizeLock.withShared { () throws(LMDBError) -> T in
            try checkOpen()
            return try body(handle)
        }
    }

    /// `mdb_env_info`: map size, last page and transaction ids, reader slots.
    /// The id of the last committed write transaction, by any process: it changes with every
    /// commit, so a value read earlier that carries the same id is still current. No transaction.
    public func lastCommittedTransactionID() throws(LMDBError) -> Int {
        try resizeLock.withShared { () throws(LMDBError) -> Int in
            try checkOpen()
            var info = MDB_envinfo()
            mdb_env_info(handle, &info)
            return info.me_last_txnid
        }
    }

    public func info() throws(LMDBError) -> EnvironmentInfo {
        try resizeLock.withShared { () throws(LMDBError) -> EnvironmentInfo in
        try checkOpen()
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        var stat = MDB_stat()
        mdb_env_stat(handle, &stat)
        return EnvironmentInfo(
            mapSize: info.me_mapsize,
            lastPageNumber: info.me_last_pgno,
            lastTransactionID: info.me_last_txnid,
            maxReaders: info.me_maxreaders,
            readersInUse: info.me_numreaders,
            pageSize: stat.ms_psize
        )
        }
    }

    /// `mdb_reader_check`: frees reader slots held by dead processes; returns how many were freed.
    @discardableResult
    public func clearStaleReaders() throws(LMDBError) -> Int {
        try resizeLock.withShared { () throws(LMDBError) -> Int in
            try checkOpen()
            var dead: Int32 = 0
            try check(mdb_reader_check(handle, &dead))
            return Int(dead)
        }
    }

    /// `mdb_env_copy2`: writes a consistent copy of the environment into directory `destination`
    /// (which must exist and be empty). With `compact`, free pages are omitted and pages renumbered.
    /// Runs in its own read transaction, so writers go on meanwhile.
    public func copy(to destination: String, compact: Bool = true) throws(LMDBError) {
        try resizeLock.withShared { () throws(LMDBError) in
            try checkOpen()
            try check(mdb_env_copy2(handle, destination, compact ? UInt32(MDB_CP_COMPACT) : 0))
        }
    }

    /// `mdb_env_sync(env, 1)`: flushes buffers to disk. Commits already do this unless `MDB_NOSYNC`.
    public func sync() throws(LMDBError) {
        try resizeLock.withShared { () throws(LMDBError) in
            try checkOpen()
            try check(mdb_env_sync(handle, 1))
        }
    }

    // MARK: Paths

    static func canonicalPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func makeDirectories(_ path: String) throws(LMDBError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component + "/"
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw LMDBError.system(errno)
            }
        }
    }
}

/// Figures from `mdb_env_info` and `mdb_env_stat`.
public struct EnvironmentInfo: Sendable, Equatable {
    public var mapSize: Int
    public var lastPageNumber: Int
    public var lastTransactionID: Int
    public var maxReaders: UInt32
    public var readersInUse: UInt32
    public var pageSize: UInt32

    /// Bytes in use up to the last page (the file's logical size).
    /// Saturates instead of trapping on a corrupt meta page (a huge last page number).
    public var usedBytes: Int {
        let (pages, overflowA) = lastPageNumber.addingReportingOverflow(1)
        let (bytes, overflowB) = pages.multipliedReportingOverflow(by: Int(pageSize))
        return overflowA || overflowB ? Int.max : bytes
    }
}

/// A read transaction ended with `mdb_txn_reset`, kept for `mdb_txn_renew`. Sendable: under
/// `MDB_NOTLS` a read transaction is not tied to the thread that began it, and an idle one is only
/// ever touched by whoever took it out of the pool.
private struct IdleReader: @unchecked Sendable {
    let txn: OpaquePointer
}
