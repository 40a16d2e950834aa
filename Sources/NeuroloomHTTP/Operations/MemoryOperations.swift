import NeuroloomAPI
import NeuroloomStore

/// The memory operations behind both the REST routes and the MCP tools: one code path for
/// validation, limits, errors and the JSON each returns. Arguments arrive as a JSON object;
/// results are the exact JSON bytes the REST route sends. Errors are ``APIError``s.
///
/// Scope is checked by the caller (route registration or tool table) and again by the store.
public struct MemoryOperations: Sendable {
    public let storage: WorkspaceStorage

    public init(storage: WorkspaceStorage) {
        self.storage = storage
    }

    public static let createFields: Set<String> = ["content", "metadata"]
    public static let batchFields: Set<String> = ["memories"]
    public static let updateFields: Set<String> = ["content", "metadata"]
    public static let searchFields: Set<String> = ["query", "topK", "filters", "mode", "minScore"]

    /// `{content, metadata?}` → the memory.
    public func create(_ arguments: JSONArguments, grant: WorkspaceGrant) async throws -> [UInt8] {
        let memory = try await storage.createMemory(try Self.newMemory(arguments), grant: grant)
        var json = ResponseJSON()
        json.memory(memory)
        return json.bytes
    }

    /// `{memories:[{content, metadata?}…]}` → `{memories:[…]}`, all or nothing.
    public func batchCreate(_ arguments: JSONArguments, grant: WorkspaceGrant) async throws -> [UInt8] {
        let items = try arguments.array("memories", required: true) ?? []
        var inputs: [NewMemory] = []
        inputs.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard case .object(let members) = item else { throw APIError.invalid("memories[\(index)]", "must be an object") }
            let member = try JSONArguments(members: members, allowed: Self.createFields, fieldPrefix: "memories[\(index)].")
            inputs.append(try Self.newMemory(member))
        }
        let created = try await storage.batchCreateMemories(inputs, grant: grant)
        var json = ResponseJSON(capacity: 256 * created.count)
        json.raw(#"{"memories":"#)
        json.memories(created)
        json.raw("}")
        return json.bytes
    }

    /// The memory with this id (an unparseable id is simply not found).
    public func get(id: String, grant: WorkspaceGrant) async throws -> [UInt8] {
        let memory = try await storage.memory(try Self.memoryID(id), grant: grant)
        var json = ResponseJSON()
        json.memory(memory)
        return json.bytes
    }

    /// `{content?, metadata?}` (at least one) → the updated memory.
    public func update(id: String, _ arguments: JSONArguments, grant: WorkspaceGrant) async throws -> [UInt8] {
        let id = try Self.memoryID(id)
        guard arguments.has("content") || arguments.has("metadata") else {
            throw APIError.invalid("body", "must set content, metadata or both")
        }
        let patch = MemoryPatch(content: try arguments.string("content"), metadata: arguments.value("metadata"))
        let memory = try await storage.updateMemory(id, patch, grant: grant)
        var json = ResponseJSON()
        json.memory(memory)
        return json.bytes
    }

    /// Deletes the memory.
    public func delete(id: String, grant: WorkspaceGrant) async throws {
        try await storage.deleteMemory(try Self.memoryID(id), grant: grant)
    }

    /// A page of memories, newest first → `{memories:[…], nextCursor}`.
    public func list(limit: Int?, cursor: String?, grant: WorkspaceGrant) async throws -> [UInt8] {
        let page = try await storage.listMemories(limit: limit, cursor: cursor.flatMap { $0.isEmpty ? nil : $0 }, grant: grant)
        var json = ResponseJSON(capacity: 256 * page.memories.count + 64)
        json.raw(#"{"memories":"#)
        json.memories(page.memories)
        json.raw(#","nextCursor":"#)
        json.optionalString(page.nextCursor)
        json.raw("}")
        return json.bytes
    }

    /// `{query, topK?, filters?, mode?, minScore?}` → `{results:[…]}`.
    public func search(_ arguments: JSONArguments, grant: WorkspaceGrant) async throws -> [UInt8] {
        let query = try arguments.string("query", required: true) ?? ""
        var mode = SearchMode.hybrid
        if let raw = try arguments.string("mode") {
            guard let parsed = SearchMode(rawValue: raw) else { throw APIError.invalid("mode", "must be hybrid, semantic or keyword") }
            mode = parsed
        }
        let filter = try arguments.value("filters").map { (value: JSONValue) throws -> MetadataFilter in try MetadataFilter(parsing: value) }
        let request = try SearchRequest(query: query, topK: try arguments.integer("topK"), filter: filter, mode: mode,
                                        minScore: try arguments.number("minScore"))
        let results = try await storage.searchMemories(request, grant: grant)
        var json = ResponseJSON(capacity: 256 * results.count + 16)
        json.raw(#"{"results":["#)
        for (index, result) in results.enumerated() {
            if index > 0 { json.raw(",") }
            json.searchResult(result)
        }
        json.raw("]}")
        return json.bytes
    }

    static func memoryID(_ raw: String) throws -> MemoryID {
        guard let id = MemoryID(raw) else { throw APIError.notFound }
        return id
    }

    static func newMemory(_ arguments: JSONArguments) throws -> NewMemory {
        guard let content = try arguments.string("content", required: true) else {
            throw APIError.invalid(arguments.fieldPrefix + "content", "is required")
        }
        return NewMemory(content: content, metadata: arguments.value("metadata"))
    }
}
