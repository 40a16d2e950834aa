import NeuroloomAPI

/// How a search ranks: by meaning, by keywords, or both.
public enum SearchMode: String, Sendable, CaseIterable {
    case hybrid, semantic, keyword
}

/// A validated search request.
public struct SearchRequest: Sendable {
    public var query: String
    public var topK: Int
    public var filter: MetadataFilter?
    public var mode: SearchMode
    public var minScore: Double?

    public static let maximumQueryBytes = 4096

    /// Validates every field; errors name the field.
    public init(query: String, topK: Int? = nil, filter: MetadataFilter? = nil, mode: SearchMode = .hybrid, minScore: Double? = nil) throws(StoreError) {
        guard query.contains(where: { !$0.isWhitespace }) else { throw .invalid(field: "query", message: "must not be empty") }
        guard query.utf8.count <= SearchRequest.maximumQueryBytes else {
            throw .invalid(field: "query", message: "must be at most \(SearchRequest.maximumQueryBytes) bytes")
        }
        let topK = topK ?? 10
        guard (1...100).contains(topK) else { throw .invalid(field: "topK", message: "must be between 1 and 100") }
        if let minScore, !(0...1).contains(minScore) { throw .invalid(field: "minScore", message: "must be between 0 and 1") }
        self.query = query
        self.topK = topK
        self.filter = filter
        self.mode = mode
        self.minScore = minScore
    }
}

/// One search hit: the memory and its relevance in 0…1.
public struct SearchResult: Sendable, Equatable {
    public let memory: Memory
    public let score: Double
}

extension WorkspaceStorage {
    /// Searches the grant's partition (see ``SearchRanker`` for the ranking). The query is embedded
    /// before the read transaction opens; the whole ranking reads one snapshot.
    public nonisolated func searchMemories(_ request: SearchRequest, grant: WorkspaceGrant) async throws(StoreError) -> [SearchResult] {
        let query = request.mode == .keyword ? nil : try await embedQuery(request.query)
        let weight = configuration.hybridSemanticWeight
        // The scan holds a core for milliseconds (15–25 ms at 100,000 memories): it runs on the
        // blocking pool, so the cooperative pool stays free for cheap requests.
        let pool = blockingPool
        return try await withPartition(grant) { (partition: Partition) throws(StoreError) -> [SearchResult] in
            try await pool.run { () throws(StoreError) -> [SearchResult] in
                try partition.read { txn in
                    try SearchRanker(request: request, queryVector: query, semanticWeight: weight)
                        .rank(partition: partition, workspace: grant.workspaceID, in: txn)
                }
            }
        }
    }
}

extension WorkspaceStorage {
    /// Scores every stored vector of the grant's partition against `query` and returns how many
    /// were scored: the semantic scan alone, without ranking or records (for `tools/bench-search`).
    public nonisolated func scanVectors(_ query: [Float], grant: WorkspaceGrant) async throws(StoreError) -> Int {
        try await withPartition(grant) { (partition: Partition) throws(StoreError) -> Int in
            try partition.read { txn in try partition.indexes.semanticScores(for: query, in: txn).scores.count }
        }
    }
}
