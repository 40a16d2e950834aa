import LMDB
import NeuroloomAPI
import NeuroloomStore

/// `memory`: one memory with everything stored about it.
public struct MemoryDetail: Codable, Sendable, Equatable {
    /// One term of the memory's content and its posting.
    public struct Term: Codable, Sendable, Equatable {
        public var term: String
        /// How often the content has the term (``KeywordTokenizer``).
        public var frequency: Int
        /// The frequency its posting stores; `nil` when the posting is missing.
        public var indexedFrequency: Int?

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(term, forKey: .term)
            try container.encode(frequency, forKey: .frequency)
            try container.encode(indexedFrequency, forKey: .indexedFrequency)
        }
    }

    /// A posting pointing at the memory for a term its content does not have.
    public struct StrayPosting: Codable, Sendable, Equatable {
        public var term: String
        public var frequency: Int

        public init(term: String, frequency: Int) {
            self.term = term
            self.frequency = frequency
        }
    }

    /// The memory's vector.
    public struct Embedding: Codable, Sendable, Equatable {
        public var block: Int
        public var slot: Int
        public var dimension: Int
        /// Euclidean norm (1 for a normalised vector); `nil` when the block is malformed.
        public var norm: Double?

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(block, forKey: .block)
            try container.encode(slot, forKey: .slot)
            try container.encode(dimension, forKey: .dimension)
            try container.encode(norm, forKey: .norm)
        }
    }

    public var environment: String
    /// The memory as the API shows it.
    public var memory: MemoryRecord
    /// Size of the stored record.
    public var recordBytes: Int
    /// The partition's pinned embedder; `nil` for a keyword-only partition.
    public var embedder: String?
    /// The memory's vector, if it has one.
    public var embedding: Embedding?
    /// Token count of the content.
    public var length: Int
    /// The token count `doc_lengths` stores; `nil` when missing.
    public var indexedLength: Int?
    /// Every distinct term of the content, in term order, with its posting.
    public var terms: [Term]
    /// Postings for this memory under terms its content does not have (should be empty).
    public var strayPostings: [StrayPosting]

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(environment, forKey: .environment)
        try container.encode(memory, forKey: .memory)
        try container.encode(recordBytes, forKey: .recordBytes)
        try container.encode(embedder, forKey: .embedder)
        try container.encode(embedding, forKey: .embedding)
        try container.encode(length, forKey: .length)
        try container.encode(indexedLength, forKey: .indexedLength)
        try container.encode(terms, forKey: .terms)
        try container.encode(strayPostings, forKey: .strayPostings)
    }

    /// The record and index figures, one `name: value` line each.
    public var summary: [String] {
        var lines = [
            "id: \(memory.id)",
            "workspace: \(memory.workspaceId) (\(environment))",
            "created: \(memory.createdAt), updated: \(memory.updatedAt)",
            "record: \(recordBytes) bytes",
            "content: \(memory.content)",
            "metadata: \(String(decoding: JSONWriter.encode(memory.metadata), as: UTF8.self))",
            "tokens: \(length), indexed: \(indexedLength.map(String.init) ?? "missing")",
        ]
        switch (embedder, embedding) {
        case (nil, _): lines.append("embedding: none (keyword-only partition)")
        case (let embedder?, nil): lines.append("embedding: missing (embedder \(embedder))")
        case (let embedder?, let embedding?):
            lines.append("embedding: \(embedder), \(embedding.dimension) dimensions, norm \(embedding.norm.map { String($0) } ?? "unreadable"), block \(embedding.block) slot \(embedding.slot)")
        }
        return lines
    }

    public var table: TextTable {
        TextTable(header: ["TERM", "FREQUENCY", "INDEXED"],
                  rows: terms.map { [$0.term, String($0.frequency), $0.indexedFrequency.map(String.init) ?? "missing"] }
                      + strayPostings.map { [$0.term, "0", String($0.frequency) + " (stray)"] })
    }
}

extension Inspector {
    /// One memory: its record, its keyword-index entries and its vector.
    ///
    /// The record and its expected index entries are read in one transaction; stray postings
    /// (under terms the content lacks) need a walk of the whole `postings` database, done in pages
    /// of ``postingPageSize`` entries, one transaction each.
    public func memory(workspace: WorkspaceID, environment: WorkspaceEnvironment, id: MemoryID) throws(InspectError) -> MemoryDetail {
        try requireWorkspace(workspace)
        return try withPartition(workspace, environment) { reader throws(InspectError) in
            let read = try reader.read { txn -> MemoryDetail? in
                guard let recordBytes = try reader.memories.withValue(forKey: id.ulid.bytes, in: txn, { $0?.count }),
                      let memory = try reader.memory(id, in: txn)
                else { return nil }
                let metadata = try reader.indexMetadata(in: txn)
                let (frequencies, length) = KeywordTokenizer.termFrequencies(of: memory.content)
                let terms = try frequencies.keys.sorted().map { term in
                    let stored = try reader.postings.get(IndexFormat.postingKey(term: term, memory: id.ulid.bytes), in: txn)
                    return MemoryDetail.Term(term: term, frequency: frequencies[term] ?? 0,
                                             indexedFrequency: stored.flatMap { IndexFormat.posting($0)?.frequency }.map(Int.init))
                }
                let indexedLength = try reader.docLengths.get(id.ulid.bytes, in: txn).flatMap { IndexFormat.bigEndianUInt32($0) }.map(Int.init)
                return MemoryDetail(
                    environment: environment.rawValue, memory: MemoryJSON.record(memory), recordBytes: recordBytes,
                    embedder: metadata.embedder, embedding: try embedding(of: id, metadata: metadata, reader: reader, txn: txn),
                    length: length, indexedLength: indexedLength, terms: terms, strayPostings: [])
            }
            guard var detail = read else { throw .memoryNotFound(id) }
            let expected = Set(detail.terms.map(\.term))
            detail.strayPostings = try postings(of: id, reader: reader).filter { !expected.contains($0.term) }
            return detail
        }
    }

    private func embedding(of id: MemoryID, metadata: IndexMetadata, reader: PartitionReader, txn: ReadTransaction) throws -> MemoryDetail.Embedding? {
        guard let slotBytes = try reader.vectorSlots.get(id.ulid.bytes, in: txn), let slot = IndexFormat.vectorSlot(slotBytes) else { return nil }
        // index_meta may hold any u64: one beyond Int reads as 0 (no usable dimension), never a trap.
        let dimension = metadata.dimension.flatMap { Int(exactly: $0) } ?? 0
        let norm = try reader.vectors.withValue(forKey: IndexFormat.blockKey(slot.block), in: txn) { bytes -> Double? in
            guard let bytes, let block = VectorBlockView(bytes, dimension: dimension), block.holds(id.ulid.bytes, at: Int(slot.slot)) else { return nil }
            return block.norm(at: Int(slot.slot))
        }
        return MemoryDetail.Embedding(block: Int(slot.block), slot: Int(slot.slot), dimension: dimension, norm: norm)
    }

    /// Every posting that points at `id`, walking `postings` in bounded transactions.
    private func postings(of id: MemoryID, reader: PartitionReader) throws(InspectError) -> [MemoryDetail.StrayPosting] {
        var found: [MemoryDetail.StrayPosting] = []
        var resume: [UInt8]?
        while true {
            let (page, last, seen) = try reader.read { txn in
                var page: [MemoryDetail.StrayPosting] = []
                var last: [UInt8]?
                var seen = 0
                try reader.postings.forEach(in: txn, from: resume) { key, value in
                    if key == resume { return true }
                    seen += 1
                    last = key
                    if let (term, memory) = IndexFormat.splitPostingKey(key), memory == id.ulid.bytes {
                        page.append(.init(term: term, frequency: IndexFormat.posting(value).map { Int($0.frequency) } ?? 0))
                    }
                    return seen < postingPageSize
                }
                return (page, last, seen)
            }
            found += page
            guard seen == postingPageSize, let last else { return found }
            resume = last
        }
    }
}
