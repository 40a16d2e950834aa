import Hummingbird
import NeuroloomAPI
import NeuroloomStore

/// `/v1/memories…`: create, batch create, get, update, delete, list and search, over ``MemoryOperations``.
struct MemoryRoutes {
    let operations: MemoryOperations
    let maxBodyBytes: Int

    func register(_ routes: APIRouteRegistrar) {
        routes.add(.post, "/memories", scope: .write) { request, _, grant in
            let body = try await JSONBody.read(request, limit: maxBodyBytes, allowed: MemoryOperations.createFields)
            return ResponseJSON.response(try await operations.create(body, grant: grant), .created)
        }

        routes.add(.post, "/memories/batch", scope: .write) { request, _, grant in
            let body = try await JSONBody.read(request, limit: maxBodyBytes, allowed: MemoryOperations.batchFields)
            return ResponseJSON.response(try await operations.batchCreate(body, grant: grant), .created)
        }

        routes.add(.post, "/memories/search", scope: .read) { request, _, grant in
            let body = try await JSONBody.read(request, limit: maxBodyBytes, allowed: MemoryOperations.searchFields)
            return ResponseJSON.response(try await operations.search(body, grant: grant))
        }

        routes.add(.get, "/memories", scope: .read) { request, _, grant in
            let query = request.uri.queryParameters
            var limit: Int?
            if let raw = query.get("limit") {
                guard let parsed = Int(raw) else { throw APIError.invalid("limit", "must be an integer") }
                limit = parsed
            }
            return ResponseJSON.response(try await operations.list(limit: limit, cursor: query.get("cursor"), grant: grant))
        }

        routes.add(.get, "/memories/:id", scope: .read) { _, context, grant in
            ResponseJSON.response(try await operations.get(id: context.parameters.get("id") ?? "", grant: grant))
        }

        routes.add(.patch, "/memories/:id", scope: .write) { request, context, grant in
            let body = try await JSONBody.read(request, limit: maxBodyBytes, allowed: MemoryOperations.updateFields)
            return ResponseJSON.response(try await operations.update(id: context.parameters.get("id") ?? "", body, grant: grant))
        }

        routes.add(.delete, "/memories/:id", scope: .write) { _, context, grant in
            try await operations.delete(id: context.parameters.get("id") ?? "", grant: grant)
            return Response(status: .noContent)
        }
    }
}
