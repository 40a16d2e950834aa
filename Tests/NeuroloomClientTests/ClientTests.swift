import Foundation
import NeuroloomAPI
import NeuroloomClient
import NeuroloomHTTP
@_spi(Operator) import NeuroloomStore
import Testing

/// The Swift SDK against a real server on a loopback port: every method, every error it maps,
/// paging, retries and cancellation.
@Suite struct ClientTests {
    // MARK: Memories

    @Test func createGetUpdateDeleteAndWorkspace() async throws {
        let server = try LiveServer()
        try await server.run { baseURL in
            let client = try Neuroloom(apiKey: server.liveAdmin, baseURL: baseURL + "/")

            let metadata: JSONValue = ["topic": "ui", "priority": 2, "tags": ["a", "b"]]
            let created = try await client.memories.create(content: "The user prefers dark mode", metadata: metadata)
            #expect(created.id.hasPrefix("mem_"))
            #expect(created.content == "The user prefers dark mode")
            #expect(created.metadata == metadata)
            #expect(created.workspaceId == server.workspaceID)
            #expect(created.createdAt == created.updatedAt)
            #expect(created.createdAt.hasSuffix("Z"))

            let plain = try await client.memories.create(content: "No metadata here")
            #expect(plain.metadata == JSONValue.object([:]), "absent metadata is stored as {}")

            #expect(try await client.memories.get(id: created.id) == created)

            let edited = try await client.memories.update(id: created.id, content: "The user prefers light mode")
            #expect(edited.content == "The user prefers light mode")
            #expect(edited.metadata == created.metadata, "metadata is kept when only content changes")
            #expect(edited.createdAt == created.createdAt)

            let theme: JSONValue = ["topic": "theme"]
            let retagged = try await client.memories.update(id: created.id, metadata: theme)
            #expect(retagged.metadata == theme, "metadata is replaced whole")
            #expect(retagged.content == edited.content)

            let fractional: JSONValue = ["n": 1.5]
            let both = try await client.memories.update(id: plain.id, content: "Now with metadata", metadata: fractional)
            #expect(both.content == "Now with metadata")
            #expect(both.metadata == fractional)

            let workspace = try await client.workspace()
            #expect(workspace.id == server.workspaceID)
            #expect(workspace.name == "default")
            #expect(workspace.environment == "live")
            #expect(workspace.memoryCount == 2)
            #expect(workspace.createdAt.hasSuffix("Z"))

            try await client.memories.delete(id: created.id)
            let gone = try await #require(throws: NeuroloomError.self) { try await client.memories.get(id: created.id) }
            #expect(gone.status == 404)
            #expect(try await client.workspace().memoryCount == 1)
        }
    }

    @Test func batchCreateListPagesAndSearch() async throws {
        let server = try LiveServer()
        try await server.run { baseURL in
            let client = try Neuroloom(apiKey: server.liveAdmin, baseURL: baseURL)
            let batch = try await client.memories.batchCreate([
                CreateMemoryRequest(content: "The user prefers dark mode", metadata: ["topic": "ui", "priority": 2]),
                CreateMemoryRequest(content: "Dark chocolate is the user's favourite", metadata: ["topic": "food", "priority": 1]),
                CreateMemoryRequest(content: "The user lives in Lisbon"),
            ])
            #expect(batch.map(\.content) == [
                "The user prefers dark mode", "Dark chocolate is the user's favourite", "The user lives in Lisbon",
            ])
            #expect(Set(batch.map(\.id)).count == 3)

            let first = try await client.memories.page(limit: 2)
            #expect(first.memories.count == 2)
            let cursor = try #require(first.nextCursor)
            let second = try await client.memories.page(limit: 2, cursor: cursor)
            #expect(second.memories.count == 1)
            #expect(second.nextCursor == nil)
            #expect(Set(first.memories.map(\.id) + second.memories.map(\.id)) == Set(batch.map(\.id)))
            let everything = try await client.memories.page()
            #expect(everything.memories.count == 3)
            #expect(everything.nextCursor == nil)

            let filtered = try await client.memories.search(query: "dark mode", topK: 5, mode: .keyword,
                                                            filters: ["priority": ["$gte": 2]], minScore: 0.1)
            #expect(filtered.map(\.id) == [batch[0].id])
            let hit = try #require(filtered.first)
            #expect(hit.content == "The user prefers dark mode")
            #expect(hit.score > 0 && hit.score <= 1)
            #expect(hit.metadata == batch[0].metadata)
            #expect(hit.createdAt == batch[0].createdAt)

            let keyword = try await client.memories.search(query: "dark", mode: .keyword)
            #expect(Set(keyword.map(\.id)) == Set([batch[0].id, batch[1].id]))
            let top = try await client.memories.search(query: "user", topK: 1, mode: .keyword)
            #expect(top.count == 1)
            let foods = try await client.memories.search(query: "user", filters: ["topic": ["$in": ["food"]]])
            #expect(foods.map(\.id) == [batch[1].id])
        }
    }

    @Test func allFollowsCursorsThroughEveryPage() async throws {
        let server = try LiveServer()
        try await server.run { baseURL in
            let client = try Neuroloom(apiKey: server.liveAdmin, baseURL: baseURL)
            let created = try await client.memories.batchCreate((0..<45).map { index in
                CreateMemoryRequest(content: "memory number \(index)", metadata: ["n": .integer(Int64(index))])
            })
            var seen: [String] = []
            for try await memory in client.memories.list(limit: 10) {
                seen.append(memory.id)
            }
            #expect(seen.count == 45)
            #expect(Set(seen).count == 45, "no duplicates across pages")
            #expect(Set(seen) == Set(created.map(\.id)))

            // Stopping early stops fetching; a new iteration starts again from the newest memory.
            var firstThree: [String] = []
            for try await memory in client.memories.list(limit: 2) {
                firstThree.append(memory.id)
                if firstThree.count == 3 { break }
            }
            #expect(firstThree == Array(seen.prefix(3)))

            // A cursor from one page starts the sequence right after that page.
            let firstPage = try await client.memories.page(limit: 5)
            var rest: [String] = []
            for try await memory in client.memories.list(limit: 7, cursor: firstPage.nextCursor) {
                rest.append(memory.id)
            }
            #expect(firstPage.memories.map(\.id) + rest == seen)
        }
    }

    // MARK: Keys

    @Test func keysCreateListAndRevoke() async throws {
        let server = try LiveServer()
        try await server.run { baseURL in
            let admin = try Neuroloom(apiKey: server.liveAdmin, baseURL: baseURL)
            let created = try await admin.keys.create(name: "agent", scope: .write, expiresAt: "2099-01-01T00:00:00Z")
            #expect(created.id.hasPrefix("key_"))
            #expect(created.key.hasPrefix("nlk_live_"))
            #expect(created.name == "agent")
            #expect(created.scope == "write")
            #expect(created.environment == "live")
            #expect(created.expiresAt?.hasPrefix("2099-01-01T00:00:00") == true)

            let listed = try await admin.keys.list()
            let entry = try #require(listed.first { $0.id == created.id })
            #expect(entry.preview == created.preview)
            #expect(entry.scope == "write")
            #expect(entry.expiresAt == created.expiresAt)
            #expect(listed.contains { $0.scope == "admin" })
            #expect(!listed.contains { $0.preview == created.key }, "a listing never shows a secret")

            let agent = try Neuroloom(apiKey: created.key, baseURL: baseURL)
            let memory = try await agent.memories.create(content: "Written with a new key")
            #expect(try await admin.memories.get(id: memory.id) == memory)

            try await admin.keys.revoke(id: created.id)
            let refused = try await #require(throws: NeuroloomError.self) { try await agent.memories.get(id: memory.id) }
            #expect(refused.status == 401, "revocation is in force from the next request")
            #expect(try await admin.keys.list().contains { $0.id == created.id } == false)
            let again = try await #require(throws: NeuroloomError.self) { try await admin.keys.revoke(id: created.id) }
            #expect(again.status == 404)
        }
    }

    // MARK: Errors

    @Test func unauthorizedForbiddenNotFoundInvalidAndConflict() async throws {
        let server = try LiveServer()
        let reader = try server.key(.read)
        try await server.run { baseURL in
            let admin = try Neuroloom(apiKey: server.liveAdmin, baseURL: baseURL)

            // 401: a key the server does not know.
            let stranger = try Neuroloom(apiKey: "nlk_live_notARealKey", baseURL: baseURL)
            let unauthorized = try await #require(throws: NeuroloomError.self) { try await stranger.memories.page() }
            if case .unauthorized(let message, let requestId) = unauthorized {
                #expect(!message.isEmpty)
                #expect(requestId?.isEmpty == false, "the server's request id is kept")
            } else {
                Issue.record("expected unauthorized, got \(unauthorized)")
            }

            // 403: a read key writing; it can still read.
            let readOnly = try Neuroloom(apiKey: reader, baseURL: baseURL)
            let forbidden = try await #require(throws: NeuroloomError.self) { try await readOnly.memories.create(content: "nope") }
            if case .forbidden(let message, _) = forbidden {
                #expect(message.contains("write"), "\(message)")
            } else {
                Issue.record("expected forbidden, got \(forbidden)")
            }
            let keysForbidden = try await #require(throws: NeuroloomError.self) { try await readOnly.keys.list() }
            #expect(keysForbidden.status == 403)
            #expect(try await readOnly.memories.page().memories.isEmpty)

            // 404: a well-formed id that does not exist, a malformed one, an empty one.
            let missing = "mem_01jdx3k9q8r7s6t5v4w3x2y1z0"
            for attempt in [missing, "not-an-id", "../keys"] {
                let notFound = try await #require(throws: NeuroloomError.self) { try await admin.memories.get(id: attempt) }
                if case .notFound(_, let requestId) = notFound {
                    #expect(requestId != nil, "\(attempt)")
                } else {
                    Issue.record("expected notFound for \(attempt), got \(notFound)")
                }
            }
            let empty = try await #require(throws: NeuroloomError.self) { try await admin.memories.get(id: "") }
            #expect(empty.status == 404)
            let updateMissing = try await #require(throws: NeuroloomError.self) {
                try await admin.memories.update(id: missing, content: "x")
            }
            #expect(updateMissing.status == 404)
            let deleteMissing = try await #require(throws: NeuroloomError.self) { try await admin.memories.delete(id: missing) }
            #expect(deleteMissing.status == 404)
            let revokeMissing = try await #require(throws: NeuroloomError.self) {
                try await admin.keys.revoke(id: "key_01jdx4m3n2p1q0r9s8t7v6w5x4")
            }
            #expect(revokeMissing.status == 404)

            // 400: the message names the field.
            let emptyContent = try await #require(throws: NeuroloomError.self) { try await admin.memories.create(content: "") }
            if case .invalidRequest(let message, let requestId) = emptyContent {
                #expect(message.contains("content"), "\(message)")
                #expect(requestId != nil)
            } else {
                Issue.record("expected invalidRequest, got \(emptyContent)")
            }
            let badMetadata = try await #require(throws: NeuroloomError.self) {
                try await admin.memories.create(content: "x", metadata: [1, 2])
            }
            #expect(badMetadata.status == 400)
            #expect(badMetadata.message.contains("metadata"), "\(badMetadata.message)")
            let badBatch = try await #require(throws: NeuroloomError.self) {
                try await admin.memories.batchCreate([CreateMemoryRequest(content: "fine"), CreateMemoryRequest(content: " ")])
            }
            #expect(badBatch.status == 400)
            #expect(badBatch.message.contains("memories[1].content"), "\(badBatch.message)")
            let badSearch = try await #require(throws: NeuroloomError.self) {
                try await admin.memories.search(query: "x", topK: 0)
            }
            #expect(badSearch.message.contains("topK"), "\(badSearch.message)")
            let noChange = try await #require(throws: NeuroloomError.self) {
                try await admin.memories.update(id: missing)
            }
            #expect(noChange.status == 400)
            #expect(try await admin.workspace().memoryCount == 0, "nothing was written by a refused request")

            // 409: revoking the environment's last admin key.
            let keys = try await admin.keys.list()
            let adminKey = try #require(keys.first { $0.scope == "admin" })
            let conflict = try await #require(throws: NeuroloomError.self) { try await admin.keys.revoke(id: adminKey.id) }
            if case .conflict(let message, _) = conflict {
                #expect(message.contains("last"), "\(message)")
            } else {
                Issue.record("expected conflict, got \(conflict)")
            }
            #expect(try await admin.keys.list().contains { $0.id == adminKey.id }, "the admin key is still active")
        }
    }

    @Test func oversizedBodiesArePayloadTooLarge() async throws {
        let server = try LiveServer { $0.maxBodyBytes = 4096 }
        try await server.run { baseURL in
            let client = try Neuroloom(apiKey: server.liveAdmin, baseURL: baseURL)
            let error = try await #require(throws: NeuroloomError.self) {
                try await client.memories.create(content: String(repeating: "a", count: 8192))
            }
            if case .payloadTooLarge(let message, _) = error {
                #expect(message.contains("4096"), "\(message)")
            } else {
                Issue.record("expected payloadTooLarge, got \(error)")
            }
            #expect(try await client.memories.create(content: "small").content == "small", "the client stays usable")
        }
    }

    @Test func aMissingAPIKeyIsRefusedBeforeAnyRequest() throws {
        let error = try #require(throws: NeuroloomError.self) { try Neuroloom(apiKey: "  \n") }
        #expect(error.status == 401)
        #expect(error.requestId == nil)
    }

    @Test func anUnreachableServerIsATransportError() async throws {
        // Nothing listens on port 1; the connection is refused until the 2 s deadline.
        let client = try Neuroloom(apiKey: "nlk_live_whatever", baseURL: "http://127.0.0.1:1", timeout: .seconds(2))
        let clock = ContinuousClock()
        let start = clock.now
        let error = try await #require(throws: NeuroloomError.self) { try await client.workspace() }
        if case .transport(let description) = error {
            #expect(!description.isEmpty)
        } else {
            Issue.record("expected transport, got \(error)")
        }
        #expect(error.status == nil)
        #expect(clock.now - start < .seconds(20))
    }

    // MARK: Rate limits and retries

    @Test func rateLimitedCallsCarryRetryAfterAndARetryingClientWaitsItOut() async throws {
        // One request at once, then one every 2 s.
        let server = try LiveServer {
            $0.rateLimit = 0.5
            $0.rateBurst = 1
        }
        try await server.run { baseURL in
            let plain = try Neuroloom(apiKey: server.liveAdmin, baseURL: baseURL)
            _ = try await plain.memories.page()
            let limited = try await #require(throws: NeuroloomError.self) { try await plain.memories.page() }
            if case .rateLimited(let retryAfter, let message, let requestId) = limited {
                #expect(retryAfter >= 1)
                #expect(!message.isEmpty)
                #expect(requestId != nil)
            } else {
                Issue.record("expected rateLimited, got \(limited)")
            }
            #expect(limited.status == 429)

            let patient = try Neuroloom(apiKey: server.liveAdmin, baseURL: baseURL,
                                        retry: .retrying(upTo: 1, maxDelay: .seconds(10)))
            let clock = ContinuousClock()
            let start = clock.now
            let page = try await patient.memories.page()
            #expect(page.memories.isEmpty)
            #expect(clock.now - start >= .milliseconds(900), "the retry waited for Retry-After")
        }
    }

    @Test func retriesAreBoundedAndCancellable() async throws {
        // One request, then one every 100 s: every later call is told to wait about 100 s.
        let server = try LiveServer {
            $0.rateLimit = 0.01
            $0.rateBurst = 1
        }
        try await server.run { baseURL in
            let plain = try Neuroloom(apiKey: server.liveAdmin, baseURL: baseURL)
            _ = try await plain.workspace()
            let clock = ContinuousClock()

            // A Retry-After longer than maxDelay is thrown at once rather than waited for.
            let impatient = try Neuroloom(apiKey: server.liveAdmin, baseURL: baseURL,
                                          retry: .retrying(upTo: 3, maxDelay: .seconds(5)))
            let start = clock.now
            let error = try await #require(throws: NeuroloomError.self) { try await impatient.workspace() }
            #expect((error.retryAfter ?? 0) > 5, "\(error)")
            #expect(clock.now - start < .seconds(5))

            // An allowed wait ends as soon as the calling task is cancelled.
            let patient = try Neuroloom(apiKey: server.liveAdmin, baseURL: baseURL,
                                        retry: .retrying(upTo: 1, maxDelay: .seconds(600)))
            let started = clock.now
            let task = Task { try await patient.workspace() }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            let outcome = await task.result
            #expect(clock.now - started < .seconds(30))
            switch outcome {
            case .success:
                Issue.record("a rate-limited call cannot succeed")
            case .failure(let failure):
                #expect(failure is CancellationError, "\(failure)")
            }
        }
    }

    // MARK: Wire types

    @Test func optionalRequestMembersAreLeftOutNotNull() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        func json(_ value: some Encodable) throws -> String {
            let data = try encoder.encode(value)
            return String(decoding: data, as: UTF8.self)
        }
        #expect(try json(CreateMemoryRequest(content: "x")) == #"{"content":"x"}"#)
        let flag: JSONValue = ["a": true]
        #expect(try json(UpdateMemoryRequest(metadata: flag)) == #"{"metadata":{"a":true}}"#)
        #expect(try json(SearchRequestBody(query: "q")) == #"{"query":"q"}"#)
        let filters: JSONValue = ["n": ["$gt": 1]]
        let full = SearchRequestBody(query: "q", topK: 3, mode: "keyword", filters: filters, minScore: 0.5)
        #expect(try json(full) == #"{"filters":{"n":{"$gt":1}},"minScore":0.5,"mode":"keyword","query":"q","topK":3}"#)
        #expect(try json(CreateKeyRequest(name: "n", scope: "read")) == #"{"name":"n","scope":"read"}"#)

        let envelope = try JSONDecoder().decode(ErrorEnvelope.self, from: Data(
            #"{"error":{"code":"not_found","message":"Not found.","requestId":"req_1"}}"#.utf8))
        #expect(envelope.error == ErrorEnvelope.Detail(code: "not_found", message: "Not found.", requestId: "req_1"))
    }
}
