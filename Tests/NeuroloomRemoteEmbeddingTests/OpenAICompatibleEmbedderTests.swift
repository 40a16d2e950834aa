import Foundation
import Hummingbird
import HummingbirdTesting
import NeuroloomEmbedding
import NeuroloomRemoteEmbedding
import Synchronization
import Testing

/// A mock OpenAI-compatible embeddings server on loopback: the vector of a text is
/// `[utf8 length, 1, 0]`, items are answered in reverse order (clients must use `index`).
final class RequestLog: Sendable {
    private let state = Mutex<[[String]]>([])
    func append(_ input: [String]) { state.withLock { $0.append(input) } }
    var sizes: [Int] { state.withLock { $0.map(\.count) } }
}

struct MockEmbeddingsServer {
    let requests = RequestLog()
    let failWith: HTTPResponse.Status?

    init(failWith: HTTPResponse.Status? = nil) {
        self.failWith = failWith
    }

    struct Body: Decodable {
        let model: String
        let input: [String]
    }

    func run(_ body: @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        let requests = self.requests
        let failWith = self.failWith
        router.post("/v1/embeddings") { request, context -> Response in
            if let failWith { return Response(status: failWith) }
            let decoded = try await request.decode(as: Body.self, context: context)
            requests.append(decoded.input)
            let items = decoded.input.enumerated().reversed().map { index, text in
                #"{"object":"embedding","index":\#(index),"embedding":[\#(text.utf8.count),1,0]}"#
            }
            let json = #"{"object":"list","model":"\#(decoded.model)","data":[\#(items.joined(separator: ","))]}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
        }
        let app = Application(router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await body(try #require(client.port))
        }
    }
}

@Suite struct OpenAICompatibleEmbedderTests {
    @Test func embedsInBatchesInOrderAndNormalised() async throws {
        let server = MockEmbeddingsServer()
        try await server.run { port in
            let embedder = try await OpenAICompatibleEmbedder.connect(baseURL: "http://127.0.0.1:\(port)/v1/", model: "nomic-embed-text")
            #expect(embedder.id == "openai-compatible:nomic-embed-text")
            #expect(embedder.dimension == 3)
            let texts = (0..<150).map { String(repeating: "x", count: $0 % 7) }
            let vectors = try await embedder.embed(texts)
            #expect(vectors.count == 150)
            for (text, vector) in zip(texts, vectors) {
                let expected = l2normalized([Float(text.utf8.count), 1, 0])
                #expect(zip(vector, expected).allSatisfy { abs($0 - $1) < 1e-6 })
            }
            // One probe, then 64 + 64 + 22.
            #expect(server.requests.sizes == [1, 64, 64, 22])
        }
    }

    @Test func serverErrorsAndUnreachableServersAreTypedErrors() async throws {
        try await MockEmbeddingsServer(failWith: .internalServerError).run { port in
            await #expect(throws: RemoteEmbeddingError.self) {
                _ = try await OpenAICompatibleEmbedder.connect(baseURL: "http://127.0.0.1:\(port)", model: "m")
            }
        }
        // A port nothing listens on (bound and released).
        await #expect(throws: RemoteEmbeddingError.self) {
            _ = try await OpenAICompatibleEmbedder.connect(baseURL: "http://127.0.0.1:9", model: "m", timeout: .seconds(2))
        }
    }
}
