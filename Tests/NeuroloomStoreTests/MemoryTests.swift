import Foundation
import NeuroloomAPI
import Testing
import NeuroloomTestSupport
@_spi(Operator) @testable import NeuroloomStore

@Suite struct MemoryTests {
    @Test func createGetUpdateDelete() async throws {
        let fixture = try StoreFixture()
        let (workspace, live, _) = try fixture.workspace()
        let created = try await fixture.storage.createMemory(NewMemory(content: "The user prefers dark mode", metadata: ["topic": "ui", "priority": 2]), grant: live)
        #expect(created.id.description.hasPrefix("mem_"))
        #expect(created.workspaceID == workspace)
        #expect(created.metadata == ["topic": "ui", "priority": 2])
        #expect(String(decoding: created.metadataJSON, as: UTF8.self) == #"{"priority":2,"topic":"ui"}"#)
        #expect(try await fixture.storage.memory(created.id, grant: live) == created)

        fixture.clock.advance(milliseconds: 5)
        let edited = try await fixture.storage.updateMemory(created.id, MemoryPatch(content: "The user prefers light mode"), grant: live)
        #expect(edited.content == "The user prefers light mode")
        #expect(edited.metadata == created.metadata, "metadata untouched when not given")
        #expect(edited.createdAt == created.createdAt)
        #expect(edited.updatedAt == created.createdAt.adding(milliseconds: 5))
        let replaced = try await fixture.storage.updateMemory(created.id, MemoryPatch(metadata: ["only": true]), grant: live)
        #expect(replaced.metadata == ["only": true], "metadata is replaced whole")
        #expect(try await fixture.storage.memory(created.id, grant: live) == replaced)

        try await fixture.storage.deleteMemory(created.id, grant: live)
        await #expect(throws: StoreError.notFound) { try await fixture.storage.memory(created.id, grant: live) }
        await #expect(throws: StoreError.notFound) { try await fixture.storage.deleteMemory(created.id, grant: live) }
        await #expect(throws: StoreError.notFound) { try await fixture.storage.updateMemory(created.id, MemoryPatch(content: "x"), grant: live) }
    }

    @Test func anUpdateToACanonicallyEquivalentTextStoresTheNewBytes() async throws {
        let fixture = try StoreFixture()
        let (_, live, _) = try fixture.workspace()
        let precomposed = "caf\u{E9}", decomposed = "cafe\u{301}"
        #expect(precomposed == decomposed, "Swift's String equality is canonical equivalence")
        let created = try await fixture.storage.createMemory(NewMemory(content: precomposed), grant: live)
        _ = try await fixture.storage.updateMemory(created.id, MemoryPatch(content: decomposed), grant: live)
        let stored = try await fixture.storage.memory(created.id, grant: live)
        #expect(Array(stored.content.utf8) == Array(decomposed.utf8), "an acknowledged update is stored byte for byte")
    }

    @Test func batchCreateIsAllOrNothing() async throws {
        let fixture = try StoreFixture()
        let (_, live, _) = try fixture.workspace()
        let good = (0..<5).map { NewMemory(content: "memory \($0)") }
        await #expect(throws: StoreError.invalid(field: "memories[3].content", message: "must not be empty")) {
            try await fixture.storage.batchCreateMemories(good.prefix(3) + [NewMemory(content: "  ")] + good.suffix(1), grant: live)
        }
        #expect(try await fixture.storage.memoryCount(grant: live) == 0)
        let created = try await fixture.storage.batchCreateMemories(good, grant: live)
        #expect(created.map(\.content) == good.map(\.content))
        #expect(Set(created.map(\.id)).count == 5)
        #expect(try await fixture.storage.memoryCount(grant: live) == 5)
        await #expect(throws: StoreError.invalid(field: "memories", message: "must hold between 1 and 100 memories")) {
            try await fixture.storage.batchCreateMemories([], grant: live)
        }
        await #expect(throws: StoreError.invalid(field: "memories", message: "must hold between 1 and 100 memories")) {
            try await fixture.storage.batchCreateMemories(Array(repeating: NewMemory(content: "x"), count: 101), grant: live)
        }
    }

    @Test func pagingThroughAThousandMemoriesHasNoGapsOrDuplicates() async throws {
        let fixture = try StoreFixture()
        let (_, live, _) = try fixture.workspace()
        var expected: [MemoryID] = []
        for batch in 0..<10 {
            let created = try await fixture.storage.batchCreateMemories((0..<100).map { NewMemory(content: "item \(batch * 100 + $0)") }, grant: live)
            expected += created.map(\.id)
        }
        var seen: [MemoryID] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try await fixture.storage.listMemories(limit: 37, cursor: cursor, grant: live)
            #expect(page.memories.count <= 37)
            seen += page.memories.map(\.id)
            cursor = page.nextCursor
            pages += 1
            if pages == 5 {
                // Memories created mid-walk are newer than the cursor: they neither repeat nor push anything out.
                _ = try await fixture.storage.createMemory(NewMemory(content: "late arrival"), grant: live)
            }
        } while cursor != nil
        #expect(pages == 28)
        #expect(seen == expected.reversed(), "newest first, every memory exactly once")
        let first = try await fixture.storage.listMemories(grant: live)
        #expect(first.memories.count == 20, "default page size")
        #expect(first.memories.first?.content == "late arrival")
    }

    @Test func validationNamesTheFieldAndWritesNothing() async throws {
        let fixture = try StoreFixture()
        let (_, live, _) = try fixture.workspace()
        let storage = fixture.storage
        let cases: [(NewMemory, StoreError)] = [
            (NewMemory(content: ""), .invalid(field: "content", message: "must not be empty")),
            (NewMemory(content: " \n\t"), .invalid(field: "content", message: "must not be empty")),
            (NewMemory(content: String(repeating: "a", count: 32 * 1024 + 1)),
             .invalid(field: "content", message: "must be at most 32768 bytes of UTF-8 (got 32769)")),
            (NewMemory(content: "ok", metadata: ["a", "b"]), .invalid(field: "metadata", message: "must be a JSON object")),
            (NewMemory(content: "ok", metadata: "text"), .invalid(field: "metadata", message: "must be a JSON object")),
            (NewMemory(content: "ok", metadata: ["a": ["b": ["c": ["d": ["e": ["f": ["g": ["h": ["i": 1]]]]]]]]]),
             .invalid(field: "metadata", message: "must be nested at most 8 levels deep")),
        ]
        for (input, error) in cases {
            await #expect(throws: error) { try await storage.createMemory(input, grant: live) }
        }
        let big: JSONValue = .object(["blob": .string(String(repeating: "x", count: 16 * 1024))])
        await #expect(throws: StoreError.self) { try await storage.createMemory(NewMemory(content: "ok", metadata: big), grant: live) }
        // Exactly at the limits is fine.
        let eightDeep: JSONValue = ["a": ["b": ["c": ["d": ["e": ["f": ["g": ["h": 1]]]]]]]]
        _ = try await storage.createMemory(NewMemory(content: String(repeating: "é", count: 16 * 1024), metadata: eightDeep), grant: live)
        #expect(try await storage.memoryCount(grant: live) == 1)

        await #expect(throws: StoreError.invalid(field: "limit", message: "must be between 1 and 100")) { try await storage.listMemories(limit: 0, grant: live) }
        await #expect(throws: StoreError.invalid(field: "limit", message: "must be between 1 and 100")) { try await storage.listMemories(limit: 101, grant: live) }
        await #expect(throws: StoreError.invalid(field: "cursor", message: "is not a cursor returned by this API")) { try await storage.listMemories(cursor: "nope!", grant: live) }
        let existing = try await storage.listMemories(grant: live).memories[0]
        await #expect(throws: StoreError.invalid(field: "content", message: "give content, metadata or both")) {
            try await storage.updateMemory(existing.id, MemoryPatch(), grant: live)
        }
        await #expect(throws: StoreError.invalid(field: "metadata", message: "must be a JSON object")) {
            try await storage.updateMemory(existing.id, MemoryPatch(content: "new", metadata: [1]), grant: live)
        }
        #expect(try await storage.memory(existing.id, grant: live) == existing, "a rejected update changes nothing")
    }

    @Test func readGrantsCannotWrite() async throws {
        let fixture = try StoreFixture()
        let (workspace, live, _) = try fixture.workspace()
        let memory = try await fixture.storage.createMemory(NewMemory(content: "kept"), grant: live)
        let reader = try fixture.grant(workspace, .live, .read).grant
        await #expect(throws: StoreError.forbidden(required: .write)) { try await fixture.storage.createMemory(NewMemory(content: "x"), grant: reader) }
        await #expect(throws: StoreError.forbidden(required: .write)) { try await fixture.storage.updateMemory(memory.id, MemoryPatch(content: "x"), grant: reader) }
        await #expect(throws: StoreError.forbidden(required: .write)) { try await fixture.storage.deleteMemory(memory.id, grant: reader) }
        #expect(try await fixture.storage.memory(memory.id, grant: reader) == memory)
    }

    @Test func aWriteWhoseKeyIsRevokedBeforeCommitDoesNotCommit() async throws {
        let fixture = try StoreFixture()
        let (workspace, live, _) = try fixture.workspace()
        let writer = try fixture.grant(workspace, .live, .write)
        // The grant was resolved while the key was valid; the key is revoked before the write commits.
        try fixture.control.revokeKey(writer.key.record.id)
        await #expect(throws: StoreError.unauthorized) { try await fixture.storage.createMemory(NewMemory(content: "late"), grant: writer.grant) }
        #expect(try await fixture.storage.memoryCount(grant: live) == 0)

        // Racing: writes keep going while the key is revoked; every write that reported success is
        // stored, every other one reported unauthorized, and after the revocation nothing commits.
        let racer = try fixture.grant(workspace, .live, .write)
        let storage = fixture.storage
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<40 {
                group.addTask {
                    do {
                        _ = try await storage.createMemory(NewMemory(content: "race \(index)"), grant: racer.grant)
                        return true
                    } catch StoreError.unauthorized {
                        return false
                    }
                }
            }
            try fixture.control.revokeKey(racer.key.record.id)
            var outcomes: [Bool] = []
            for try await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        #expect(try await storage.memoryCount(grant: live) == outcomes.filter { $0 }.count)
        await #expect(throws: StoreError.unauthorized) { try await storage.createMemory(NewMemory(content: "after"), grant: racer.grant) }
    }

    @Test func manyWorkspacesStayWithinTheOpenPartitionCap() async throws {
        let fixture = try StoreFixture { $0.maxOpenPartitions = 3 }
        var grants: [(WorkspaceGrant, Memory)] = []
        for index in 0..<8 {
            let (_, live, _) = try fixture.workspace("ws \(index)")
            grants.append((live, try await fixture.storage.createMemory(NewMemory(content: "memory of \(index)"), grant: live)))
            #expect(await fixture.storage.openPartitionCount <= 3)
        }
        // Concurrent use across all of them, forcing evictions while operations are in flight.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for round in 0..<3 {
                for (grant, memory) in grants {
                    group.addTask {
                        #expect(try await fixture.storage.memory(memory.id, grant: grant) == memory)
                        _ = try await fixture.storage.createMemory(NewMemory(content: "round \(round)"), grant: grant)
                    }
                }
            }
            try await group.waitForAll()
        }
        for (grant, _) in grants { #expect(try await fixture.storage.memoryCount(grant: grant) == 4) }
        #expect(await fixture.storage.openPartitionCount <= 3)
        await fixture.storage.closeAll()
        #expect(await fixture.storage.openPartitionCount == 0)
    }

    @Test func dataSurvivesReopeningTheStore() async throws {
        let directory: TemporaryDirectory
        let grantSecret: String
        let id: MemoryID
        do {
            let fixture = try StoreFixture()
            directory = fixture.directory
            let (_, live, _) = try fixture.control.createWorkspace(name: "durable")
            grantSecret = live.secret.value
            id = try await fixture.storage.createMemory(NewMemory(content: "remember me"), grant: try fixture.resolver.resolve(grantSecret)).id
            await fixture.storage.closeAll()
            fixture.resolver.flushLastUse()
            fixture.control.close()
        }
        let control = try ControlStore(directory: DataDirectory(root: directory.path))
        let resolver = KeyResolver(control: control)
        let storage = WorkspaceStorage(directory: DataDirectory(root: directory.path), resolver: resolver)
        #expect(try await storage.memory(id, grant: try resolver.resolve(grantSecret)).content == "remember me")
    }
}
