import AsyncHTTPClient
import Foundation
import NeuroloomEmbedding
import NIOCore

/// An ``Embedder`` backed by any OpenAI-compatible `POST {base}/v1/embeddings` server (Ollama,
/// llama.cpp's server, vLLM, OpenAI itself).
///
/// The id is `openai-compatible:<model>`, so a partition pinned to it is never compared with
/// vectors of another model. The dimension is learnt from a probe at ``connect(baseURL:model:apiKey:httpClient:timeout:)``.
/// Returned vectors are L2-normalised here (not every server does).
public struct OpenAICompatibleEmbedder: Embedder {
    public let id: String
    public let dimension: Int
    public let model: String
    public let endpoint: String
    private let apiKey: String?
    private let httpClient: HTTPClient
    private let timeout: TimeAmount

    /// Texts per request (servers limit batch sizes).
    public static let maximumBatch = 64

    /// Connects: sends one probe embedding to learn the dimension, so a misconfigured server
    /// stops the service at start, not at the first write.
    public static func connect(baseURL: String, model: String, apiKey: String? = nil,
                               httpClient: HTTPClient = .shared, timeout: Duration = .seconds(30)) async throws -> OpenAICompatibleEmbedder {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/v1") { base.removeLast(3) }
        let seconds = timeout.components.seconds
        var embedder = OpenAICompatibleEmbedder(id: "openai-compatible:\(model)", dimension: 0, model: model,
                                                endpoint: base + "/v1/embeddings", apiKey: apiKey, httpClient: httpClient,
                                                timeout: .seconds(max(1, seconds)))
        let probe = try await embedder.request(["dimension probe"])
        guard let dimension = probe.first?.count, dimension > 0 else { throw RemoteEmbeddingError.badResponse("empty embedding") }
        embedder = OpenAICompatibleEmbedder(id: embedder.id, dimension: dimension, model: model, endpoint: embedder.endpoint,
                                            apiKey: apiKey, httpClient: httpClient, timeout: embedder.timeout)
        return embedder
    }

    private init(id: String, dimension: Int, model: String, endpoint: String, apiKey: String?, httpClient: HTTPClient, timeout: TimeAmount) {
        self.id = id
        self.dimension = dimension
        self.model = model
        self.endpoint = endpoint
        self.apiKey = apiKey
        self.httpClient = httpClient
        self.timeout = timeout
    }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        for start in stride(from: 0, to: texts.count, by: Self.maximumBatch) {
            let batch = Array(texts[start..<min(texts.count, start + Self.maximumBatch)])
            let made = try await request(batch)
            guard made.allSatisfy({ $0.count == dimension }) else {
                throw RemoteEmbeddingError.badResponse("expected \(dimension)-dimensional vectors")
            }
            vectors += made
        }
        return vectors
    }

    private struct RequestBody: Encodable {
        let model: String
        let input: [String]
    }

    private struct ResponseBody: Decodable {
        struct Item: Decodable {
            let index: Int
            let embedding: [Float]
        }
        let data: [Item]
    }

    private func request(_ texts: [String]) async throws -> [[Float]] {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let apiKey, !apiKey.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(RequestBody(model: model, input: texts))))
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, timeout: timeout)
        } catch {
            throw RemoteEmbeddingError.unreachable("\(endpoint): \(error)")
        }
        let body = try await response.body.collect(upTo: 64 << 20)
        guard response.status == .ok else {
            throw RemoteEmbeddingError.badResponse("\(endpoint) answered \(response.status.code)")
        }
        let decoded: ResponseBody
        do {
            decoded = try JSONDecoder().decode(ResponseBody.self, from: Data(body.readableBytesView))
        } catch {
            throw RemoteEmbeddingError.badResponse("not an embeddings response: \(error)")
        }
        let ordered = decoded.data.sorted { $0.index < $1.index }
        guard ordered.count == texts.count, ordered.enumerated().allSatisfy({ $0.offset == $0.element.index }) else {
            throw RemoteEmbeddingError.badResponse("expected \(texts.count) embeddings, got \(decoded.data.count)")
        }
        return ordered.map { l2normalized($0.embedding) }
    }
}

/// Why the remote embedder failed.
public enum RemoteEmbeddingError: Error, CustomStringConvertible, Equatable {
    case unreachable(String)
    case badResponse(String)

    public var description: String {
        switch self {
        case .unreachable(let detail): return "the embeddings server is unreachable: \(detail)"
        case .badResponse(let detail): return "the embeddings server gave a bad response: \(detail)"
        }
    }
}
