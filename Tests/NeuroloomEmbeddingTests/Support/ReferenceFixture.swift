import Foundation
import Testing

/// `Fixtures/minilm-reference.json`, written by `tools/minilm-reference.py` (an independent numpy
/// implementation): token ids and embeddings for varied inputs.
struct ReferenceFixture: Decodable {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        let ids: [Int]
        let embedding: [Float]
        var testDescription: String { name }
    }

    let model: String
    let maxTokens: Int
    let cases: [Case]

    static let loaded: Result<ReferenceFixture, any Error> = Result {
        guard let url = Bundle.module.url(forResource: "minilm-reference", withExtension: "json", subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try JSONDecoder().decode(ReferenceFixture.self, from: Data(contentsOf: url))
    }

    /// The cases, or none if the fixture failed to load (``ReferenceFixtureTests`` reports that).
    static var cases: [Case] { (try? loaded.get())?.cases ?? [] }
}
