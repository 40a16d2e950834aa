import Foundation
import NeuroloomEmbedding
import Testing

/// The Swift tokenizer and forward pass against `tools/minilm-reference.py`'s numpy reference.
@Suite("all-MiniLM-L6-v2 against the numpy reference")
struct ReferenceFixtureTests {
    @Test("the fixture loads and covers the edge cases")
    func fixtureLoads() throws {
        let fixture = try ReferenceFixture.loaded.get()
        #expect(fixture.model == MiniLMEmbedder.modelName)
        #expect(fixture.cases.count >= 20)
        let names = Set(fixture.cases.map(\.name))
        for required in ["empty", "example", "accents", "cjk", "emoji", "control-chars", "very-long-word", "longer-than-256-tokens"] {
            #expect(names.contains(required), "fixture lacks \(required)")
        }
        let long = try #require(fixture.cases.first { $0.name == "longer-than-256-tokens" })
        #expect(long.ids.count == 256)
        let control = try #require(fixture.cases.first { $0.name == "control-chars" })
        #expect(control.text.unicodeScalars.contains("\u{0}"), "JSON \\u0000 must decode to U+0000")
    }

    // Needs the real vocabulary: skipped (not passed) until tools/fetch-model has run.
    @Test("token ids equal the reference", .enabled(if: ModelFixture.isAvailable), arguments: ReferenceFixture.cases)
    func tokenIDs(_ reference: ReferenceFixture.Case) throws {
        let tokenizer = try ModelFixture.tokenizer.get()
        #expect(tokenizer.encode(reference.text) == reference.ids)
    }

    // Needs the real model: skipped (not passed) until tools/fetch-model has run.
    @Test("embeddings are within 1e-4 of the reference", .enabled(if: ModelFixture.isAvailable), arguments: ReferenceFixture.cases)
    func embedding(_ reference: ReferenceFixture.Case) async throws {
        let embedder = try ModelFixture.embedder.get()
        let vector = try await embedder.embed(reference.text)
        try #require(vector.count == reference.embedding.count)
        let difference = zip(vector, reference.embedding).map { abs($0 - $1) }.max() ?? 0
        #expect(difference < 1e-4, "max |Δ| = \(difference)")
    }

    // Needs the real model: skipped (not passed) until tools/fetch-model has run.
    @Test("a batch gives the vectors of its texts one by one", .enabled(if: ModelFixture.isAvailable))
    func batchEqualsSingles() async throws {
        let embedder = try ModelFixture.embedder.get()
        let cases = ReferenceFixture.cases
        // More texts than one job holds, so the batch is split across workers.
        let texts = (cases + cases + cases).map(\.text)
        let batch = try await embedder.embed(texts)
        try #require(batch.count == texts.count)
        for (index, text) in texts.enumerated() {
            let single = try await embedder.embed(text)
            let difference = zip(single, batch[index]).map { abs($0 - $1) }.max() ?? 0
            #expect(difference < 1e-5, "\(index): max |Δ| = \(difference)")
        }
    }
}
