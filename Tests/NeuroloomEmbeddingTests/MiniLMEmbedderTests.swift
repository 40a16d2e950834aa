import Foundation
import NeuroloomEmbedding
import Testing
import NeuroloomTestSupport

@Suite("MiniLMEmbedder")
struct MiniLMEmbedderTests {
    // Needs the real model: skipped (not passed) until tools/fetch-model has run.
    @Test("384 dimensions, unit norm, the id of the model", .enabled(if: ModelFixture.isAvailable))
    func dimensionAndNorm() async throws {
        let embedder = try ModelFixture.embedder.get()
        #expect(embedder.id == "all-MiniLM-L6-v2")
        #expect(embedder.dimension == 384)
        let vectors = try await embedder.embed(["", "a", "Memory stores for agents.", String(repeating: "word ", count: 600)])
        #expect(vectors.count == 4)
        for vector in vectors {
            #expect(vector.count == 384)
            #expect(abs(dot(vector, vector) - 1) < 1e-5)
            #expect(vector.allSatisfy { $0.isFinite })
        }
    }

    // Needs the real model: skipped (not passed) until tools/fetch-model has run.
    @Test("similar sentences score higher than unrelated ones", .enabled(if: ModelFixture.isAvailable))
    func similarity() async throws {
        let embedder = try ModelFixture.embedder.get()
        let v = try await embedder.embed(["The cat sits on the mat.", "A cat is sitting on a rug.", "Quarterly revenue grew by 4%."])
        #expect(dot(v[0], v[1]) > dot(v[0], v[2]) + 0.3)
    }

    // Needs the real model: skipped (not passed) until tools/fetch-model has run.
    @Test("concurrent callers get the same vectors as a lone caller", .enabled(if: ModelFixture.isAvailable))
    func concurrentCalls() async throws {
        let embedder = try ModelFixture.embedder.get()
        let texts = (0..<16).map { "memory number \($0) about topic \($0 % 3)" }
        let expected = try await embedder.embed(texts)
        let results = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for (index, text) in texts.enumerated() {
                group.addTask { (index, try await embedder.embed(text)) }
            }
            var results = [[Float]](repeating: [], count: texts.count)
            for try await (index, vector) in group { results[index] = vector }
            return results
        }
        for index in texts.indices {
            let difference = zip(expected[index], results[index]).map { abs($0 - $1) }.max() ?? 0
            #expect(difference < 1e-5)
        }
    }

    @Test("an empty batch gives no vectors")
    func emptyBatch() async throws {
        let directory = TemporaryDirectory("embedding")
        try TinyBertModel().write(to: directory)
        let embedder = try MiniLMEmbedder.load(directory: directory.url, id: "tiny")
        #expect(try await embedder.embed([]).isEmpty)
    }

    @Test("a tiny generated BERT loads and embeds, long input truncated to its positions")
    func tinyModel() async throws {
        let directory = TemporaryDirectory("embedding")
        let model = TinyBertModel()
        try model.write(to: directory)
        let embedder = try MiniLMEmbedder.load(directory: directory.url, id: "tiny", concurrency: 2)
        #expect(embedder.dimension == model.hidden)
        #expect(embedder.tokenizer.maximumTokens == model.positions)
        let texts = ["", "hello worlds", "the cat, the cat.", String(repeating: "cat ", count: 100), "unknown words ü"]
        let vectors = try await embedder.embed(texts)
        #expect(vectors.count == texts.count)
        for vector in vectors {
            #expect(vector.count == model.hidden)
            #expect(abs(dot(vector, vector) - 1) < 1e-5)
        }
        #expect(vectors[1] != vectors[2])
    }

    @Test("a cancelled task is not computed")
    func cancellation() async throws {
        let directory = TemporaryDirectory("embedding")
        try TinyBertModel().write(to: directory)
        let embedder = try MiniLMEmbedder.load(directory: directory.url, id: "tiny")
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await embedder.embed(["hello"])
        }
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}

@Suite("MiniLMEmbedder.load errors")
struct MiniLMLoadErrorTests {
    @Test("a missing directory names the path and the fix")
    func missingDirectory() throws {
        let path = "/nonexistent/neuroloom/models/all-MiniLM-L6-v2"
        let error = #expect(throws: EmbeddingModelError.self) {
            try MiniLMEmbedder.load(directory: URL(filePath: path, directoryHint: .isDirectory))
        }
        #expect(error == .directoryNotFound(path: path))
        let description = try #require(error).description
        #expect(description.contains(path))
        #expect(description.contains("tools/fetch-model"))
        #expect(description.contains("NEUROLOOM_MODELS"))
    }

    @Test("a missing file is named", arguments: MiniLMEmbedder.requiredFiles)
    func missingFile(_ name: String) throws {
        let directory = TemporaryDirectory("embedding")
        try TinyBertModel().write(to: directory)
        try FileManager.default.removeItem(at: directory.url.appending(path: name))
        let error = #expect(throws: EmbeddingModelError.self) { try MiniLMEmbedder.load(directory: directory.url) }
        #expect(error == .fileMissing(path: directory.url.appending(path: name).path))
        #expect(try #require(error).description.contains(name))
    }

    @Test("corrupt weights are reported as such, with the safetensors reason")
    func corruptWeights() throws {
        let directory = TemporaryDirectory("embedding")
        try TinyBertModel().write(to: directory)
        let path = directory.url.appending(path: "model.safetensors")
        let valid = try Data(contentsOf: path)
        for corrupt in [Data("garbage, not a model".utf8), valid.prefix(valid.count / 2), Data()] {
            try corrupt.write(to: path)
            let error = #expect(throws: EmbeddingModelError.self) { try MiniLMEmbedder.load(directory: directory.url) }
            guard case .invalidWeights(let reported, _)? = error else {
                Issue.record("expected invalidWeights, got \(String(describing: error))")
                continue
            }
            #expect(reported == path.path)
            #expect(try #require(error).description.contains("corrupt"))
        }
    }

    @Test("weights whose shapes differ from config.json are refused")
    func shapeMismatch() throws {
        let directory = TemporaryDirectory("embedding")
        try TinyBertModel().write(to: directory, configuration: ["intermediate_size": 32])
        let error = #expect(throws: EmbeddingModelError.self) { try MiniLMEmbedder.load(directory: directory.url) }
        #expect(error == .shapeMismatch(tensor: "encoder.layer.0.intermediate.dense.weight", expected: [32, 8], actual: [16, 8]))
    }

    @Test("a missing tensor is named")
    func missingTensor() throws {
        let directory = TemporaryDirectory("embedding")
        var model = TinyBertModel()
        try model.write(to: directory)
        model.layers = 3
        try directory.write(JSONSerialization.data(withJSONObject: model.configuration), to: "config.json")
        let error = #expect(throws: EmbeddingModelError.self) { try MiniLMEmbedder.load(directory: directory.url) }
        guard case .shapeMismatch(let tensor, _, nil)? = error else {
            Issue.record("expected a missing tensor, got \(String(describing: error))")
            return
        }
        #expect(tensor.hasPrefix("encoder.layer.2."))
    }

    @Test("an unusable config.json is refused", arguments: [
        "not json", "{}", #"{"hidden_size": 8}"#,
    ])
    func invalidConfiguration(_ text: String) throws {
        let directory = TemporaryDirectory("embedding")
        try TinyBertModel().write(to: directory)
        try directory.write(Data(text.utf8), to: "config.json")
        let error = #expect(throws: EmbeddingModelError.self) { try MiniLMEmbedder.load(directory: directory.url) }
        guard case .invalidConfiguration? = error else {
            Issue.record("expected invalidConfiguration, got \(String(describing: error))")
            return
        }
    }

    @Test("unsupported configurations are refused with the reason")
    func unsupportedConfiguration() throws {
        for (override, fragment) in [
            (["hidden_act": "relu"] as [String: Any], "hidden_act"),
            (["num_attention_heads": 3], "multiple"),
            (["hidden_size": -1], "hidden_size"),
        ] {
            let directory = TemporaryDirectory("embedding")
            try TinyBertModel().write(to: directory, configuration: override)
            let error = #expect(throws: EmbeddingModelError.self) { try MiniLMEmbedder.load(directory: directory.url) }
            #expect(error?.description.contains(fragment) == true, "\(String(describing: error))")
        }
    }

    @Test("a vocabulary without [UNK] is refused")
    func vocabularyWithoutUnknown() throws {
        let directory = TemporaryDirectory("embedding")
        try TinyBertModel().write(to: directory)
        try directory.write(Data("[CLS]\n[SEP]\nhello\n".utf8), to: "vocab.txt")
        let error = #expect(throws: EmbeddingModelError.self) { try MiniLMEmbedder.load(directory: directory.url) }
        #expect(error == .invalidVocabulary(path: directory.url.appending(path: "vocab.txt").path, .missingSpecialToken("[UNK]")))
    }

    @Test("a vocabulary larger than the embedding table is refused")
    func vocabularyTooLarge() throws {
        let directory = TemporaryDirectory("embedding")
        var model = TinyBertModel()
        try model.write(to: directory)
        model.vocabulary.append("extra")
        try directory.write(Data((model.vocabulary.joined(separator: "\n") + "\n").utf8), to: "vocab.txt")
        let error = #expect(throws: EmbeddingModelError.self) { try MiniLMEmbedder.load(directory: directory.url) }
        #expect(error == .vocabularySizeMismatch(vocabulary: 14, embeddings: 13))
    }
}
