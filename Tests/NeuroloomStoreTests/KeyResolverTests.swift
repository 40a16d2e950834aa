import Foundation
import Testing
@_spi(Operator) @testable import NeuroloomStore

@Suite struct KeyResolverTests {
    @Test func keysHaveTheDocumentedShape() throws {
        let live = APIKeySecret.generate(environment: .live)
        let test = APIKeySecret.generate(environment: .test)
        #expect(live.value.hasPrefix("nlk_live_"))
        #expect(test.value.hasPrefix("nlk_test_"))
        #expect(live.value.count == 9 + 32 + 6)
        #expect(APIKeySecret(parsing: live.value) == live)
        #expect(live.preview.hasPrefix(String(live.value.prefix(13))) && live.preview.hasSuffix(String(live.value.suffix(4))))
        #expect("\(live)" == live.preview, "interpolation never shows the secret")
    }

    @Test func everyFailureModeIsRejectedTheSameWay() throws {
        let fixture = try StoreFixture()
        let (workspace, _, _) = try fixture.workspace()
        let revoked = try fixture.grant(workspace, .live, .write).key
        try fixture.control.revokeKey(revoked.record.id)
        let expiring = try fixture.control.createKey(workspace: workspace, environment: .live, scope: .read, name: "short",
                                                     expiresAt: fixture.clock.clock.now().adding(milliseconds: 1000))
        #expect(try fixture.resolver.resolve(expiring.secret.value).scope == .read)
        fixture.clock.advance(milliseconds: 1000)

        let valid = try fixture.grant(workspace, .live, .read).key.secret.value
        var badChecksum = Array(valid)
        badChecksum[badChecksum.count - 1] = badChecksum.last == "A" ? "B" : "A"
        var wrongEnvironment = valid
        wrongEnvironment.replaceSubrange(wrongEnvironment.range(of: "nlk_live_")!, with: "nlk_test_")
        let unknown = APIKeySecret.generate(environment: .live).value

        let presented: [String: String] = [
            "empty": "",
            "malformed": "hello",
            "truncated": String(valid.dropLast()),
            "bad checksum": String(badChecksum),
            "wrong environment prefix": wrongEnvironment,
            "unknown": unknown,
            "revoked": revoked.secret.value,
            "expired": expiring.secret.value,
        ]
        for (cause, key) in presented {
            #expect(throws: AuthenticationFailure(), "\(cause)") { try fixture.resolver.resolve(key) }
        }
        #expect(try fixture.resolver.resolve(valid).scope == .read)
    }

    @Test func onlyTheDigestReachesTheDisk() throws {
        let fixture = try StoreFixture()
        let (workspace, live, _) = try fixture.control.createWorkspace(name: "secrets")
        let extra = try fixture.control.createKey(workspace: workspace.id, environment: .test, scope: .write, name: "extra")
        fixture.resolver.flushLastUse()
        let files = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path + "/control")
        var scanned = 0
        for file in files {
            let contents = try Data(contentsOf: URL(fileURLWithPath: fixture.directory.path + "/control/" + file))
            for secret in [live.secret, extra.secret] {
                #expect(contents.range(of: Data(secret.value.utf8)) == nil, "secret in \(file)")
                // The random part alone must not be there either.
                #expect(contents.range(of: Data(secret.value.utf8.dropFirst(9))) == nil, "secret body in \(file)")
            }
            if file == "data.mdb" {
                #expect(contents.range(of: Data(live.secret.digest)) != nil, "the digest is what is stored")
            }
            scanned += 1
        }
        #expect(scanned >= 2)
    }

    @Test func lastUsedIsRecordedAtMostOncePerResolutionWindow() throws {
        let fixture = try StoreFixture()
        let (workspace, _, _) = try fixture.workspace()
        let key = try fixture.grant(workspace, .live, .read).key
        fixture.resolver.flushLastUse()
        let first = try #require(try fixture.control.key(key.record.id)?.lastUsedAt)
        fixture.clock.advance(milliseconds: 10_000)
        _ = try fixture.resolver.resolve(key.secret.value)
        fixture.resolver.flushLastUse()
        #expect(try fixture.control.key(key.record.id)?.lastUsedAt == first, "not rewritten within a minute")
        fixture.clock.advance(milliseconds: 60_000)
        _ = try fixture.resolver.resolve(key.secret.value)
        fixture.resolver.flushLastUse()
        #expect(try fixture.control.key(key.record.id)?.lastUsedAt == first.adding(milliseconds: 70_000))
    }

    @Test func lastAdminKeyOfAPartitionCannotBeRevokedThroughAGrant() throws {
        let fixture = try StoreFixture()
        let (workspace, liveKey, _) = try fixture.control.createWorkspace(name: "admins")
        let live = try fixture.resolver.resolve(liveKey.secret.value)
        #expect(throws: StoreError.conflict("cannot revoke the last active admin key of this workspace environment")) {
            try fixture.control.revokeKey(liveKey.record.id, for: live)
        }
        let second = try fixture.grant(workspace.id, .live, .admin)
        try fixture.control.revokeKey(liveKey.record.id, for: second.grant)
        #expect(throws: AuthenticationFailure()) { try fixture.resolver.resolve(liveKey.secret.value) }
        // Another partition's key id looks exactly like an unknown id.
        let testKey = try #require(try fixture.control.keys(workspace: workspace.id, environment: .test).first)
        #expect(throws: StoreError.notFound) { try fixture.control.revokeKey(testKey.id, for: second.grant) }
        #expect(throws: StoreError.notFound) { try fixture.control.revokeKey(KeyID.generate(), for: second.grant) }
        // A read grant cannot manage keys.
        let reader = try fixture.grant(workspace.id, .live, .read).grant
        #expect(throws: StoreError.forbidden(required: .admin)) { try fixture.control.activeKeys(for: reader) }
    }
}
