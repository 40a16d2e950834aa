import Hummingbird
import NeuroloomAPI
import NeuroloomStore

/// `/v1/memories…`: create, batch create, get, update, delete, list and search.
struct MemoryRoutes {
    let storage: WorkspaceStorage
    let maxBodyBytes: Int

    func register(_ routes: APIRouteRegistrar) {
        routes.add(.post, "/memories", scope: .write) { request, _, grant in
            let body = try await JSONBody.read(request, limit: maxBodyBytes, allowed: ["content", "metadata"])
            let memory = try await storage.createMemory(try Self.newMemory(body, field: ""), grant: grant)
            var json = ResponseJSON()
            json.memory(memory)
            return json.response(.created)
        }

        routes.add(.post, "/memories/batch", scope: .write) { request, _, grant in
            let body = try await JSONBody.read(request, limit: maxBodyBytes, allowed: ["memories"])
            let items = try body.array("memories", required: true) ?? []
            var inputs: [NewMemory] = []
            for (index, item) in items.enumerated() {
                guard case .object(let members) = item else { throw APIError.invalid("memories[\(index)]", "must be an object") }
                if let unknown = members.keys.sorted().first(where: { $0 != "content" && $0 != "metadata" }) {
                    throw APIError.invalid("memories[\(index)].\(unknown)", "is not a known field")
                }
                inputs.append(try Self.newMemory(JSONBody(members: members), field: "memories[\(index)]."))
            }
            let created = try await storage.batchCreateMemories(inputs, grant: grant)
            var json = ResponseJSON(capacity: 256 * created.count)
            json.raw(#"{"memories":"#)
            json.memories(created)
            json.raw("}")
            return json.response(.created)
        }

        routes.add(.post, "/memories/search", scope: .read) { request, _, grant in
            let body = try await JSONBody.read(request, limit: maxBodyBytes, allowed: ["query", "topK", "filters", "mode", "minScore"])
            let query = try body.string("query", required: true) ?? ""
            let mode: SearchMode
            if let raw = try body.string("mode") {
                guard let parsed = SearchMode(rawValue: raw) else { throw APIError.invalid("mode", "must be hybrid, semantic or keyword") }
                mode = parsed
            } else {
                mode = .hybrid
            }
            let filter = try body.value("filters").map { (value: JSONValue) throws -> MetadataFilter in try MetadataFilter(parsing: value) }
            let search = try SearchRequest(query: query, topK: try body.integer("topK"), filter: filter, mode: mode,
                                           minScore: try body.number("minScore"))
            let results = try await storage.searchMemories(search, grant: grant)
            var json = ResponseJSON(capacity: 256 * results.count + 16)
            json.raw(#"{"results":["#)
            for (index, result) in results.enumerated() {
                if index > 0 { json.raw(",") }
                json.searchResult(result)
            }
            json.raw("]}")
            return json.response()
        }

        routes.add(.get, "/memories", scope: .read) { request, _, grant in
            let query = request.uri.queryParameters
            var limit: Int?
            if let raw = query.get("limit") {
                guard let parsed = Int(raw) else { throw APIError.invalid("limit", "must be an integer") }
                limit = parsed
            }
            let cursor = query.get("cursor").flatMap { $0.isEmpty ? nil : String($0) }
            let page = try await storage.listMemories(limit: limit, cursor: cursor, grant: grant)
            var json = ResponseJSON(capacity: 256 * page.memories.count + 64)
            json.raw(#"{"memories":"#)
            json.memories(page.memories)
            json.raw(#","nextCursor":"#)
            json.optionalString(page.nextCursor)
            json.raw("}")
            return json.response()
        }

        routes.add(.get, "/memories/:id", scope: .read) { _, context, grant in
            let memory = try await storage.memory(try Self.memoryID(context), grant: grant)
            var json = ResponseJSON()
            json.memory(memory)
            return json.response()
        }

        routes.add(.patch, "/memories/:id", scope: .write) { request, context, grant in
            let id = try Self.memoryID(context)
            let body = try await JSONBody.read(request, limit: maxBodyBytes, allowed: ["content", "metadata"])
            guard body.has("content") || body.has("metadata") else {
                throw APIError.invalid("body", "must set content, metadata or both")
            }
            let memory = try await storage.updateMemory(id, MemoryPatch(content: try body.string("content"), metadata: body.value("metadata")), grant: grant)
            var json = ResponseJSON()
            json.memory(memory)
            return json.response()
        }

        routes.add(.delete, "/memories/:id", scope: .write) { _, context, grant in
            try await storage.deleteMemory(try Self.memoryID(context), grant: grant)
            return Response(status: .noContent)
        }
    }

    /// A path id that does not parse cannot exist: it is reported as not found, like any other absent id.
    static func memoryID(_ context: APIRequestContext) throws -> MemoryID {
        guard let raw = context.parameters.get("id"), let id = MemoryID(raw) else { throw APIError.notFound }
        return id
    }

    static func newMemory(_ body: JSONBody, field: String) throws -> NewMemory {
        guard let content = try body.string("content") else { throw APIError.invalid(field + "content", "is required") }
        return NewMemory(content: content, metadata: body.value("metadata"))
    }
}
