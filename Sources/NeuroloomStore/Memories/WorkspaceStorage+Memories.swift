import LMDB
import NeuroloomAPI

/// Memory operations. Each takes the grant that proves the caller may use the partition; ids from
/// any other partition are simply absent from this one (``StoreError/notFound``).
extension WorkspaceStorage {
    // MARK: Writes

    /// Creates one memory.
    public nonisolated func createMemory(_ input: NewMemory, grant: WorkspaceGrant) async throws(StoreError) -> Memory {
        try await createMemories([input], grant: grant, field: { _ in "" })[0]
    }

    /// Creates 1…`maxBatchSize` memories in one transaction: all or nothing.
    public nonisolated func batchCreateMemories(_ inputs: [NewMemory], grant: WorkspaceGrant) async throws(StoreError) -> [Memory] {
        let limits = configuration.limits
        guard !inputs.isEmpty, inputs.count <= limits.maxBatchSize else {
            throw .invalid(field: "memories", message: "must hold between 1 and \(limits.maxBatchSize) memories")
        }
        return try await createMemories(inputs, grant: grant, field: { "memories[\($0)]." })
    }

    private nonisolated func createMemories(_ inputs: [NewMemory], grant: WorkspaceGrant, field: (Int) -> String) async throws(StoreError) -> [Memory] {
        try requireScope(grant, .write)
        let limits = configuration.limits
        var prepared: [(content: String, metadata: [UInt8])] = []
        prepared.reserveCapacity(inputs.count)
        for (index, input) in inputs.enumerated() {
            let content = try limits.validContent(input.content, field: field(index) + "content")
            let metadata = try limits.validMetadata(input.metadata, field: field(index) + "metadata")
            prepared.append((content, metadata))
        }
        let now = clock.now()
        let memories = prepared.map { item in
            Memory(id: .generate(now: now), content: item.content, metadataJSON: item.metadata,
                   createdAt: now, updatedAt: now, workspaceID: grant.workspaceID)
        }
        // Embed first (one batch), never inside the write transaction.
        let embedded = try await embedContents(memories.map(\.content))
        return try await write(grant) { partition, txn in
            for memory in memories {
                try partition.memories.put(memory.encoded(), forKey: memory.id.ulid.bytes, in: txn, noOverwrite: true)
                try partition.indexes.addKeywords(id: memory.id.ulid.bytes, content: memory.content, in: txn)
            }
            if let embedded {
                try partition.indexes.addVectors(Array(zip(memories.map(\.id.ulid.bytes), embedded.vectors)),
                                                 embedderID: embedded.id, in: txn)
            }
            return memories
        }
    }

    /// Updates content and/or metadata (metadata is replaced whole). At least one must be given.
    public nonisolated func updateMemory(_ id: MemoryID, _ patch: MemoryPatch, grant: WorkspaceGrant) async throws(StoreError) -> Memory {
        try requireScope(grant, .write)
        guard patch.content != nil || patch.metadata != nil else {
            throw .invalid(field: "content", message: "give content, metadata or both")
        }
        let limits = configuration.limits
        let content = try patch.content.map { (text: String) throws(StoreError) -> String in try limits.validContent(text) }
        let metadata = try patch.metadata.map { (value: JSONValue) throws(StoreError) -> [UInt8] in try limits.validMetadata(value) }
        let now = clock.now()
        let embeds = configuration.embedder != nil
        // The model runs (milliseconds of CPU) only when the text changes: not for a missing memory,
        // not for the stored text sent again.
        var embedded: (id: String, vectors: [[Float]])?
        if let content, embeds {
            let stored = try await withPartition(grant) { (partition: Partition) throws(StoreError) -> String? in
                try partition.read { txn in try partition.memory(id, workspace: grant.workspaceID, in: txn)?.content }
            }
            guard let stored else { throw .notFound }
            // Bytes, not `String` equality (canonical equivalence): `café` precomposed and decomposed
            // are different texts to store.
            if !stored.utf8.elementsEqual(content.utf8) { embedded = try await embedContents([content]) }
        }
        while true {
            let vectors = embedded
            // nil: the text changed since it was compared, so it still needs its vector (nothing written).
            let updated = try await write(grant) { partition, txn -> Memory? in
                guard var memory = try partition.memory(id, workspace: grant.workspaceID, in: txn) else { throw StoreError.notFound }
                if let content, !content.utf8.elementsEqual(memory.content.utf8) {
                    if embeds && vectors == nil { return nil }
                    // The index follows the text: the old terms and vector go in the same transaction.
                    try partition.indexes.removeKeywords(id: id.ulid.bytes, content: memory.content, in: txn)
                    try partition.indexes.addKeywords(id: id.ulid.bytes, content: content, in: txn)
                    try partition.indexes.removeVector(id: id.ulid.bytes, in: txn)
                    if let vectors {
                        try partition.indexes.addVectors([(id.ulid.bytes, vectors.vectors[0])], embedderID: vectors.id, in: txn)
                    }
                    memory.content = content
                }
                if let metadata { memory.metadataJSON = metadata }
                memory.updatedAt = max(now, memory.createdAt)
                try partition.memories.put(memory.encoded(), forKey: id.ulid.bytes, in: txn)
                return memory
            }
            if let updated { return updated }
            // Reached only with new content and an embedder: the next pass has its vector.
            guard let content, let made = try await embedContents([content]) else {
                throw .unavailable("the new content could not be embedded")
            }
            embedded = made
        }
    }

    /// Deletes a memory; ``StoreError/notFound`` if it is not in this partition.
    public nonisolated func deleteMemory(_ id: MemoryID, grant: WorkspaceGrant) async throws(StoreError) {
        try requireScope(grant, .write)
        try await write(grant) { partition, txn in
            guard let memory = try partition.memory(id, workspace: grant.workspaceID, in: txn) else { throw StoreError.notFound }
            try partition.indexes.removeKeywords(id: id.ulid.bytes, content: memory.content, in: txn)
            try partition.indexes.removeVector(id: id.ulid.bytes, in: txn)
            _ = try partition.memories.delete(id.ulid.bytes, in: txn)
        }
    }

    // MARK: Reads

    /// The memory, or ``StoreError/notFound``.
    public nonisolated func memory(_ id: MemoryID, grant: WorkspaceGrant) async throws(StoreError) -> Memory {
        try await withPartition(grant) { (partition: Partition) throws(StoreError) -> Memory in
            guard let memory = try partition.read({ txn in try partition.memory(id, workspace: grant.workspaceID, in: txn) }) else {
                throw StoreError.notFound
            }
            return memory
        }
    }

    /// One page of memories, newest first. Pass the previous page's `nextCursor` to continue.
    /// Memories created while paging appear at the front and are not seen by an ongoing walk;
    /// none already listed repeats and none older is skipped.
    public nonisolated func listMemories(limit: Int? = nil, cursor: String? = nil, grant: WorkspaceGrant) async throws(StoreError) -> MemoryPage {
        let limit = try configuration.limits.validPageSize(limit)
        let after = try cursor.map { (text: String) throws(StoreError) -> MemoryID in try ListCursor.decode(text) }
        return try await withPartition(grant) { (partition: Partition) throws(StoreError) -> MemoryPage in
            try partition.read { txn in
                var memories: [Memory] = []
                var more = false
                try partition.memories.forEach(in: txn, from: after?.ulid.bytes, reverse: true) { key, value in
                    if let after, key == after.ulid.bytes { return true }
                    if memories.count == limit { more = true; return false }
                    guard let ulid = ULID(storedBytes: key) else { throw StoreError.corruptRecord("memory") }
                    let id = MemoryID(ulid: ulid)
                    memories.append(try value.withUnsafeBytes { try Memory(id: id, workspaceID: grant.workspaceID, decoding: $0) })
                    return true
                }
                let next = more ? memories.last.map { ListCursor.encode($0.id) } : nil
                return MemoryPage(memories: memories, nextCursor: next)
            }
        }
    }

    /// How many memories the partition holds.
    public nonisolated func memoryCount(grant: WorkspaceGrant) async throws(StoreError) -> Int {
        try await withPartition(grant) { (partition: Partition) throws(StoreError) -> Int in
            try partition.read { txn in try partition.memories.count(in: txn) }
        }
    }

    // MARK: Helpers

    nonisolated func requireScope(_ grant: WorkspaceGrant, _ required: Scope) throws(StoreError) {
        guard grant.scope.allows(required) else { throw .forbidden(required: required) }
    }

    /// Runs `body` in a write transaction of the grant's partition; commits only if the grant's key
    /// is still active at that moment (checked inside the transaction, just before commit).
    nonisolated func write<T: Sendable>(_ grant: WorkspaceGrant, _ body: @escaping @Sendable (Partition, WriteTransaction) throws -> T) async throws(StoreError) -> T {
        try requireScope(grant, .write)
        let resolver = self.resolver
        return try await withPartition(grant) { (partition: Partition) throws(StoreError) -> T in
            try await partition.write(validate: {
                try resolver.checkStillValid(grant)
            }, { txn in try body(partition, txn) })
        }
    }
}

extension Partition {
    func memory(_ id: MemoryID, workspace: WorkspaceID, in txn: some Transaction) throws -> Memory? {
        try memories.withValue(forKey: id.ulid.bytes, in: txn) { bytes in
            try bytes.map { try Memory(id: id, workspaceID: workspace, decoding: $0) }
        }
    }
}
