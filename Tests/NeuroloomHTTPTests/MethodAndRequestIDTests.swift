import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NeuroloomAPI
import NeuroloomHTTP
import NIOCore
import Testing

/// The contract `tools/fuzz-api` checks from outside, pinned from inside: a path that exists answers
/// a method it does not serve with 405 and an `Allow` header naming exactly its methods (the ones
/// the OpenAPI document lists), before authentication; `X-Request-Id` never causes an error and is
/// kept only when plain.
@Suite struct MethodAndRequestIDTests {
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let allow = HTTPField.Name("Allow")!

    /// Methods no route serves; `PROPFIND` stands for any token the HTTP parser knows.
    static let unserved: [HTTPRequest.Method] = [.trace, .put, .options, .head, HTTPRequest.Method("PROPFIND")!]

    /// Every path the OpenAPI document describes with its methods (upper-case, sorted), the
    /// parameters filled in. Path items by `$ref` (`/mcp`, mounted by the MCP module) are left out.
    static func documentedPaths() throws -> [(path: String, methods: [String])] {
        let document = try JSONParser.parse(OpenAPIDocument.bytes)
        let paths = try #require(document.objectValue?["paths"]?.objectValue)
        return paths.compactMap { path, item in
            guard let operations = item.objectValue, operations["$ref"] == nil else { return nil }
            let methods = operations.keys.filter { ["get", "put", "post", "delete", "options", "head", "patch", "trace"].contains($0) }
            return (path.replacingOccurrences(of: "{id}", with: "x"), methods.map { $0.uppercased() }.sorted())
        }.sorted { $0.path < $1.path }
    }

    @Test func anUnservedMethodOnADocumentedPathIs405WithTheDocumentedMethodsInAllow() async throws {
        let fixture = try HTTPFixture()
        let paths = try Self.documentedPaths()
        #expect(paths.count == 10)
        try await fixture.run { client in
            for (path, methods) in paths {
                for method in Self.unserved where !methods.contains(method.rawValue) {
                    // No key: the method is refused before authentication.
                    let reply = try await client.call(method, path)
                    #expect(reply.status == .methodNotAllowed, "\(method) \(path)")
                    #expect(reply.headers[Self.allow] == methods.joined(separator: ", "), "\(method) \(path)")
                    #expect(reply.headers[Self.requestID]?.hasPrefix("req_") == true, "\(method) \(path)")
                    if method != .head {
                        #expect(reply.errorCode == "method_not_allowed", "\(method) \(path)")
                        let message = reply.json.objectValue?["error"]?.objectValue?["message"]?.stringValue
                        #expect(message?.contains(method.rawValue) == true, "\(method) \(path)")
                    }
                    #expect(reply.headers[HTTPField.Name("X-RateLimit-Limit")!] == nil, "\(method) \(path): not rate-limited")
                }
            }
        }
    }

    @Test func aLiteralSegmentWinsOverAParameterAsInTheRouter() async throws {
        let fixture = try HTTPFixture()
        try await fixture.run { client in
            for path in ["/v1/memories/search", "/v1/memories/batch"] {
                for method in [HTTPRequest.Method.get, .patch, .delete] {
                    let reply = try await client.call(method, path, key: fixture.liveAdmin)
                    #expect(reply.status == .methodNotAllowed, "\(method) \(path)")
                    #expect(reply.headers[Self.allow] == "POST", "\(method) \(path)")
                }
            }
            // A path with a parameter in it: `Allow` is that route's.
            let reply = try await client.call(.put, "/v1/memories/mem_01jdx3k9q8r7s6t5v4w3x2y1z0")
            #expect(reply.headers[Self.allow] == "DELETE, GET, PATCH")
        }
    }

    @Test func aPathNoRouteHasIs404AndNotA405() async throws {
        let fixture = try HTTPFixture()
        try await fixture.run { client in
            for (method, path) in [(HTTPRequest.Method.get, "/v1/nothing"), (.trace, "/v1/nothing"), (.put, "/v1/memories/a/b"),
                                   (.get, "/v1"), (.delete, "/nope")] {
                let reply = try await client.call(method, path)
                #expect(reply.status == .notFound, "\(method) \(path)")
                #expect(reply.headers[Self.allow] == nil, "\(method) \(path)")
                if method != .head { #expect(reply.errorCode == "not_found", "\(method) \(path)") }
            }
            // Served methods still reach their route (and its checks): 401 without a key, not 405.
            #expect(try await client.call(.get, "/v1/memories").status == .unauthorized)
        }
    }

    @Test func aPlainRequestIDIsKeptEverywhere() async throws {
        let fixture = try HTTPFixture()
        let plain = ["a", "trace-7f3a.2", "A_b-C.d", String(repeating: "z", count: 64), "550e8400-e29b-41d4-a716-446655440000"]
        try await fixture.run { client in
            for id in plain {
                let headers: HTTPFields = [Self.requestID: id]
                let ok = try await client.call(.get, "/v1/workspace", key: fixture.liveAdmin, headers: headers)
                #expect(ok.status == .ok)
                #expect(ok.headers[Self.requestID] == id)
                for reply in [try await client.call(.get, "/v1/workspace", headers: headers),
                              try await client.call(.trace, "/v1/workspace", headers: headers),
                              try await client.call(.get, "/v1/nowhere", headers: headers)] {
                    #expect(reply.headers[Self.requestID] == id)
                    #expect(reply.json.objectValue?["error"]?.objectValue?["requestId"]?.stringValue == id)
                }
            }
        }
    }

    @Test func anyOtherRequestIDIsReplacedAndNeverAnError() async throws {
        let fixture = try HTTPFixture()
        let replaced = ["", String(repeating: "z", count: 65), "has space", "a/b", "semi;colon", "ünïcode", "tab\there", "quote\"d"]
        try await fixture.run { client in
            for id in replaced {
                let headers = HTTPFields([HTTPField(name: Self.requestID, value: id)])
                let reply = try await client.call(.get, "/v1/workspace", key: fixture.liveAdmin, headers: headers)
                #expect(reply.status == .ok, "\(id)")
                let generated = try #require(reply.headers[Self.requestID])
                #expect(generated != id)
                #expect(generated.wholeMatch(of: /req_[0-9a-z]{20}/) != nil, "\(generated)")
            }
            // Sent twice, even with plain values: neither is chosen.
            let twice = HTTPFields([HTTPField(name: Self.requestID, value: "one"), HTTPField(name: Self.requestID, value: "two")])
            let reply = try await client.call(.get, "/v1/workspace", key: fixture.liveAdmin, headers: twice)
            #expect(reply.status == .ok)
            #expect(reply.headers[Self.requestID]?.hasPrefix("req_") == true)
        }
    }

    @Test func theDocumentAcceptsEveryRequestIDAsTheServerDoes() throws {
        // The server never refuses a request for its X-Request-Id, so the document must not constrain it.
        let document = try JSONParser.parse(OpenAPIDocument.bytes)
        let parameter = document.objectValue?["components"]?.objectValue?["parameters"]?.objectValue?["RequestId"]?.objectValue
        #expect(parameter?["schema"] == ["type": "string"])
        #expect(parameter?["required"] == false)
    }
}
