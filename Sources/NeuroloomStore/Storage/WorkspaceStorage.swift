#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LMDB
import Logging
import NeuroloomEmbedding
import Synchronization

/// Settings of the storage layer, with documented defaults.
public struct StorageConfiguration: Sendable {
    /// How many partitions (LMDB environments) may be open at once. Least recently used ones are
    /// closed beyond this, so 10,000 workspaces never exhaust file descriptors or address space.
    public var maxOpenPartitions = 256
    /// Initial map size of a partition; maps grow by doubling when full.
    public var initialMapSize = 4 << 20
    /// Largest a partition's map may grow.
    public var maximumMapSize = 1 << 40
    /// Input limits for memories.
    public var limits = MemoryLimits()
    /// Turns memories and queries into vectors; `nil` runs keyword-only (semantic search then
    /// finds nothing and hybrid ranks by keywords).
    public var embedder: (any Embedder)?
    /// Hybrid ranking's weight of the semantic score (the keyword score gets the rest); tuned on
    /// the Lee corpus by `tools/eval-search` (docs/search.md).
    public var hybridSemanticWeight = 0.7
    /// Query embeddings kept for repeated query strings.
    public var queryCacheSize = 512
    /// Threads for blocking and long CPU work (search scans, partition opening, key-management
    /// commits), kept off Swift's cooperative pool. Default: the number of online cores.
    public var blockingThreads = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    public init() {}
}

/// The only door to workspace data. It opens a partition only for a ``WorkspaceGrant`` — there is
/// no API that takes a bare workspace id or path — so cross-workspace access cannot be expressed.
///
/// The actor owns the table of open partitions (an LRU capped at `maxOpenPartitions`; never two
/// handles to one environment) and nothing else: the LMDB work itself happens outside it. Reads run
/// on the caller's thread in their own snapshot; writes run on the partition's serial queue.
public actor WorkspaceStorage {
    public nonisolated let directory: DataDirectory
    public nonisolated let resolver: KeyResolver
    public nonisolated let configuration: StorageConfiguration
    nonisolated let clock: StoreClock
    private let logger: Logger

    /// Open partitions. Readable without the actor so that the common case — the partition is
    /// open — costs one uncontended lock, not an actor hop; changed only by the actor.
    private nonisolated let open = Mutex<[PartitionKey: Partition]>([:])
    /// Logical clock for least-recently-used eviction.
    private nonisolated let useClock = Atomic<UInt64>(0)
    private var opening: [PartitionKey: Task<Partition, any Error>] = [:]
    private var closing: [PartitionKey: Task<Void, Never>] = [:]
    /// Recent query embeddings (repeated queries skip the model).
    nonisolated let queryCache: QueryEmbeddingCache
    /// Where blocking and long CPU work runs (``BlockingPool``): never on the cooperative pool.
    public nonisolated let blockingPool: BlockingPool

    public init(directory: DataDirectory, resolver: KeyResolver, configuration: StorageConfiguration = StorageConfiguration(),
                logger: Logger = Logger(label: "neuroloom.storage")) {
        self.directory = directory
        self.resolver = resolver
        self.configuration = configuration
        self.clock = resolver.control.clock
        self.logger = logger
        self.queryCache = QueryEmbeddingCache(capacity: configuration.queryCacheSize)
        self.blockingPool = BlockingPool(concurrency: configuration.blockingThreads, label: "neuroloom.blocking")
    }

    /// Number of partitions currently open (for metrics and tests).
    public var openPartitionCount: Int { open.withLock { $0.count } }

    /// Closes every partition once its in-flight operations finish. Call at shutdown.
    public func closeAll() async {
        for task in opening.values { _ = await task.result }
        for key in open.withLock({ Array($0.keys) }) { beginClosing(key) }
        while let task = closing.values.first { await task.value }
    }

    /// Frees reader slots held by dead processes (`mdb_reader_check`) in the control environment
    /// and in every open partition; returns how many were freed. Processes that share the data
    /// directory (`neuroloom mcp` over stdio, which editors kill all the time) can die holding a
    /// slot; without this a long-running server would only reclaim them when an environment opens.
    /// Cheap: a scan of each lock file's reader table. The server calls it periodically.
    public nonisolated func reclaimStaleReaders() -> Int {
        var freed = (try? resolver.control.environment.clearStaleReaders()) ?? 0
        let partitions = open.withLock { Array($0.values) }
        for partition in partitions {
            freed += (try? partition.environment.clearStaleReaders()) ?? 0
        }
        return freed
    }

    // MARK: Leases

    /// Runs `body` with the grant's partition open and counted as in use.
    nonisolated func withPartition<T>(_ grant: WorkspaceGrant, _ body: (Partition) async throws(StoreError) -> T) async throws(StoreError) -> T {
        let key = PartitionKey(workspaceID: grant.workspaceID, environment: grant.environment)
        let partition: Partition
        if let ready = acquireIfOpen(key) {
            partition = ready
        } else {
            partition = try await acquire(key)
        }
        defer { partition.release() }
        return try await body(partition)
    }

    /// The partition, counted in, if it is open. Lookup and count happen under one lock, so a
    /// partition cannot start closing in between.
    private nonisolated func acquireIfOpen(_ key: PartitionKey) -> Partition? {
        let tick = useClock.add(1, ordering: .relaxed).newValue
        return open.withLock { open in
            guard let partition = open[key], partition.acquire(tick: tick) else { return nil }
            return partition
        }
    }

    private func acquire(_ key: PartitionKey) async throws(StoreError) -> Partition {
        while true {
            if let partition = acquireIfOpen(key) {
                return partition
            } else if let task = opening[key] {
                // Whoever resumes first (the opener or a waiter) records the outcome. Awaiting a task
                // that has already finished does not suspend, so the bookkeeping must not wait for
                // the opener: it might never get the actor back.
                let result = await task.result
                finishOpening(key, task, result)
                if case .failure(let error) = result { throw StoreError(wrapping: error) }
            } else if let task = closing[key] {
                await task.value
            } else {
                opening[key] = startOpening(key)
            }
        }
    }

    private func startOpening(_ key: PartitionKey) -> Task<Partition, any Error> {
        var options = EnvironmentOptions()
        options.mapSize = configuration.initialMapSize
        options.maximumMapSize = configuration.maximumMapSize
        options.maxDatabases = 16
        let path = directory.partitionPath(key.workspaceID, key.environment)
        // Opening does file I/O and fsync'd commits: keep it off the actor and the cooperative pool.
        let pool = blockingPool
        let settings = options
        return Task.detached { try await pool.run { () throws -> Partition in try Partition(key: key, path: path, options: settings) } }
    }

    /// Moves a finished open from `opening` to `open` (idempotent: only the first caller acts).
    private func finishOpening(_ key: PartitionKey, _ task: Task<Partition, any Error>, _ result: Result<Partition, any Error>) {
        guard opening[key] == task else { return }
        opening[key] = nil
        switch result {
        case .success(let partition):
            // Enter the LRU as the newest: a partition left at tick 0 would be the next victim and
            // be closed before its opener could use it — forever, under a full cap.
            partition.markUsed(tick: useClock.add(1, ordering: .relaxed).newValue)
            open.withLock { $0[key] = partition }
            evictIfNeeded()
        case .failure(let error):
            logger.error("could not open partition", metadata: [
                "workspace": "\(key.workspaceID)", "environment": "\(key.environment.rawValue)", "error": "\(error)",
            ])
        }
    }

    /// Closes least recently used partitions beyond the cap. Each closes once idle.
    private func evictIfNeeded() {
        while true {
            let victim = open.withLock { open -> PartitionKey? in
                guard open.count > configuration.maxOpenPartitions else { return nil }
                return open.min(by: { $0.value.lastUse < $1.value.lastUse })?.key
            }
            guard let victim else { return }
            beginClosing(victim)
        }
    }

    /// open → closing: no new operations; the environment closes when the last one ends, and only
    /// then may the partition be opened again.
    private func beginClosing(_ key: PartitionKey) {
        guard let partition = open.withLock({ $0.removeValue(forKey: key) }) else { return }
        closing[key] = Task {
            await partition.closeWhenIdle()
            partition.environment.close()
            self.finishClosing(key)
        }
    }

    private func finishClosing(_ key: PartitionKey) {
        closing[key] = nil
    }
}

