import Foundation
import NeuroloomInspect
@_spi(Operator) import NeuroloomStore
import NeuroloomTestSupport
import Testing

@Suite struct BackupAndSafetyTests {
    @Test func backupIsACompactCopyTheServerOpensAsIs() async throws {
        let fixture = try await InspectFixture.make()
        let live = InspectCommand.memories(workspace: fixture.alpha.description, environment: .live, limit: nil, after: nil)
        let source = fixture.run(live).standardOutput
        let out = fixture.directory.sub("backups/alpha-live")
        let output = fixture.run(.backup(workspace: fixture.alpha.description, environment: .live, destination: out))
        #expect(output.status == .ok)
        let report = try output.decode(BackupReport.self)
        #expect(report.destination == out && report.bytes > 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["data.mdb"], "an environment directory with nothing else in it")

        // Restore: the copy replaces the partition, and the store opens it as it is.
        let partition = fixture.path(fixture.alpha, .live)
        try FileManager.default.moveItem(atPath: partition, toPath: fixture.directory.sub("replaced"))
        try FileManager.default.moveItem(atPath: out, toPath: partition)
        #expect(fixture.run(live).standardOutput == source, "the copy's memories dump equals the source's")
        let control = try ControlStore(directory: fixture.data)
        let resolver = KeyResolver(control: control)
        let storage = WorkspaceStorage(directory: fixture.data, resolver: resolver)
        let page = try await storage.listMemories(limit: 100, grant: try resolver.resolve(fixture.alphaLiveKey))
        #expect(page.memories.reversed() == fixture.alphaLive)
        await storage.closeAll()
        resolver.flushLastUse()
        control.close()

        // A destination that is not an empty directory is refused.
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: out + "/keep", contents: Data("x".utf8)))
        let refused = fixture.run(.backup(workspace: fixture.alpha.description, environment: .live, destination: out))
        #expect(refused.status == .failure)
        #expect(refused.standardError.first?.contains("not an empty directory") == true)
    }

    @Test func noCommandChangesADataFile() async throws {
        let fixture = try await InspectFixture.make()
        try fixture.buildIndexes()
        let outside = TemporaryDirectory("inspect-backup")
        let before = try DataFiles(root: fixture.data.root)
        let alpha = fixture.alpha.description
        let memory = fixture.alphaLive[0].id.description
        let commands: [InspectCommand] = [
            .workspaces,
            .stats(workspace: alpha, environment: .live),
            .stats(workspace: alpha, environment: .test),
            .memories(workspace: alpha, environment: .live, limit: nil, after: nil),
            .memory(workspace: alpha, environment: .live, memory: memory),
            .keys(workspace: nil),
            .keys(workspace: alpha),
            .verify(workspace: nil),
            .verify(workspace: alpha),
            .backup(workspace: alpha, environment: .test, destination: outside.sub("backup")),
            .memory(workspace: alpha, environment: .live, memory: MemoryID.generate().description),
            .stats(workspace: fixture.beta.description, environment: .live),
        ]
        for command in commands {
            for json in [true, false] {
                _ = fixture.run(command, json: json)
                let after = try DataFiles(root: fixture.data.root)
                #expect(after.dataFiles == before.dataFiles, "\(command) changed a data.mdb")
                #expect(after.otherFiles == before.otherFiles, "\(command) created or removed a file")
            }
        }
    }
}

/// Every file under a data root: the bytes of each `data.mdb`, and the paths of everything else
/// except LMDB's lock files (which readers may touch).
struct DataFiles: Equatable {
    var dataFiles: [String: Data] = [:]
    var otherFiles: Set<String> = []

    init(root: String) throws {
        let files = FileManager.default
        guard let walker = files.enumerator(atPath: root) else { return }
        while let relative = walker.nextObject() as? String {
            let path = root + "/" + relative
            if relative.hasSuffix("data.mdb") {
                dataFiles[relative] = try Data(contentsOf: URL(fileURLWithPath: path))
            } else if !relative.hasSuffix("lock.mdb") {
                otherFiles.insert(relative)
            }
        }
    }
}
