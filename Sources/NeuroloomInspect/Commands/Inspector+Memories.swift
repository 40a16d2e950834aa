import NeuroloomStore

extension Inspector {
    /// Streams a partition's memories, oldest first (creation order), to `emit`: all of them, or
    /// at most `limit`, starting after the memory `after`.
    ///
    /// Pages through the partition, ``memoryPageSize`` memories per read transaction, and calls
    /// `emit` only between transactions, so a slow consumer never holds a snapshot open.
    /// Memories created meanwhile with a later id are included; a deleted one may or may not be.
    /// Returns how many memories were emitted.
    @discardableResult
    public func memories(workspace: WorkspaceID, environment: WorkspaceEnvironment, limit: Int? = nil, after: MemoryID? = nil,
                         emit: (Memory) -> Void) throws(InspectError) -> Int {
        if let limit, limit < 0 { throw .invalidArgument("--limit must not be negative") }
        try requireWorkspace(workspace)
        return try withPartition(workspace, environment) { reader throws(InspectError) in
            var resume = after?.ulid.bytes
            var emitted = 0
            while limit.map({ emitted < $0 }) ?? true {
                let wanted = min(memoryPageSize, limit.map { $0 - emitted } ?? Int.max)
                let page = try nextPage(reader, after: resume, count: wanted)
                for memory in page { emit(memory) }
                emitted += page.count
                guard page.count == wanted, let last = page.last else { break }
                resume = last.id.ulid.bytes
            }
            return emitted
        }
    }

    /// Up to `count` memories with ids after `after`, read in one transaction.
    private func nextPage(_ reader: PartitionReader, after: [UInt8]?, count: Int) throws(InspectError) -> [Memory] {
        try reader.read { txn in
            var page: [Memory] = []
            try reader.memories.forEach(in: txn, from: after) { key, value in
                if key == after { return true }
                page.append(try value.withUnsafeBytes { bytes in try reader.decodeMemory(key: key, value: bytes) })
                return page.count < count
            }
            return page
        }
    }
}
