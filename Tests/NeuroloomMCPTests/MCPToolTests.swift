import Foundation
import MCP
import NeuroloomAPI
import NeuroloomHTTP
import NeuroloomMCP
@_spi(Operator) import NeuroloomStore
import Testing

/// The memory tools over the MCP SDK's in-memory transport, with the SDK's own client.
@Suite struct MCPToolTests {
    static let allTools = ["memory_create", "memory_delete", "memory_get", "memory_list", "memory_search", "memory_update"]

    @Test func everyToolWorksEndToEnd() async throws {
        let fixture = try MCPFixture()
        let session = try await fixture.connect(fixture.admin)

        let created = try await session.call("memory_create", [
            "content": "The user prefers dark mode in every editor",
            "metadata": ["topic": "ui", "priority": 2, "tags": ["editor", "theme"]],
        ])
        #expect(!created.isError, "\(created.text)")
        let id = try #require(created["id"]?.stringValue)
        #expect(id.hasPrefix("mem_"))
        #expect(created["content"]?.stringValue == "The user prefers dark mode in every editor")
        let metadata: JSONValue = ["topic": "ui", "priority": 2, "tags": ["editor", "theme"]]
        #expect(created["metadata"] == metadata)
        #expect(created["workspaceId"]?.stringValue == fixture.workspace.id.description)

        let fetched = try await session.call("memory_get", ["id": .string(id)])
        #expect(!fetched.isError)
        #expect(fetched.json == created.json, "get returns the memory create returned")

        let found = try await session.call("memory_search", ["query": "dark mode", "filters": ["topic": "ui", "priority": ["$gte": 2]]])
        #expect(!found.isError, "\(found.text)")
        let results = try #require(found["results"]?.items)
        #expect(results.first?.objectValue?["id"]?.stringValue == id)
        #expect(results.first?.objectValue?["score"]?.doubleValue ?? 0 > 0)

        let filteredOut = try await session.call("memory_search", ["query": "dark mode", "filters": ["priority": ["$gt": 2]]])
        #expect(filteredOut["results"]?.items?.isEmpty == true, "filters apply: \(filteredOut.text)")

        let updated = try await session.call("memory_update", ["id": .string(id), "content": "The user prefers light mode now"])
        #expect(!updated.isError, "\(updated.text)")
        #expect(updated["content"]?.stringValue == "The user prefers light mode now")
        #expect(updated["metadata"] == created["metadata"], "metadata is kept when only content changes")

        let listed = try await session.call("memory_list", ["limit": 10])
        #expect(!listed.isError, "\(listed.text)")
        let memories = try #require(listed["memories"]?.items)
        #expect(memories.map { $0.objectValue?["id"]?.stringValue } == [id])
        #expect(listed["nextCursor"] == JSONValue.null)

        let deleted = try await session.call("memory_delete", ["id": .string(id)])
        #expect(!deleted.isError, "\(deleted.text)")
        let deletion: JSONValue = ["id": .string(id), "deleted": true]
        #expect(deleted.json == deletion)

        let gone = try await session.call("memory_get", ["id": .string(id)])
        #expect(gone.isError)
        #expect(gone.text.hasPrefix("not_found:"), "\(gone.text)")
        await session.close()
    }

    @Test func toolContentIsTheRESTResponseJSON() async throws {
        let fixture = try MCPFixture()
        let session = try await fixture.connect(fixture.admin)
        let created = try await session.call("memory_create", ["content": "same bytes as REST"])
        let id = try #require(created["id"]?.stringValue)
        let grant = try fixture.services.resolver.resolve(fixture.admin)
        let rest = try await MemoryOperations(storage: fixture.services.storage).get(id: id, grant: grant)
        let tool = try await session.call("memory_get", ["id": .string(id)])
        #expect(tool.text == String(decoding: rest, as: UTF8.self))

        let page = try await session.call("memory_list", ["limit": 1])
        let restPage = try await MemoryOperations(storage: fixture.services.storage).list(limit: 1, cursor: nil, grant: grant)
        #expect(page.text == String(decoding: restPage, as: UTF8.self))
        await session.close()
    }

    @Test func contentShapedLikeADataURLIsStoredByteForByte() async throws {
        let fixture = try MCPFixture()
        let session = try await fixture.connect(fixture.admin)
        // The SDK decodes such strings as binary data; the tools read the raw message instead.
        for content in ["data:text/plain,hello, world", "data: the user's dataset lives in s3, bucket logs-2024"] {
            let created = try await session.call("memory_create", ["content": .string(content), "metadata": ["note": .string(content)]])
            #expect(created["content"]?.stringValue == content, "\(created.text)")
            #expect(created["metadata"]?.objectValue?["note"]?.stringValue == content)
        }
        await session.close()
    }

    @Test func toolsListShowsOnlyWhatTheScopeAllows() async throws {
        let fixture = try MCPFixture()
        let expected: [Scope: [String]] = [
            .read: ["memory_get", "memory_list", "memory_search"],
            .write: Self.allTools,
            .admin: Self.allTools,
        ]
        for scope in Scope.allCases {
            let session = try await fixture.connect(try fixture.key(scope).secret.value)
            #expect(try await session.toolNames() == expected[scope], "\(scope)")
            await session.close()
        }
    }

    @Test func everyToolHasAnObjectSchemaWithItsRequiredFields() async throws {
        let fixture = try MCPFixture()
        let session = try await fixture.connect(fixture.admin)
        let required: [String: [String]] = [
            "memory_create": ["content"], "memory_search": ["query"], "memory_get": ["id"],
            "memory_update": ["id"], "memory_delete": ["id"], "memory_list": [],
        ]
        let tools = try await session.tools()
        #expect(tools.map(\.name).sorted() == Self.allTools)
        for tool in tools {
            let schema = try #require(tool.inputSchema.objectValue, "\(tool.name)")
            #expect(schema["type"]?.stringValue == "object", "\(tool.name)")
            #expect(schema["properties"]?.objectValue != nil, "\(tool.name)")
            let names = schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(names == required[tool.name], "\(tool.name)")
            #expect((tool.description ?? "").count > 80, "\(tool.name) has an agent-oriented description")
        }
        let search = try #require(tools.first { $0.name == "memory_search" })
        for word in ["$gte", "$in", "$exists", "$or", "before"] {
            #expect(search.description?.lowercased().contains(word.lowercased()) == true, "search description mentions \(word)")
        }
        await session.close()
    }

    @Test func aReadKeyCannotCallWriteTools() async throws {
        let fixture = try MCPFixture()
        let session = try await fixture.connect(try fixture.key(.read).secret.value)
        let unknownID = Value.string(MemoryID.generate().description)
        for (name, arguments) in [
            ("memory_create", ["content": "not allowed"]),
            ("memory_update", ["id": unknownID, "content": "x"]),
            ("memory_delete", ["id": unknownID]),
        ] as [(String, [String: Value])] {
            let reply = try await session.call(name, arguments)
            #expect(reply.isError, "\(name)")
            #expect(reply.text == "forbidden: This API key lacks the write scope.", "\(name): \(reply.text)")
        }
        let search = try await session.call("memory_search", ["query": "anything"])
        #expect(!search.isError, "a read key can search: \(search.text)")
        await session.close()
    }

    @Test func invalidInputIsAToolErrorNamingTheField() async throws {
        let fixture = try MCPFixture()
        let session = try await fixture.connect(fixture.admin)
        let unknownID = Value.string(MemoryID.generate().description)
        let cases: [(String, [String: Value], String)] = [
            ("memory_create", ["content": ""], "invalid_request: content must not be empty"),
            ("memory_create", ["content": "   "], "invalid_request: content must not be empty"),
            ("memory_create", [:], "invalid_request: content is required"),
            ("memory_create", ["content": 42], "invalid_request: content must be a string"),
            ("memory_create", ["content": "x", "colour": "red"], "invalid_request: colour is not a known field"),
            ("memory_create", ["content": "x", "metadata": "flat"], "invalid_request: metadata must be a JSON object"),
            ("memory_search", [:], "invalid_request: query is required"),
            ("memory_search", ["query": "x", "topK": 0], "invalid_request: topK must be between 1 and 100"),
            ("memory_search", ["query": "x", "topK": "ten"], "invalid_request: topK must be an integer"),
            ("memory_search", ["query": "x", "mode": "fuzzy"], "invalid_request: mode must be hybrid, semantic or keyword"),
            ("memory_search", ["query": "x", "filters": ["priority": ["$near": 1]]], "invalid_request: filters.priority.$near"),
            ("memory_get", [:], "invalid_request: id is required"),
            ("memory_get", ["id": 7], "invalid_request: id must be a string"),
            ("memory_get", ["id": "mem_x", "extra": true], "invalid_request: extra is not a known field"),
            ("memory_update", ["id": unknownID], "invalid_request: body must set content, metadata or both"),
            ("memory_list", ["limit": 0], "invalid_request: limit must be between 1 and 100"),
            ("memory_list", ["limit": "ten"], "invalid_request: limit must be an integer"),
            ("memory_list", ["cursor": 5], "invalid_request: cursor must be a string"),
        ]
        for (name, arguments, message) in cases {
            let reply = try await session.call(name, arguments)
            #expect(reply.isError, "\(name) \(arguments)")
            #expect(reply.text.hasPrefix(message), "\(name) \(arguments): \(reply.text)")
        }
        let missing = try await session.call("memory_get", ["id": "not-an-id"])
        #expect(missing.text.hasPrefix("not_found:"), "an unparseable id is simply not found: \(missing.text)")
        await session.close()
    }

    @Test func anUnknownToolIsAProtocolError() async throws {
        let fixture = try MCPFixture()
        let session = try await fixture.connect(fixture.admin)
        do {
            _ = try await session.call("memory_forget_everything", [:])
            Issue.record("an unknown tool must be a JSON-RPC error, not a result")
        } catch let error as MCPError {
            #expect(error.code == -32602, "\(error)")
        }
        await session.close()
    }

    @Test func anotherWorkspaceSeesNoneOfIt() async throws {
        let fixture = try MCPFixture()
        let mine = try await fixture.connect(fixture.admin)
        let created = try await mine.call("memory_create", ["content": "secret plans for the launch"])
        let id = try #require(created["id"]?.stringValue)

        let (_, otherLive, otherTest) = try fixture.services.control.createWorkspace(name: "other")
        let sameWorkspaceTest = try fixture.key(.admin, .test)
        for key in [otherLive.secret.value, otherTest.secret.value, sameWorkspaceTest.secret.value] {
            let theirs = try await fixture.connect(key)
            #expect(try await theirs.call("memory_get", ["id": .string(id)]).text.hasPrefix("not_found:"))
            #expect(try await theirs.call("memory_update", ["id": .string(id), "content": "hijacked"]).text.hasPrefix("not_found:"))
            #expect(try await theirs.call("memory_delete", ["id": .string(id)]).text.hasPrefix("not_found:"))
            #expect(try await theirs.call("memory_search", ["query": "secret plans launch"])["results"]?.items?.isEmpty == true)
            #expect(try await theirs.call("memory_list")["memories"]?.items?.isEmpty == true)
            await theirs.close()
        }
        let still = try await mine.call("memory_get", ["id": .string(id)])
        #expect(still["content"]?.stringValue == "secret plans for the launch")
        await mine.close()
    }

    @Test func aRevokedKeyStopsWorkingOnItsNextCall() async throws {
        let fixture = try MCPFixture()
        let key = try fixture.key(.write)
        let session = try await fixture.connect(key.secret.value)
        let before = try await session.call("memory_create", ["content": "written before revocation"])
        #expect(!before.isError, "\(before.text)")

        _ = try fixture.services.control.revokeKey(key.record.id)

        for (name, arguments) in [
            ("memory_create", ["content": "written after revocation"]),
            ("memory_list", [:]),
            ("memory_search", ["query": "revocation"]),
        ] as [(String, [String: Value])] {
            let reply = try await session.call(name, arguments)
            #expect(reply.isError, "\(name)")
            #expect(reply.text.hasPrefix("unauthorized:"), "\(name): \(reply.text)")
        }
        do {
            _ = try await session.toolNames()
            Issue.record("tools/list with a revoked key must fail")
        } catch {
            // A JSON-RPC error.
        }
        let grant = try fixture.services.resolver.resolve(fixture.admin)
        let count = try await fixture.services.storage.memoryCount(grant: grant)
        #expect(count == 1, "nothing was written after revocation")
        await session.close()
    }
}

extension JSONValue {
    /// The array's items, or `nil` if this is not an array.
    var items: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
