import NeuroloomAPI
import PropertyBased
import Testing
@_spi(Operator) @testable import NeuroloomStore

/// Random operation sequences over several workspaces, both environments and every scope, with
/// real, guessed and stale ids. After every step the store must agree with a simple model in which
/// partitions share nothing. PropertyBased seeds each run and prints `.fixedSeed(…)` on failure.
@Suite struct IsolationPropertyTests {
    /// One operation, drawn as small integers so the library can shrink a failing sequence.
    struct Step: Sendable, CustomStringConvertible {
        let kind: Int     // 0 create, 1 get, 2 update, 3 delete, 4 list, 5 revoke, 6 batch
        let actor: Int    // index into the principals
        let target: Int   // index into the ids seen so far (or a guessed id)

        var description: String { "\(["create", "get", "update", "delete", "list", "revoke", "batch"][kind])(actor: \(actor), target: \(target))" }
    }

    struct Principal {
        let partition: Int
        let scope: Scope
        let key: CreatedKey
        var grant: WorkspaceGrant
        var revoked = false
    }

    static let steps = zip(Gen.int(in: 0...6), Gen.int(in: 0...11), Gen.int(in: 0...63))
        .map { Step(kind: $0, actor: $1, target: $2) }
        .array(of: 4...24)

    @Test func noGrantEverReachesAnotherPartition() async throws {
        // One store for all sequences, with few open partitions so eviction happens mid-sequence.
        let fixture = try StoreFixture { $0.maxOpenPartitions = 6 }
        await propertyCheck(count: 200, input: Self.steps) { steps in
            do {
                try await Self.run(steps, in: fixture)
            } catch {
                Issue.record("sequence \(steps) threw \(error)")
            }
        }
    }

    static func run(_ steps: [Step], in fixture: StoreFixture) async throws {
        let storage = fixture.storage
        // Two workspaces × two environments = four partitions; an oracle admin grant for each.
        var oracles: [WorkspaceGrant] = []
        var principals: [Principal] = []
        for name in ["alpha", "beta"] {
            let (workspace, live, test) = try fixture.workspace(name)
            oracles += [live, test]
            for environment in WorkspaceEnvironment.allCases {
                for scope in Scope.allCases {
                    let (key, grant) = try fixture.grant(workspace, environment, scope)
                    principals.append(Principal(partition: oracles.count - (environment == .live ? 2 : 1), scope: scope, key: key, grant: grant))
                }
            }
        }
        // The model: which partition each memory lives in, and its content.
        var model: [MemoryID: (partition: Int, content: String)] = [:]
        // Ids to aim at: every id ever created (including deleted ones) and guessed ones.
        var ids: [MemoryID] = (0..<4).map { _ in MemoryID.generate() }

        func target(_ index: Int) -> MemoryID { ids[index % ids.count] }

        for (number, step) in steps.enumerated() {
            var principal = principals[step.actor]
            let context = "step \(number): \(step)"
            if principal.revoked {
                #expect(throws: AuthenticationFailure(), "revoked keys never resolve (\(context))") {
                    try fixture.resolver.resolve(principal.key.secret.value)
                }
                // A grant resolved before the revocation cannot write either.
                if principal.scope != .read {
                    await #expect(throws: StoreError.unauthorized, "\(context)") {
                        try await storage.createMemory(NewMemory(content: "stale"), grant: principal.grant)
                    }
                }
                continue
            }
            principal.grant = try fixture.resolver.resolve(principal.key.secret.value)
            let grant = principal.grant
            let canWrite = principal.scope != .read
            switch step.kind {
            case 0, 6:
                let inputs = (0..<(step.kind == 0 ? 1 : 1 + step.target % 3)).map { NewMemory(content: "p\(principal.partition) #\(number).\($0)") }
                if canWrite {
                    let created = try await storage.batchCreateMemories(inputs, grant: grant)
                    for memory in created {
                        #expect(memory.workspaceID == grant.workspaceID)
                        model[memory.id] = (principal.partition, memory.content)
                        ids.append(memory.id)
                    }
                } else {
                    await #expect(throws: StoreError.forbidden(required: .write), "\(context)") {
                        try await storage.batchCreateMemories(inputs, grant: grant)
                    }
                }
            case 1:
                let id = target(step.target)
                if let expected = model[id], expected.partition == principal.partition {
                    #expect(try await storage.memory(id, grant: grant).content == expected.content, "\(context)")
                } else {
                    await #expect(throws: StoreError.notFound, "foreign or missing id looks absent (\(context))") {
                        try await storage.memory(id, grant: grant)
                    }
                }
            case 2:
                let id = target(step.target)
                let content = "edited by \(step.actor) at \(number)"
                if !canWrite {
                    await #expect(throws: StoreError.forbidden(required: .write), "\(context)") {
                        try await storage.updateMemory(id, MemoryPatch(content: content), grant: grant)
                    }
                } else if let expected = model[id], expected.partition == principal.partition {
                    #expect(try await storage.updateMemory(id, MemoryPatch(content: content), grant: grant).content == content)
                    model[id] = (expected.partition, content)
                } else {
                    await #expect(throws: StoreError.notFound, "\(context)") {
                        try await storage.updateMemory(id, MemoryPatch(content: content), grant: grant)
                    }
                }
            case 3:
                let id = target(step.target)
                if !canWrite {
                    await #expect(throws: StoreError.forbidden(required: .write), "\(context)") {
                        try await storage.deleteMemory(id, grant: grant)
                    }
                } else if let expected = model[id], expected.partition == principal.partition {
                    try await storage.deleteMemory(id, grant: grant)
                    model[id] = nil
                } else {
                    await #expect(throws: StoreError.notFound, "\(context)") { try await storage.deleteMemory(id, grant: grant) }
                }
            case 4:
                let listed = try await Self.listAll(storage, grant)
                let expected = model.filter { $0.value.partition == principal.partition }
                #expect(Set(listed.map(\.id)) == Set(expected.keys), "list shows exactly this partition (\(context))")
            case 5:
                try fixture.control.revokeKey(principal.key.record.id)
                principal.revoked = true
                #expect(throws: AuthenticationFailure(), "\(context)") { try fixture.resolver.resolve(principal.key.secret.value) }
            default:
                Issue.record("unknown step kind \(step.kind)")
            }
            principals[step.actor] = principal
        }

        // Finally every partition holds exactly its own memories, with their latest content.
        for (index, oracle) in oracles.enumerated() {
            let listed = try await Self.listAll(storage, oracle)
            let expected = model.filter { $0.value.partition == index }
            #expect(listed.count == expected.count)
            for memory in listed {
                #expect(expected[memory.id]?.content == memory.content, "partition \(index) holds \(memory.id) as modelled")
            }
        }
    }

    static func listAll(_ storage: WorkspaceStorage, _ grant: WorkspaceGrant) async throws -> [Memory] {
        var all: [Memory] = []
        var cursor: String?
        repeat {
            let page = try await storage.listMemories(limit: 7, cursor: cursor, grant: grant)
            all += page.memories
            cursor = page.nextCursor
        } while cursor != nil
        return all
    }
}
