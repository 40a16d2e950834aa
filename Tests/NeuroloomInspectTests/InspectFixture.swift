import Foundation
import NeuroloomAPI
import NeuroloomInspect
@_spi(Operator) import NeuroloomStore
import NeuroloomTestSupport

/// A data directory built through the normal store API (control store, key resolver, storage
/// actor), then closed, so the inspector can open every environment in this process:
///
/// - `alpha`: live has 4 memories (5 created, 1 deleted, 1 updated), test has 2; keys: the two
///   default admin keys, a live read key, a revoked live write key;
/// - `beta`: no memories (so no directory on disk), its two admin keys.
struct InspectFixture {
    let directory: TemporaryDirectory
    let data: DataDirectory
    let alpha: WorkspaceID
    let beta: WorkspaceID
    /// Alpha's live memories as stored, oldest first.
    let alphaLive: [Memory]
    /// Alpha's test memories, oldest first.
    let alphaTest: [Memory]
    /// Every secret created, to prove none is ever printed.
    let secrets: [String]
    /// Alpha's live admin key, to reopen the store after a restore.
    let alphaLiveKey: String

    static let contents = [
        "The user prefers dark mode and a dark theme",
        "Déjà vu: the café opens at 9",
        "ERR_CONN_RESET when the proxy restarts",
        "Meeting notes: ship the inspector, then the index",
        "Temporary note to delete",
    ]

    static func make() async throws -> InspectFixture {
        let directory = TemporaryDirectory("inspect")
        let data = DataDirectory(root: directory.path)
        let control = try ControlStore(directory: data)
        let resolver = KeyResolver(control: control)
        let storage = WorkspaceStorage(directory: data, resolver: resolver)

        let (alpha, alphaLiveAdmin, alphaTestAdmin) = try control.createWorkspace(name: "alpha")
        let (beta, betaLive, betaTest) = try control.createWorkspace(name: "beta")
        let reader = try control.createKey(workspace: alpha.id, environment: .live, scope: .read, name: "reader")
        let writer = try control.createKey(workspace: alpha.id, environment: .live, scope: .write, name: "old writer")
        try control.revokeKey(writer.record.id)

        let live = try resolver.resolve(alphaLiveAdmin.secret.value)
        let test = try resolver.resolve(alphaTestAdmin.secret.value)
        var created = try await storage.batchCreateMemories(contents.enumerated().map { index, content in
            NewMemory(content: content, metadata: ["index": .integer(Int64(index)), "tags": ["a", "b"]])
        }, grant: live)
        try await storage.deleteMemory(created[4].id, grant: live)
        created.removeLast()
        created[1] = try await storage.updateMemory(created[1].id, MemoryPatch(metadata: ["edited": true]), grant: live)
        let testMemories = [
            try await storage.createMemory(NewMemory(content: "sandbox one"), grant: test),
            try await storage.createMemory(NewMemory(content: "sandbox two two"), grant: test),
        ]

        await storage.closeAll()
        resolver.flushLastUse()
        control.close()
        return InspectFixture(
            directory: directory, data: data, alpha: alpha.id, beta: beta.id, alphaLive: created, alphaTest: testMemories,
            secrets: [alphaLiveAdmin, alphaTestAdmin, betaLive, betaTest, reader, writer].map(\.secret.value),
            alphaLiveKey: alphaLiveAdmin.secret.value)
    }

    var inspector: Inspector { Inspector(directory: data) }

    func path(_ workspace: WorkspaceID, _ environment: WorkspaceEnvironment) -> String {
        data.partitionPath(workspace, environment)
    }

    /// Runs a command as the executable would; returns the exit status and what it printed.
    func run(_ command: InspectCommand, json: Bool = true, inspector: Inspector? = nil) -> CommandOutput {
        let output = CommandOutput()
        let runner = InspectRunner(inspector: inspector ?? self.inspector, format: json ? .json : .table,
                                   standardOutput: { output.standardOutput.append($0) },
                                   standardError: { output.standardError.append($0) })
        output.status = runner.run(command)
        return output
    }

    /// Builds the documented search indexes for every partition on disk (see ``IndexWriter``), so
    /// that the data is consistent whether or not the store's write path maintains them yet.
    func buildIndexes() throws {
        for environment in WorkspaceEnvironment.allCases {
            try IndexWriter.ensureKeywordIndex(path: path(alpha, environment), workspace: alpha)
            try IndexWriter.ensureVectors(path: path(alpha, environment), workspace: alpha)
        }
    }
}

/// What one command printed, line by line, and its exit status.
final class CommandOutput {
    var standardOutput: [String] = []
    var standardError: [String] = []
    var status: ExitStatus = .ok

    /// The single JSON line of a report, decoded.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard standardOutput.count == 1, let line = standardOutput.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "expected one line, got \(standardOutput.count): \(standardError)"))
        }
        return try JSONDecoder().decode(T.self, from: Data(line.utf8))
    }
}
