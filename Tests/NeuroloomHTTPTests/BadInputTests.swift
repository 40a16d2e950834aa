import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NeuroloomAPI
import NeuroloomHTTP
import NeuroloomStore
import NIOCore
import Testing

@Suite struct BadInputTests {
    struct Case: Sendable {
        let name: String
        let method: HTTPRequest.Method
        let path: String // "{id}" is replaced by an existing memory's id
        let body: [UInt8]?
        let contentType: String?
        let status: HTTPResponse.Status
        let code: String
        let mentions: String?

        init(_ name: String, _ method: HTTPRequest.Method, _ path: String, _ body: String?, contentType: String? = "application/json",
             _ status: HTTPResponse.Status, _ code: String, mentions: String? = nil) {
            self.init(name, method, path, bytes: body.map { Array($0.utf8) }, contentType: contentType, status, code, mentions: mentions)
        }

        init(_ name: String, _ method: HTTPRequest.Method, _ path: String, bytes: [UInt8]?, contentType: String? = "application/json",
             _ status: HTTPResponse.Status, _ code: String, mentions: String? = nil) {
            self.name = name
            self.method = method
            self.path = path
            self.body = bytes
            self.contentType = contentType
            self.status = status
            self.code = code
            self.mentions = mentions
        }
    }

    static let oversized = #"{"content":""# + String(repeating: "a", count: 1 << 20) + #""}"#
    static let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)

    static let cases: [Case] = [
        Case("over 1 MiB", .post, "/v1/memories", oversized, .contentTooLarge, "payload_too_large"),
        Case("batch over 1 MiB", .post, "/v1/memories/batch", oversized, .contentTooLarge, "payload_too_large"),
        Case("text/plain", .post, "/v1/memories", #"{"content":"x"}"#, contentType: "text/plain", .unsupportedMediaType, "unsupported_media_type"),
        Case("no content type", .post, "/v1/memories", #"{"content":"x"}"#, contentType: nil, .unsupportedMediaType, "unsupported_media_type"),
        Case("form on patch", .patch, "/v1/memories/{id}", "content=x", contentType: "application/x-www-form-urlencoded", .unsupportedMediaType, "unsupported_media_type"),
        Case("malformed JSON", .post, "/v1/memories", #"{"content":"x""#, .badRequest, "invalid_request"),
        Case("trailing garbage", .post, "/v1/memories", #"{"content":"x"} x"#, .badRequest, "invalid_request"),
        Case("empty body", .post, "/v1/memories", "", .badRequest, "invalid_request"),
        Case("not an object", .post, "/v1/memories", #"["content"]"#, .badRequest, "invalid_request", mentions: "body"),
        Case("deeply nested", .post, "/v1/memories", deep, .badRequest, "invalid_request"),
        Case("duplicate key", .post, "/v1/memories", #"{"content":"x","content":"y"}"#, .badRequest, "invalid_request"),
        Case("content wrong type", .post, "/v1/memories", #"{"content":5}"#, .badRequest, "invalid_request", mentions: "content"),
        Case("content missing", .post, "/v1/memories", #"{"metadata":{}}"#, .badRequest, "invalid_request", mentions: "content"),
        Case("empty content", .post, "/v1/memories", #"{"content":""}"#, .badRequest, "invalid_request", mentions: "content"),
        Case("unknown field", .post, "/v1/memories", #"{"content":"x","tags":["a"]}"#, .badRequest, "invalid_request", mentions: "tags"),
        Case("invalid UTF-8", .post, "/v1/memories", bytes: Array(#"{"content":"a"#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8), .badRequest, "invalid_request"),
        Case("lone surrogate", .post, "/v1/memories", #"{"content":"\ud800"}"#, .badRequest, "invalid_request"),
        Case("metadata array", .post, "/v1/memories", #"{"content":"x","metadata":[1,2]}"#, .badRequest, "invalid_request", mentions: "metadata"),
        Case("metadata string", .post, "/v1/memories", #"{"content":"x","metadata":"a"}"#, .badRequest, "invalid_request", mentions: "metadata"),
        Case("content too long", .post, "/v1/memories", #"{"content":""# + String(repeating: "b", count: 32 * 1024 + 1) + #""}"#, .badRequest, "invalid_request", mentions: "content"),
        Case("batch empty", .post, "/v1/memories/batch", #"{"memories":[]}"#, .badRequest, "invalid_request", mentions: "memories"),
        Case("batch of 101", .post, "/v1/memories/batch", #"{"memories":["# + Array(repeating: #"{"content":"x"}"#, count: 101).joined(separator: ",") + "]}", .badRequest, "invalid_request", mentions: "memories"),
        Case("batch one bad", .post, "/v1/memories/batch", #"{"memories":[{"content":"ok"},{"content":""}]}"#, .badRequest, "invalid_request", mentions: "memories[1].content"),
        Case("batch unknown field", .post, "/v1/memories/batch", #"{"memories":[{"content":"ok","x":1}]}"#, .badRequest, "invalid_request", mentions: "memories[0].x"),
        Case("patch nothing", .patch, "/v1/memories/{id}", "{}", .badRequest, "invalid_request"),
        Case("patch empty content", .patch, "/v1/memories/{id}", #"{"content":" "}"#, .badRequest, "invalid_request", mentions: "content"),
        Case("patch metadata number", .patch, "/v1/memories/{id}", #"{"metadata":3}"#, .badRequest, "invalid_request", mentions: "metadata"),
        Case("topK 0", .post, "/v1/memories/search", #"{"query":"x","topK":0}"#, .badRequest, "invalid_request", mentions: "topK"),
        Case("topK 101", .post, "/v1/memories/search", #"{"query":"x","topK":101}"#, .badRequest, "invalid_request", mentions: "topK"),
        Case("topK fractional", .post, "/v1/memories/search", #"{"query":"x","topK":2.5}"#, .badRequest, "invalid_request", mentions: "topK"),
        Case("empty query", .post, "/v1/memories/search", #"{"query":""}"#, .badRequest, "invalid_request", mentions: "query"),
        Case("bad mode", .post, "/v1/memories/search", #"{"query":"x","mode":"fuzzy"}"#, .badRequest, "invalid_request", mentions: "mode"),
        Case("bad filter operator", .post, "/v1/memories/search", #"{"query":"x","filters":{"a":{"$regex":"."}}}"#, .badRequest, "invalid_request", mentions: "filters.a.$regex"),
        Case("filters not object", .post, "/v1/memories/search", #"{"query":"x","filters":[1]}"#, .badRequest, "invalid_request", mentions: "filters"),
        Case("minScore 2", .post, "/v1/memories/search", #"{"query":"x","minScore":2}"#, .badRequest, "invalid_request", mentions: "minScore"),
        Case("limit 0", .get, "/v1/memories?limit=0", nil, .badRequest, "invalid_request", mentions: "limit"),
        Case("limit text", .get, "/v1/memories?limit=ten", nil, .badRequest, "invalid_request", mentions: "limit"),
        Case("forged cursor", .get, "/v1/memories?cursor=AAAA", nil, .badRequest, "invalid_request", mentions: "cursor"),
        Case("unknown route", .get, "/v1/nothing-here", nil, .notFound, "not_found"),
    ]

    @Test(arguments: cases.indices)
    func badInputGetsAClearErrorAndChangesNothing(_ index: Int) async throws {
        let bad = Self.cases[index]
        let fixture = try HTTPFixture()
        let key = fixture.liveAdmin
        try await fixture.run { client in
            let existing = try await client.call(.post, "/v1/memories", key: key, json: #"{"content":"untouched","metadata":{"v":1}}"#)
            let id = try #require(existing["id"]?.stringValue)
            var headers: HTTPFields = [:]
            if let contentType = bad.contentType { headers[.contentType] = contentType }
            let reply = try await client.call(bad.method, bad.path.replacingOccurrences(of: "{id}", with: id), key: key,
                                              body: bad.body.map { ByteBuffer(bytes: $0) }, headers: headers)
            #expect(reply.status == bad.status, "\(bad.name): \(reply.text.prefix(300))")
            #expect(reply.errorCode == bad.code, "\(bad.name)")
            let message = reply.json.objectValue?["error"]?.objectValue?["message"]?.stringValue ?? ""
            if let mentions = bad.mentions { #expect(message.contains(mentions), "\(bad.name): \(message)") }
            #expect(reply.json.objectValue?["error"]?.objectValue?["requestId"]?.stringValue == reply.headers[HTTPField.Name("X-Request-Id")!])
            // Nothing changed.
            let after = try await client.call(.get, "/v1/workspace", key: key)
            #expect(after["memoryCount"] == 1, "\(bad.name)")
            #expect(try await client.call(.get, "/v1/memories/\(id)", key: key).json == existing.json, "\(bad.name)")
        }
    }

    @Test func oversizedBodiesAreRefusedOverARealSocket() async throws {
        let fixture = try HTTPFixture()
        let key = fixture.liveAdmin
        try await fixture.run(.live) { client in
            let big = ByteBuffer(string: #"{"content":""# + String(repeating: "a", count: (1 << 20) + 10) + #""}"#)
            let reply = try await client.call(.post, "/v1/memories", key: key, body: big, headers: [.contentType: "application/json"])
            #expect(reply.status == .contentTooLarge)
            #expect(reply.errorCode == "payload_too_large")
            // The connection stays usable.
            #expect(try await client.call(.get, "/v1/memories", key: key).status == .ok)
        }
    }
}

@Suite struct StorageLimitTests {
    @Test func aPartitionAtItsMaximumMapSizeAnswers507AndKeepsData() async throws {
        let fixture = try HTTPFixture {
            $0.storage.initialMapSize = 1 << 20
            $0.storage.maximumMapSize = 1 << 20
        }
        let key = fixture.liveAdmin
        let item = #"{"content":""# + String(repeating: "z", count: 30_000) + #""}"#
        let batch = #"{"memories":["# + Array(repeating: item, count: 30).joined(separator: ",") + "]}"
        try await fixture.run { client in
            let kept = try await client.call(.post, "/v1/memories", key: key, json: #"{"content":"kept"}"#)
            var before: JSONValue?
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<3 {
                before = try await client.call(.get, "/v1/workspace", key: key)["memoryCount"]
                let reply = try await client.call(.post, "/v1/memories/batch", key: key, json: batch)
                statuses.append(reply.status)
                if reply.status.code == 507 {
                    #expect(reply.errorCode == "insufficient_storage")
                    // Not transient: no Retry-After, and the message names the operator's fix.
                    #expect(reply.headers[.retryAfter] == nil)
                    #expect(reply.errorMessage?.contains("--max-map-size") == true, "\(reply.errorMessage ?? "")")
                    break
                }
            }
            #expect(statuses.last?.code == 507, "statuses: \(statuses)")
            // Nothing of the refused batch was written; reads keep working.
            #expect(try await client.call(.get, "/v1/workspace", key: key)["memoryCount"] == before)
            #expect(try await client.call(.get, "/v1/memories/\(kept["id"]?.stringValue ?? "")", key: key)["content"] == "kept")
        }
    }
}
