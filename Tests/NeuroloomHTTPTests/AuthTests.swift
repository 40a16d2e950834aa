import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NeuroloomAPI
import NeuroloomHTTP
@_spi(Operator) import NeuroloomStore
import Testing

@Suite struct AuthTests {
    @Test func everyAuthenticationFailureLooksTheSame() async throws {
        let fixture = try HTTPFixture()
        let control = fixture.services.control
        let revoked = try control.createKey(workspace: fixture.workspace.id, environment: .live, scope: .read, name: "revoked")
        try control.revokeKey(revoked.record.id)
        let expiring = try control.createKey(workspace: fixture.workspace.id, environment: .live, scope: .read, name: "expiring",
                                             expiresAt: fixture.clock.clock.now().adding(milliseconds: 60_000))
        fixture.clock.advance(milliseconds: 60_000)
        let valid = try fixture.key(.read)
        var badChecksum = Array(valid)
        badChecksum[badChecksum.count - 1] = badChecksum.last == "x" ? "y" : "x"

        let causes: [(String, HTTPFields)] = [
            ("missing", [:]),
            ("wrong scheme", [.authorization: "Basic \(valid)"]),
            ("empty bearer", [.authorization: "Bearer "]),
            ("malformed", [.authorization: "Bearer not-a-key"]),
            ("bad checksum", [.authorization: "Bearer \(String(badChecksum))"]),
            ("unknown", [.authorization: "Bearer \(APIKeySecret.generate(environment: .live).value)"]),
            ("revoked", [.authorization: "Bearer \(revoked.secret.value)"]),
            ("expired", [.authorization: "Bearer \(expiring.secret.value)"]),
            ("no space after the scheme", [.authorization: "Bearer\(valid)"]),
            ("another scheme starting alike", [.authorization: "Bearers \(valid)"]),
            ("two authorization headers", HTTPFields([HTTPField(name: .authorization, value: "Bearer \(valid)"),
                                                      HTTPField(name: .authorization, value: "Bearer \(valid)")])),
        ]
        let replies = try await fixture.run { client in
            var replies: [(String, Reply)] = []
            for (cause, headers) in causes {
                replies.append((cause, try await client.call(.get, "/v1/memories", headers: headers)))
            }
            // The scheme word is case-insensitive, and more than one space may follow it.
            for accepted in ["bearer \(valid)", "BEARER \(valid)", "bEaReR   \(valid)"] {
                replies.append(("accepted: \(accepted.prefix(9))", try await client.call(.get, "/v1/memories", headers: [.authorization: accepted])))
            }
            return replies
        }
        var bodies = Set<String>()
        for (cause, reply) in replies.dropLast(3) {
            #expect(reply.status == .unauthorized, "\(cause)")
            #expect(reply.headers[.wwwAuthenticate] == #"Bearer realm="neuroloom""#, "\(cause)")
            #expect(reply.errorCode == "unauthorized", "\(cause)")
            #expect(reply.headers[HTTPField.Name("X-RateLimit-Limit")!] == nil, "no rate-limit headers before authentication")
            let requestID = try #require(reply.headers[HTTPField.Name("X-Request-Id")!])
            bodies.insert(reply.text.replacingOccurrences(of: requestID, with: "<id>"))
        }
        #expect(bodies.count == 1, "identical bodies for every cause: \(bodies)")
        for (cause, reply) in replies.suffix(3) {
            #expect(reply.status == .ok, "\(cause)")
        }
    }

    @Test func revocationTakesEffectOnTheVeryNextRequest() async throws {
        let fixture = try HTTPFixture()
        let created = try await fixture.run { client in
            try await client.call(.post, "/v1/keys", key: fixture.liveAdmin, json: #"{"name":"temp","scope":"write"}"#)
        }
        #expect(created.status == .created)
        let secret = try #require(created["key"]?.stringValue)
        let id = try #require(created["id"]?.stringValue)
        #expect(created["environment"] == "live")
        #expect(created["preview"]?.stringValue?.hasPrefix(String(secret.prefix(13))) == true)
        try await fixture.run { client in
            #expect(try await client.call(.get, "/v1/memories", key: secret).status == .ok)
            let list = try await client.call(.get, "/v1/keys", key: fixture.liveAdmin)
            #expect(!list.text.contains(secret), "listing never shows a secret")
            #expect(try await client.call(.delete, "/v1/keys/\(id)", key: fixture.liveAdmin).status == .noContent)
            #expect(try await client.call(.get, "/v1/memories", key: secret).status == .unauthorized)
            #expect(try await client.call(.post, "/v1/memories", key: secret, json: #"{"content":"x"}"#).status == .unauthorized)
            #expect(try await client.call(.delete, "/v1/keys/\(id)", key: fixture.liveAdmin).status == .notFound, "already revoked")
        }
    }

    @Test func keyManagementStaysInsideTheCallersPartition() async throws {
        let fixture = try HTTPFixture()
        try await fixture.run { client in
            // A test admin key mints test keys only.
            let minted = try await client.call(.post, "/v1/keys", key: fixture.testAdmin, json: #"{"name":"sandbox","scope":"read"}"#)
            #expect(minted["environment"] == "test")
            #expect(minted["key"]?.stringValue?.hasPrefix("nlk_test_") == true)
            let live = try await client.call(.get, "/v1/keys", key: fixture.liveAdmin)
            #expect(!live.text.contains("sandbox"))
            // The partition's last admin key cannot be revoked.
            let keys = try await client.call(.get, "/v1/keys", key: fixture.liveAdmin)
            guard case .array(let items)? = keys["keys"] else { Issue.record("no keys array"); return }
            let adminID = try #require(items.first { $0.objectValue?["scope"] == "admin" }?.objectValue?["id"]?.stringValue)
            let conflict = try await client.call(.delete, "/v1/keys/\(adminID)", key: fixture.liveAdmin)
            #expect(conflict.status == .conflict)
            #expect(conflict.errorCode == "conflict")
            // Another partition's key id is not found.
            let testKeyID = try #require(minted["id"]?.stringValue)
            #expect(try await client.call(.delete, "/v1/keys/\(testKeyID)", key: fixture.liveAdmin).status == .notFound)
            // Invalid key requests.
            #expect(try await client.call(.post, "/v1/keys", key: fixture.liveAdmin, json: #"{"name":"x","scope":"root"}"#).status == .badRequest)
            #expect(try await client.call(.post, "/v1/keys", key: fixture.liveAdmin, json: #"{"name":"x","scope":"read","expiresAt":"tomorrow"}"#).status == .badRequest)
            #expect(try await client.call(.post, "/v1/keys", key: fixture.liveAdmin, json: #"{"name":"x","scope":"read","expiresAt":"2001-01-01T00:00:00Z"}"#).status == .badRequest)
        }
    }

    @Test func rateLimitRefusesTheBurstAndItsRetryAfterIsHonest() async throws {
        // One token per 3 s: the four requests stay inside one refill even on a loaded machine.
        let fixture = try HTTPFixture {
            $0.rateLimit = 1.0 / 3
            $0.rateBurst = 3
        }
        let key = try fixture.key(.read)
        let (allowed, refused) = try await fixture.run { client in
            var allowed: [Reply] = []
            for _ in 0..<3 { allowed.append(try await client.call(.get, "/v1/memories", key: key)) }
            let refused = try await client.call(.get, "/v1/memories", key: key)
            return (allowed, refused)
        }
        #expect(allowed.map(\.status) == [.ok, .ok, .ok])
        #expect(allowed.compactMap { $0.headers[HTTPField.Name("X-RateLimit-Remaining")!] } == ["2", "1", "0"])
        #expect(allowed.allSatisfy { $0.headers[HTTPField.Name("X-RateLimit-Limit")!] == "3" })
        #expect(refused.status == .tooManyRequests)
        #expect(refused.errorCode == "rate_limited")
        let retryAfter = try #require(refused.headers[.retryAfter].flatMap { Int($0) })
        #expect(retryAfter >= 1)
        #expect(refused.headers[HTTPField.Name("X-RateLimit-Reset")!] != nil)
        // Another key has its own budget.
        let other = try fixture.key(.read)
        #expect(try await fixture.run { try await $0.call(.get, "/v1/memories", key: other) }.status == .ok)
        try await Task.sleep(for: .seconds(retryAfter))
        #expect(try await fixture.run { try await $0.call(.get, "/v1/memories", key: key) }.status == .ok, "a retry after Retry-After succeeds")
    }

    @Test func scopeIsCheckedAfterAuthenticationAndRateLimit() async throws {
        let fixture = try HTTPFixture {
            $0.rateLimit = 0.01
            $0.rateBurst = 1
        }
        let reader = try fixture.key(.read)
        try await fixture.run { client in
            let first = try await client.call(.post, "/v1/memories", key: reader, json: #"{"content":"x"}"#)
            #expect(first.status == .forbidden)
            #expect(first.errorCode == "forbidden")
            let second = try await client.call(.post, "/v1/memories", key: reader, json: #"{"content":"x"}"#)
            #expect(second.status == .tooManyRequests, "429 comes before 403")
            #expect(try await client.call(.post, "/v1/memories", key: "nlk_live_bogus", json: #"{"content":"x"}"#).status == .unauthorized)
        }
    }
}
