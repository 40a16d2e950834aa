import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NeuroloomAPI
import NeuroloomHTTP
import NeuroloomMCP
@_spi(Operator) import NeuroloomStore
import NIOCore
import Testing

/// `/mcp` over Hummingbird's router test client, speaking raw JSON-RPC (no MCP SDK types here:
/// its `HTTPRequest`/`Server` names collide with Hummingbird's).
@Suite struct MCPHTTPTests {
    static let initialize = #"""
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"http-test","version":"1.0"}}}
        """#
    static let initialized = #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#
    static let listTools = #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#

    static func callTool(_ id: Int, _ name: String, _ arguments: String) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(name)","arguments":\#(arguments)}}"#
    }

    func run<T: Sendable>(_ fixture: MCPFixture, _ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        let router = buildRouter(services: fixture.services)
        registerMCPEndpoint(on: router, services: fixture.services)
        var logger = Logger(label: "mcp-http-tests")
        logger.logLevel = .error
        let app = Application(router: router, logger: logger)
        return try await app.test(.router, body)
    }

    @Test func everyRequestNeedsAWorkingKeyBeforeAnyMCPProcessing() async throws {
        let fixture = try MCPFixture()
        let revoked = try fixture.key(.read)
        _ = try fixture.services.control.revokeKey(revoked.record.id)
        let replies = try await run(fixture) { client in
            var replies: [MCPReply] = []
            for key in [nil, "nlk_live_not-a-key", revoked.secret.value] as [String?] {
                replies.append(try await client.mcp(.post, key: key, json: Self.initialize))
                replies.append(try await client.mcp(.get, key: key, session: "anything"))
                replies.append(try await client.mcp(.delete, key: key, session: "anything"))
            }
            return replies
        }
        for reply in replies {
            #expect(reply.status == .unauthorized)
            #expect(reply.headers[.wwwAuthenticate] == #"Bearer realm="neuroloom""#)
            #expect(reply.json.objectValue?["error"]?.objectValue?["code"]?.stringValue == "unauthorized", "\(reply.text)")
            #expect(reply.headers[MCPReply.sessionIDName] == nil)
        }
    }

    @Test func mcpGoesThroughTheSameRateLimiterAsTheRESTAPIIn401Then429Order() async throws {
        let fixture = try MCPFixture { $0.rateBurst = 2; $0.rateLimit = 0.01 }
        let reader = try fixture.key(.read)
        try await run(fixture) { client in
            // The key's burst is shared by /v1 and /mcp: one REST call and one MCP call use it up.
            #expect(try await client.mcp(.post, key: reader.secret.value, json: Self.initialize).status == .ok)
            let rest = try await client.execute(uri: "/v1/memories", method: .get,
                                                headers: [.authorization: "Bearer \(reader.secret.value)"], body: nil) { $0.status }
            #expect(rest == .ok)
            let limited = try await client.mcp(.post, key: reader.secret.value, json: Self.initialize)
            #expect(limited.status == .tooManyRequests, "\(limited.text)")
            #expect(limited.headers[.retryAfter] != nil)
            #expect(limited.json.objectValue?["error"]?.objectValue?["code"]?.stringValue == "rate_limited")
            // Authentication comes first: a bad key is a 401 and uses nobody's budget.
            #expect(try await client.mcp(.post, key: "nlk_live_not-a-key", json: Self.initialize).status == .unauthorized)
        }
    }

    @Test func aSessionServesToolsAndIsBoundToItsKey() async throws {
        let fixture = try MCPFixture()
        let writer = try fixture.key(.write)
        let sameWorkspaceReader = try fixture.key(.read)
        try await run(fixture) { client in
            let opened = try await client.mcp(.post, key: writer.secret.value, json: Self.initialize)
            #expect(opened.status == .ok, "\(opened.text)")
            #expect(opened.headers[.contentType]?.hasPrefix("text/event-stream") == true)
            let session = try #require(opened.headers[MCPReply.sessionIDName])
            let serverName = opened.messages.first?.objectValue?["result"]?.objectValue?["serverInfo"]?.objectValue?["name"]
            #expect(serverName?.stringValue == "neuroloom", "\(opened.text)")

            let notified = try await client.mcp(.post, key: writer.secret.value, session: session, json: Self.initialized)
            #expect(notified.status == .accepted)

            let created = try await client.mcp(.post, key: writer.secret.value, session: session,
                                               json: Self.callTool(3, "memory_create", #"{"content":"over streamable HTTP"}"#))
            #expect(created.status == .ok)
            let result = try #require(created.messages.first?.objectValue?["result"]?.objectValue, "\(created.text)")
            #expect(result["isError"] != JSONValue.bool(true), "\(created.text)")
            let text = try #require(result["content"]?.items?.first?.objectValue?["text"]?.stringValue)
            let memory = try JSONParser.parse(Array(text.utf8))
            #expect(memory.objectValue?["content"]?.stringValue == "over streamable HTTP")

            // Another key — even of the same workspace — cannot use the session: the same 404 as
            // for a session that does not exist.
            let hijack = try await client.mcp(.post, key: sameWorkspaceReader.secret.value, session: session, json: Self.listTools)
            let unknown = try await client.mcp(.post, key: writer.secret.value, session: "0123456789abcdef", json: Self.listTools)
            #expect(hijack.status == .notFound)
            #expect(unknown.status == .notFound)
            #expect(hijack.json == unknown.json, "\(hijack.text)")

            // The reader's own session lists only the read tools.
            let readerOpened = try await client.mcp(.post, key: sameWorkspaceReader.secret.value, json: Self.initialize)
            let readerSession = try #require(readerOpened.headers[MCPReply.sessionIDName])
            let listed = try await client.mcp(.post, key: sameWorkspaceReader.secret.value, session: readerSession, json: Self.listTools)
            let tools = listed.messages.first?.objectValue?["result"]?.objectValue?["tools"]?.items ?? []
            #expect(tools.compactMap { $0.objectValue?["name"]?.stringValue }.sorted() == ["memory_get", "memory_list", "memory_search"])

            // DELETE ends the session.
            let ended = try await client.mcp(.delete, key: sameWorkspaceReader.secret.value, session: readerSession)
            #expect(ended.status == .ok)
            let afterEnd = try await client.mcp(.post, key: sameWorkspaceReader.secret.value, session: readerSession, json: Self.listTools)
            #expect(afterEnd.status == .notFound)

            // Revoking the key ends its use of the session on the next request.
            _ = try fixture.services.control.revokeKey(writer.record.id)
            let afterRevocation = try await client.mcp(.post, key: writer.secret.value, session: session, json: Self.listTools)
            #expect(afterRevocation.status == .unauthorized)
        }
    }

    @Test func requestsWithoutASessionMustInitialize() async throws {
        let fixture = try MCPFixture()
        let replies = try await run(fixture) { client in
            [
                try await client.mcp(.post, key: fixture.admin, json: Self.listTools),
                try await client.mcp(.get, key: fixture.admin),
                try await client.mcp(.post, key: fixture.admin, json: "not json"),
            ]
        }
        for reply in replies {
            #expect(reply.status == .badRequest, "\(reply.text)")
        }
    }
}

struct MCPReply: Sendable {
    // A constant, valid header name.
    static let sessionIDName = HTTPField.Name("Mcp-Session-Id")!

    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String

    var json: JSONValue { (try? JSONParser.parse(Array(text.utf8))) ?? .null }

    /// The JSON-RPC messages in the body: the `data:` lines of an event stream, or the JSON body.
    var messages: [JSONValue] {
        guard headers[.contentType]?.hasPrefix("text/event-stream") == true else {
            return json == .null ? [] : [json]
        }
        return text.split(separator: "\n").compactMap { line -> JSONValue? in
            guard line.hasPrefix("data:") else { return nil }
            let payload = line.dropFirst("data:".count).drop { $0 == " " }
            guard !payload.isEmpty else { return nil }
            return try? JSONParser.parse(Array(payload.utf8))
        }
    }
}

extension TestClientProtocol {
    func mcp(_ method: HTTPRequest.Method, key: String?, session: String? = nil, json: String? = nil) async throws -> MCPReply {
        var headers: HTTPFields = [.accept: "application/json, text/event-stream"]
        if let key { headers[.authorization] = "Bearer \(key)" }
        if let session { headers[MCPReply.sessionIDName] = session }
        if json != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: "/mcp", method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) { response in
            MCPReply(status: response.status, headers: response.headers, text: String(buffer: response.body))
        }
    }
}
