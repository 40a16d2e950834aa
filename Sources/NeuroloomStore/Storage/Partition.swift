import Dispatch
@_spi(Operator) import LMDB
import Synchronization

/// Identifies one partition: a workspace and one of its environments.
struct PartitionKey: Hashable, Sendable {
    let workspaceID: WorkspaceID
    let environment: WorkspaceEnvironment
}

/// One open workspace partition: its LMDB environment, its named databases, the serial queue its
/// writes run on, and a count of operations in flight so it is closed only when idle.
///
/// Named databases (opened once, here):
/// - `meta`: `schema` → format version;
/// - `memories`: memory ULID bytes (time-ordered) → memory record;
/// - the search indexes: `index_meta`, `vectors`, `vector_slots`, `postings`, `terms`, `doc_lengths`.
///
/// State transitions (driven by ``WorkspaceStorage``):
///
/// | previous | event | new |
/// |---|---|---|
/// | — | `open` | open |
/// | open | `acquire` / `release` | open (in-flight ± 1) |
/// | open | `beginClosing` | closing (no new `acquire`) |
/// | closing | in-flight reaches 0 | closed (env dropped, `mdb_env_close`) |
final class Partition: Sendable {
    static let schemaVersion: UInt64 = 1

    let key: PartitionKey
    let environment: Environment
    let meta: Database<UTF8Text, BigEndianUInt64>
    let memories: Database<RawBytes, RawBytes>
    /// The keyword and vector indexes (docs/search.md).
    let indexes: SearchIndexes
    /// Writes to this partition run here, one at a time, off Swift's cooperative pool
    /// (a commit waits for fsync). The place where group commit will coalesce writes.
    private let writeQueue: DispatchQueue
    private let state = Mutex<State>(State())

    private struct State {
        var inFlight = 0
        var lastUse: UInt64 = 0
        var closing = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    init(key: PartitionKey, path: String, options: EnvironmentOptions) throws {
        self.key = key
        let environment = try Environment(path: path, options: options)
        self.environment = environment
        self.meta = try environment.openDatabase(named: "meta")
        self.memories = try environment.openDatabase(named: "memories")
        self.indexes = try SearchIndexes(environment: environment)
        self.writeQueue = DispatchQueue(label: "neuroloom.partition.\(key.workspaceID).\(key.environment.rawValue)")
        if !options.readOnly {
            try environment.write { txn in
                if let version = try meta.get("schema", in: txn) {
                    guard version == Partition.schemaVersion else {
                        throw StoreError.conflict("partition schema version \(version) is not supported")
                    }
                } else {
                    try meta.put(Partition.schemaVersion, forKey: "schema", in: txn)
                }
            }
        }
    }

    // MARK: Lifetime

    /// Counts an operation in, stamping the use for LRU. Fails once closing has begun.
    func acquire(tick: UInt64) -> Bool {
        state.withLock { state in
            guard !state.closing else { return false }
            state.inFlight += 1
            state.lastUse = max(state.lastUse, tick)
            return true
        }
    }

    /// Stamps a use without counting an operation in (a partition enters the LRU as its newest member).
    func markUsed(tick: UInt64) {
        state.withLock { $0.lastUse = max($0.lastUse, tick) }
    }

    /// The logical time of the latest ``acquire(tick:)`` or ``markUsed(tick:)``.
    var lastUse: UInt64 { state.withLock { $0.lastUse } }

    /// Counts an operation out; wakes a closer waiting for idleness.
    func release() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.inFlight -= 1
            guard state.inFlight == 0, state.closing else { return [] }
            defer { state.idleWaiters = [] }
            return state.idleWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Refuses new operations and returns once those in flight have finished.
    func closeWhenIdle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state -> Bool in
                state.closing = true
                if state.inFlight == 0 { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    // MARK: Transactions

    /// A read transaction on the calling thread. LMDB readers never wait for writers, so this does
    /// not park the thread beyond the work itself.
    func read<T>(_ body: (ReadTransaction) throws -> T) throws(StoreError) -> T {
        try StoreError.mapping { try environment.read(body) }
    }

    /// A write transaction on this partition's write queue. Just before committing, `validate`
    /// runs inside the transaction; if it throws, nothing commits.
    func write<T: Sendable>(
        validate: @escaping @Sendable () throws -> Void,
        _ body: @escaping @Sendable (WriteTransaction) throws -> T
    ) async throws(StoreError) -> T {
        let result: Result<T, StoreError> = await withCheckedContinuation { continuation in
            writeQueue.async { [environment] in
                let outcome = Result { () throws(StoreError) -> T in
                    try StoreError.mapping {
                        try environment.write { txn in
                            let value = try body(txn)
                            try validate()
                            return value
                        }
                    }
                }
                continuation.resume(returning: outcome)
            }
        }
        return try result.get()
    }
}
