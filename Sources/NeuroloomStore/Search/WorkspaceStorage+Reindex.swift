import LMDB

/// What a reindex did.
public struct ReindexReport: Sendable, Equatable {
    public var memories = 0
    public var vectors = 0
    /// Memories written while the reindex ran whose vectors a further round filled in.
    public var rounds = 0
}

extension WorkspaceStorage {
    /// Rebuilds a partition's keyword and vector indexes from its memories, e.g. after an embedder
    /// change (the partition is re-pinned to the configured embedder, or left keyword-only without
    /// one). Safe beside live traffic: texts are embedded outside any transaction, the swap happens
    /// in one write transaction, and memories written meanwhile are embedded in a further round.
    public nonisolated func reindex(grant: WorkspaceGrant, batchSize: Int = 64) async throws(StoreError) -> ReindexReport {
        try requireScope(grant, .admin)
        var report = ReindexReport()
        var vectors: [MemoryKey: (content: String, vector: [Float])] = [:]
        let embedderID = configuration.embedder?.id
        var firstRound = true
        while true {
            report.rounds += 1
            // Texts that still need a vector (every memory in the first round).
            let snapshot = try await withPartition(grant) { (partition: Partition) throws(StoreError) -> [(MemoryKey, String)] in
                try partition.read { txn in
                    var missing: [(MemoryKey, String)] = []
                    try partition.memories.forEach(in: txn) { key, value in
                        guard let id = ULID(storedBytes: key) else { throw StoreError.corruptRecord("memory") }
                        let memory = try value.withUnsafeBytes { try Memory(id: MemoryID(ulid: id), workspaceID: grant.workspaceID, decoding: $0) }
                        if vectors[id]?.content != memory.content { missing.append((id, memory.content)) }
                        return true
                    }
                    return missing
                }
            }
            if embedderID != nil {
                for start in stride(from: 0, to: snapshot.count, by: max(1, batchSize)) {
                    let batch = snapshot[start..<min(snapshot.count, start + max(1, batchSize))]
                    guard let made = try await embedContents(batch.map(\.1)) else { break }
                    for ((key, content), vector) in zip(batch, made.vectors) { vectors[key] = (content, vector) }
                }
            }
            let built = vectors
            let rebuildAll = firstRound
            firstRound = false
            let outcome = try await write(grant) { partition, txn -> (memories: Int, vectors: Int, missing: Int) in
                let indexes = partition.indexes
                if rebuildAll {
                    for database in [indexes.vectors, indexes.vectorSlots, indexes.postings, indexes.documentLengths] {
                        try database.removeAll(in: txn)
                    }
                    try indexes.terms.removeAll(in: txn)
                    try indexes.meta.removeAll(in: txn)
                }
                var memories = 0, missing = 0
                var entries: [(id: [UInt8], vector: [Float])] = []
                try partition.memories.forEach(in: txn) { key, value in
                    // The store writes 16-byte keys only; any other length is corruption, not a trap.
                    guard let id = ULID(storedBytes: key) else { throw StoreError.corruptRecord("memory") }
                    let memory = try value.withUnsafeBytes { try Memory(id: MemoryID(ulid: id), workspaceID: grant.workspaceID, decoding: $0) }
                    memories += 1
                    let hasSlot = try indexes.vectorSlots.contains(key, in: txn)
                    if rebuildAll { try indexes.addKeywords(id: key, content: memory.content, in: txn) }
                    guard embedderID != nil, !hasSlot else { return true }
                    // A vector made from text that changed since is not used: the next round redoes it.
                    if let made = built[id], made.content == memory.content {
                        entries.append((key, made.vector))
                    } else {
                        missing += 1
                    }
                    return true
                }
                if let embedderID, !entries.isEmpty { try indexes.addVectors(entries, embedderID: embedderID, in: txn) }
                return (memories, try indexes.vectorSlots.count(in: txn), missing)
            }
            report.memories = outcome.memories
            report.vectors = outcome.vectors
            if outcome.missing == 0 || report.rounds >= 5 { return report }
        }
    }
}
