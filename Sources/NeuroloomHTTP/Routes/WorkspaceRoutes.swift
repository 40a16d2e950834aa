import Hummingbird
import NeuroloomStore

/// `/v1/workspace` and `/v1/keys…`.
struct WorkspaceRoutes {
    let storage: WorkspaceStorage
    let control: ControlStore
    let maxBodyBytes: Int

    func register(_ routes: APIRouteRegistrar) {
        routes.add(.get, "/workspace", scope: .read) { _, _, grant in
            guard let workspace = try control.workspace(for: grant) else { throw APIError.notFound }
            let count = try await storage.memoryCount(grant: grant)
            var json = ResponseJSON()
            json.raw(#"{"id":"#); json.string(workspace.id.description)
            json.raw(#","name":"#); json.string(workspace.name)
            json.raw(#","environment":"#); json.string(grant.environment.rawValue)
            json.raw(#","scope":"#); json.string(grant.scope.rawValue)
            json.raw(#","keyId":"#); json.string(grant.keyID.description)
            json.raw(#","memoryCount":"#); json.integer(count)
            json.raw(#","createdAt":"#); json.string(workspace.createdAt.iso8601)
            json.raw("}")
            return json.response()
        }

        routes.add(.post, "/keys", scope: .admin) { request, _, grant in
            let body = try await JSONBody.read(request, limit: maxBodyBytes, allowed: ["name", "scope", "expiresAt"])
            let name = try body.string("name", required: true) ?? ""
            guard let scopeText = try body.string("scope", required: true), let scope = Scope(rawValue: scopeText) else {
                throw APIError.invalid("scope", "must be read, write or admin")
            }
            var expiresAt: Timestamp?
            if let text = try body.string("expiresAt") {
                guard let parsed = Timestamp(iso8601: text) else { throw APIError.invalid("expiresAt", "must be an ISO 8601 time") }
                expiresAt = parsed
            }
            // An fsync'd control commit: on the blocking pool, not the cooperative one.
            let created = try await storage.blockingPool.run { [control, expiresAt] () throws(StoreError) -> CreatedKey in
                try control.createKey(for: grant, name: name, scope: scope, expiresAt: expiresAt)
            }
            var json = ResponseJSON()
            json.key(created.record, secret: created.secret)
            return json.response(.created)
        }

        routes.add(.get, "/keys", scope: .admin) { _, _, grant in
            let keys = try control.activeKeys(for: grant)
            var json = ResponseJSON(capacity: 256 * keys.count + 16)
            json.raw(#"{"keys":["#)
            for (index, key) in keys.enumerated() {
                if index > 0 { json.raw(",") }
                json.key(key)
            }
            json.raw("]}")
            return json.response()
        }

        routes.add(.delete, "/keys/:id", scope: .admin) { _, context, grant in
            guard let raw = context.parameters.get("id"), let id = KeyID(raw) else { throw APIError.notFound }
            _ = try await storage.blockingPool.run { [control] () throws(StoreError) -> APIKeyRecord in
                try control.revokeKey(id, for: grant)
            }
            return Response(status: .noContent)
        }
    }
}
