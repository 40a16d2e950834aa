import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NeuroloomAPI
import NeuroloomHTTP
@_spi(Operator) import NeuroloomStore
import NIOCore
import Testing

@Suite struct RouteTests {
    /// A valid request for a route, made fresh for each call (deletes need something to delete).
    typealias RequestMaker = @Sendable (any TestClientProtocol, HTTPFixture) async throws -> (uri: String, json: String?)

    static func createdMemoryID(_ client: any TestClientProtocol, _ fixture: HTTPFixture) async throws -> String {
        let reply = try await client.call(.post, "/v1/memories", key: fixture.liveAdmin, json: #"{"content":"matrix memory"}"#)
        return reply["id"]?.stringValue ?? "missing"
    }

    static let requests: [String: RequestMaker] = [
        "POST /v1/memories": { _, _ in ("/v1/memories", #"{"content":"hello","metadata":{"a":1}}"#) },
        "POST /v1/memories/batch": { _, _ in ("/v1/memories/batch", #"{"memories":[{"content":"one"},{"content":"two"}]}"#) },
        "POST /v1/memories/search": { _, _ in ("/v1/memories/search", #"{"query":"matrix"}"#) },
        "GET /v1/memories": { _, _ in ("/v1/memories?limit=5", nil) },
        "GET /v1/memories/{id}": { client, fixture in ("/v1/memories/\(try await createdMemoryID(client, fixture))", nil) },
        "PATCH /v1/memories/{id}": { client, fixture in ("/v1/memories/\(try await createdMemoryID(client, fixture))", #"{"content":"edited"}"#) },
        "DELETE /v1/memories/{id}": { client, fixture in ("/v1/memories/\(try await createdMemoryID(client, fixture))", nil) },
        "GET /v1/workspace": { _, _ in ("/v1/workspace", nil) },
        "POST /v1/keys": { _, _ in ("/v1/keys", #"{"name":"made in matrix","scope":"read"}"#) },
        "GET /v1/keys": { _, _ in ("/v1/keys", nil) },
        "DELETE /v1/keys/{id}": { client, fixture in
            let reply = try await client.call(.post, "/v1/keys", key: fixture.liveAdmin, json: #"{"name":"to revoke","scope":"read"}"#)
            return ("/v1/keys/\(reply["id"]?.stringValue ?? "missing")", nil)
        },
    ]

    @Test func everyRouteAnswersItsScopesAndRefusesTheOthers() async throws {
        let fixture = try HTTPFixture()
        let keys = try Dictionary(uniqueKeysWithValues: Scope.allCases.map { ($0, try fixture.key($0)) })
        _ = buildApplication(services: fixture.services) // fills the route table
        let routes = fixture.services.routeTable.routes
        #expect(routes.count == Self.requests.count, "every registered route has a request in this test, and vice versa")
        for route in routes {
            let name = "\(route.method) \(route.path)"
            guard let make = Self.requests[name] else {
                Issue.record("route \(name) has no request in the matrix: add one")
                continue
            }
            for scope in Scope.allCases {
                let status = try await fixture.run { client in
                    let (uri, json) = try await make(client, fixture)
                    return try await client.call(route.method, uri, key: keys[scope], json: json).status
                }
                if scope.allows(route.scope) {
                    #expect([.ok, .created, .noContent].contains(status), "\(name) with \(scope) → \(status)")
                } else {
                    #expect(status == .forbidden, "\(name) with \(scope) → \(status)")
                }
            }
        }
    }

    @Test func openAPIDocumentDescribesExactlyTheRegisteredRoutes() async throws {
        let fixture = try HTTPFixture()
        _ = buildApplication(services: fixture.services)
        let document = try JSONParser.parse(OpenAPIDocument.bytes)
        #expect(document.objectValue?["openapi"]?.stringValue?.hasPrefix("3.1") == true)
        let paths = try #require(document.objectValue?["paths"]?.objectValue)
        var documented: [String: String?] = [:]
        for (path, item) in paths {
            for (method, operation) in item.objectValue ?? [:] where ["get", "post", "patch", "delete", "put"].contains(method) {
                documented["\(method.uppercased()) \(path)"] = operation.objectValue?["x-required-scope"]?.stringValue
            }
        }
        var registered: [String: String?] = ["GET /healthz": nil, "GET /metrics": nil, "GET /openapi.json": nil]
        for route in fixture.services.routeTable.routes {
            registered["\(route.method) \(route.path)"] = route.scope.rawValue
        }
        #expect(documented == registered)
        let served = try await fixture.run { try await $0.call(.get, "/openapi.json") }
        #expect(served.status == .ok)
        #expect(served.body == OpenAPIDocument.bytes)
    }

    @Test func memoryLifecycleOverHTTP() async throws {
        let fixture = try HTTPFixture()
        let key = fixture.liveAdmin
        try await fixture.run { client in
            let created = try await client.call(.post, "/v1/memories", key: key, json: #"{"content":"User likes tea","metadata":{"drink":"tea","n":2}}"#)
            #expect(created.status == .created)
            let id = try #require(created["id"]?.stringValue)
            #expect(created["workspaceId"]?.stringValue == fixture.workspace.id.description)
            #expect(created["metadata"] == ["drink": "tea", "n": 2])
            #expect(created["createdAt"]?.stringValue?.hasSuffix("Z") == true)

            let fetched = try await client.call(.get, "/v1/memories/\(id)", key: key)
            #expect(fetched.json == created.json)

            let patched = try await client.call(.patch, "/v1/memories/\(id)", key: key, json: #"{"metadata":{"drink":"coffee"}}"#)
            #expect(patched.status == .ok)
            #expect(patched["content"] == "User likes tea")
            #expect(patched["metadata"] == ["drink": "coffee"])

            let batch = try await client.call(.post, "/v1/memories/batch", key: key, json: #"{"memories":[{"content":"a"},{"content":"b","metadata":{"x":true}}]}"#)
            #expect(batch.status == .created)
            guard case .array(let items)? = batch["memories"] else { Issue.record("no memories"); return }
            #expect(items.count == 2)

            let page1 = try await client.call(.get, "/v1/memories?limit=2", key: key)
            guard case .array(let first)? = page1["memories"] else { Issue.record("no page"); return }
            #expect(first.map { $0.objectValue?["content"] } == ["b", "a"])
            let cursor = try #require(page1["nextCursor"]?.stringValue)
            let page2 = try await client.call(.get, "/v1/memories?limit=2&cursor=\(cursor)", key: key)
            guard case .array(let second)? = page2["memories"] else { Issue.record("no page"); return }
            #expect(second.map { $0.objectValue?["id"]?.stringValue } == [id])
            #expect(page2["nextCursor"] == .null)

            let search = try await client.call(.post, "/v1/memories/search", key: key,
                                               json: #"{"query":"tea","topK":5,"filters":{"drink":{"$in":["coffee"]}},"mode":"keyword"}"#)
            #expect(search.status == .ok)
            guard case .array(let results)? = search["results"] else { Issue.record("no results"); return }
            #expect(results.map { $0.objectValue?["id"]?.stringValue } == [id])
            let filteredOut = try await client.call(.post, "/v1/memories/search", key: key, json: #"{"query":"tea","filters":{"drink":"tea"}}"#)
            #expect(filteredOut["results"] == [])

            let workspace = try await client.call(.get, "/v1/workspace", key: key)
            #expect(workspace["memoryCount"] == 3)
            #expect(workspace["environment"] == "live")
            #expect(workspace["name"] == "default")
            #expect(workspace["scope"] == "admin")
            #expect(workspace["keyId"]?.stringValue?.hasPrefix("key_") == true)

            #expect(try await client.call(.delete, "/v1/memories/\(id)", key: key).status == .noContent)
            #expect(try await client.call(.get, "/v1/memories/\(id)", key: key).status == .notFound)
            #expect(try await client.call(.delete, "/v1/memories/\(id)", key: key).status == .notFound)
            #expect(try await client.call(.get, "/v1/memories/not-an-id", key: key).status == .notFound)
        }
    }

    @Test func otherWorkspacesAndEnvironmentsSeeNothing() async throws {
        let fixture = try HTTPFixture()
        let other = try fixture.services.control.createWorkspace(name: "other")
        let otherKey = other.live.secret.value
        try await fixture.run { client in
            let created = try await client.call(.post, "/v1/memories", key: fixture.liveAdmin, json: #"{"content":"secret plans"}"#)
            let id = try #require(created["id"]?.stringValue)
            for (who, key) in [("other workspace", otherKey), ("same workspace, test environment", fixture.testAdmin)] {
                #expect(try await client.call(.get, "/v1/memories/\(id)", key: key).status == .notFound, "\(who)")
                let patch = try await client.call(.patch, "/v1/memories/\(id)", key: key, json: #"{"content":"hijacked"}"#)
                #expect(patch.status == .notFound, "\(who)")
                #expect(patch.errorCode == "not_found")
                #expect(try await client.call(.delete, "/v1/memories/\(id)", key: key).status == .notFound, "\(who)")
                #expect(try await client.call(.get, "/v1/memories", key: key)["memories"] == [], "\(who)")
                #expect(try await client.call(.post, "/v1/memories/search", key: key, json: #"{"query":"secret plans"}"#)["results"] == [], "\(who)")
            }
            #expect(try await client.call(.get, "/v1/memories/\(id)", key: fixture.liveAdmin)["content"] == "secret plans")
        }
    }

    @Test func healthAndMetricsArePublic() async throws {
        let fixture = try HTTPFixture()
        try await fixture.run { client in
            #expect(try await client.call(.get, "/healthz").json == ["status": "ok"])
            _ = try await client.call(.get, "/v1/memories", key: fixture.liveAdmin)
            _ = try await client.call(.get, "/v1/memories")
            let metrics = try await client.call(.get, "/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.text.contains(#"neuroloom_http_requests_total{"#))
            #expect(metrics.text.contains(#"route="/v1/memories""#))
            #expect(metrics.text.contains("neuroloom_auth_failures_total 1"))
            #expect(metrics.text.contains("neuroloom_open_lmdb_environments 1"))
            #expect(metrics.text.contains("neuroloom_http_request_duration_seconds_bucket"))
            #expect(!metrics.text.contains(fixture.liveAdmin))
        }
    }
}
