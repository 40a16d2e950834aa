import HTTPTypes
import NeuroloomAPI
import Testing

/// Times and numbers in requests that used to trap the process (issue 13): each is now either
/// accepted or refused with a 400 naming the field, and the server keeps answering.
@Suite struct TimestampInputTests {
    @Test func aFilterTimeWithMicrosecondsIsAcceptedAndABrokenOneNamesTheField() async throws {
        let fixture = try HTTPFixture()
        let key = fixture.liveAdmin
        try await fixture.run { client in
            _ = try await client.call(.post, "/v1/memories", key: key, json: #"{"content":"a memory about timestamps"}"#)
            let found = try await client.call(.post, "/v1/memories/search", key: key,
                                              json: #"{"query":"timestamps","filters":{"createdAt":{"$gte":"2026-01-01T00:00:00.123456Z"}}}"#)
            #expect(found.status == .ok, "\(found.text)")
            for bad in ["2026-01-01T00:00:00.Z", "2026-02-30", "2026-01-01T00:00:60Z", "2026-01-01T00:00:00+24:00", "２０２６-01-01"] {
                let refused = try await client.call(.post, "/v1/memories/search", key: key,
                                                    json: #"{"query":"x","filters":{"createdAt":{"$gte":"\#(bad)"}}}"#)
                #expect(refused.status == .badRequest, "\(bad): \(refused.text)")
                #expect(refused.errorMessage?.contains("filters.createdAt.$gte") == true, "\(bad): \(refused.text)")
            }
            let hugeTopK = try await client.call(.post, "/v1/memories/search", key: key, json: #"{"query":"x","topK":1e300}"#)
            #expect(hugeTopK.status == .badRequest)
            #expect(hugeTopK.errorMessage?.contains("topK") == true, "\(hugeTopK.text)")
            #expect(try await client.call(.get, "/v1/memories", key: key).status == .ok, "still serving")
        }
    }

    @Test func keyExpiryAcceptsRFC3339AsWrittenAndNamesTheFieldOtherwise() async throws {
        let fixture = try HTTPFixture()
        let key = fixture.liveAdmin
        try await fixture.run { client in
            let created = try await client.call(.post, "/v1/keys", key: key,
                                                json: #"{"name":"n","scope":"read","expiresAt":"2099-01-01t00:00:00.123456789+02:00"}"#)
            #expect(created.status == .created, "\(created.text)")
            #expect(created["expiresAt"]?.stringValue == "2098-12-31T22:00:00.123Z")
            for bad in ["2099-01-01T00:00:00.123456Zjunk", "2099-13-01", "tomorrow", "2099-01-01T00:00:00.", ""] {
                let refused = try await client.call(.post, "/v1/keys", key: key, json: #"{"name":"n","scope":"read","expiresAt":"\#(bad)"}"#)
                #expect(refused.status == .badRequest, "\(bad.debugDescription): \(refused.text)")
                #expect(refused.errorMessage?.contains("expiresAt") == true, "\(bad.debugDescription): \(refused.text)")
            }
        }
    }
}
