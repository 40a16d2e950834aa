import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NeuroloomAPI
import NeuroloomHTTP
import NeuroloomInspect
@_spi(Operator) import NeuroloomStore
import NeuroloomTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Storage faults made for real — a full tmpfs as the data directory, a control environment whose
/// reader table is filled by another process, a key revoked while its request runs — and what the
/// API answers: clear errors, never a crash, a lie (a 401 for a good key) or a half-written record.
@Suite(.serialized) struct StorageFaultTests {
    static let isRoot = getuid() == 0

    // MARK: Disk full

    @Test(.enabled(if: isRoot, "mounting a tmpfs needs root (CI runs as root)"))
    func aFullDiskIsA507NothingIsHalfWrittenReadsGoOnAndWritesResumeOnceSpaceIsFreed() async throws {
        let mount = TemporaryDirectory("tmpfs")
        try run("/bin/mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", mount.path)
        defer { _ = try? run("/bin/umount", "-l", mount.path) }
        // Space the test frees later, as an operator would.
        let ballast = mount.path + "/ballast"
        FileManager.default.createFile(atPath: ballast, contents: Data(repeating: 0x61, count: 1_500_000))

        let fixture = try HTTPFixture { $0.dataDirectory = mount.path + "/data" }
        let key = fixture.liveAdmin
        try await fixture.run { client in
            var acknowledged: [(id: String, content: String)] = []
            var refusal: Reply?
            for index in 0..<400 {
                let content = "memory \(index) " + String(repeating: "word\(index % 7) ", count: 3_000)
                let reply = try await client.call(.post, "/v1/memories", key: key,
                                                  json: #"{"content":"\#(content)","metadata":{"n":\#(index)}}"#)
                if reply.status == .created, let id = reply["id"]?.stringValue {
                    acknowledged.append((id, content))
                } else {
                    refusal = reply
                    break
                }
            }
            let refused = try #require(refusal, "the 6 MiB tmpfs never filled up")
            #expect(refused.status.code == 507, "\(refused.status) \(refused.text)")
            #expect(refused.errorCode == "insufficient_storage")
            #expect(refused.errorMessage?.contains("disk") == true, "\(refused.errorMessage ?? "")")
            #expect(refused.headers[.retryAfter] == nil, "a full disk waits for an operator, not for a retry")
            #expect(acknowledged.count > 10)

            // Reads keep working, and every acknowledged write is there, exactly.
            for memory in [acknowledged[0], acknowledged[acknowledged.count / 2], acknowledged[acknowledged.count - 1]] {
                let read = try await client.call(.get, "/v1/memories/\(memory.id)", key: key)
                #expect(read.status == .ok)
                #expect(read["content"]?.stringValue == memory.content)
            }
            // Nothing of the refused write exists.
            let count = try await client.call(.get, "/v1/workspace", key: key)["memoryCount"]
            #expect(count == .integer(Int64(acknowledged.count)))

            // The operator frees space: writes succeed again.
            try FileManager.default.removeItem(atPath: ballast)
            let resumed = try await client.call(.post, "/v1/memories", key: key, json: #"{"content":"after the disk was freed"}"#)
            #expect(resumed.status == .created, "\(resumed.text)")
        }
        await fixture.services.shutdown()
        let report = try Inspector(directory: DataDirectory(root: mount.path + "/data")).verify()
        #expect(report.problems.isEmpty, "\(report.problems)")
    }

    // MARK: The key store cannot be read

    @Test func aKeyStoreWhoseReaderTableIsFullIsA503NeverA401AndSlotsOfKilledProcessesAreReclaimed() async throws {
        let directory = TemporaryDirectory("readers")
        // Bootstrap, then close: the server under test opens the data directory afresh.
        let key: String
        do {
            var configuration = ServerConfiguration()
            configuration.dataDirectory = directory.path
            let setup = try NeuroloomServices(configuration: configuration)
            key = try #require(try setup.control.bootstrapIfEmpty()).live.secret.value
            await setup.shutdown()
        }
        let controlPath = DataDirectory(root: directory.path).controlPath

        // Another process takes every free reader slot of the control environment and holds them.
        let holder = try ReaderSlotHolder(environment: controlPath, scratch: directory)
        #expect(holder.slots > 0)

        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory.path
        configuration.logLevel = .critical
        let services = try NeuroloomServices(configuration: configuration)
        let app = buildApplication(services: services)
        try await app.test(.router) { client in
            let refused = try await client.call(.get, "/v1/memories", key: key)
            #expect(refused.status == .serviceUnavailable, "\(refused.text)")
            #expect(refused.errorCode == "unavailable")
            #expect(refused.headers[.retryAfter] == "1")
            #expect(refused.headers[.wwwAuthenticate] == nil, "a good key is never told it is bad")

            // The holder is killed (as editors kill `neuroloom mcp`): the periodic sweep frees its slots.
            try holder.kill()
            #expect(services.storage.reclaimStaleReaders() >= holder.slots)
            #expect(try await client.call(.get, "/v1/memories", key: key).status == .ok)
        }

        await services.shutdown()
    }

    // MARK: Revocation in flight

    @Test func aReadWhoseKeyIsRevokedWhileItRunsGets401NotItsData() async throws {
        let fixture = try HTTPFixture()
        let reader = try fixture.key(.read)
        // A route that revokes its own caller's key mid-request, standing in for an admin revoking it
        // from another connection while a slow read runs.
        let revokeMidRequest: RouterExtension = { router, services in
            services.authenticated(router, path: "probe").get { _, context -> String in
                if let grant = context.grant { _ = try services.control.revokeKey(grant.keyID) }
                return "the data"
            }
        }
        let app = buildApplication(services: fixture.services, extensions: [revokeMidRequest])
        try await app.test(.router) { client in
            let reply = try await client.call(.get, "/probe", key: reader)
            #expect(reply.status == .unauthorized)
            #expect(!reply.text.contains("the data"))
            #expect(try await client.call(.get, "/v1/memories", key: reader).status == .unauthorized)
        }
    }

    // MARK: Helpers

    @discardableResult
    func run(_ executable: String, _ arguments: String...) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CommandFailed(command: ([executable] + arguments).joined(separator: " ")) }
        return process.terminationStatus
    }

    struct CommandFailed: Error { let command: String }
}
