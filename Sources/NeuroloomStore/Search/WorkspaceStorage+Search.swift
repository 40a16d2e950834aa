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
    /// Searches the grant's partition.
    ///
    /// Ranking today is keyword containment: the share of distinct query terms found in the
    /// memory's content (case-insensitive), ties broken newest first. Every mode uses it until the
    /// embedding and BM25 indexes land (the search issue); the request shape is final.
    public nonisolated func searchMemories(_ request: SearchRequest, grant: WorkspaceGrant) async throws(StoreError) -> [SearchResult] {
        let terms = Set(KeywordTokenizer.terms(of: request.query))
        guard !terms.isEmpty else { return [] }
        return try await withPartition(grant) { (partition: Partition) throws(StoreError) -> [SearchResult] in
            try partition.read { txn in
                var hits: [SearchResult] = []
                try partition.memories.forEach(in: txn, reverse: true) { key, value in
                    guard key.count == 16 else { throw StoreError.corruptRecord("memory") }
                    let memory = try value.withUnsafeBytes { try Memory(id: MemoryID(ulid: ULID(bytes: key)), workspaceID: grant.workspaceID, decoding: $0) }
                    let contentTerms = Set(KeywordTokenizer.terms(of: memory.content))
                    let score = Double(terms.intersection(contentTerms).count) / Double(terms.count)
                    guard score > 0, score >= (request.minScore ?? 0) else { return true }
                    if let filter = request.filter, !filter.matches(memory.metadata) { return true }
                    hits.append(SearchResult(memory: memory, score: score))
                    return true
                }
                // Stable sort: equal scores keep newest-first order.
                return Array(hits.enumerated().sorted { ($0.element.score, -$0.offset) > ($1.element.score, -$1.offset) }.map(\.element).prefix(request.topK))
            }
        }
    }
}
