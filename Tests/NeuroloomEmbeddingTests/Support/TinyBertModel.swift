import Foundation
import NeuroloomTestSupport

/// A tiny BERT (hidden 8, 2 heads, 2 layers) with deterministic pseudo-random weights, written to a
/// directory the way `tools/fetch-model` lays out the real one. Lets loading and the forward pass be
/// tested without the real model.
struct TinyBertModel {
    var hidden = 8
    var heads = 2
    var layers = 2
    var intermediate = 16
    var positions = 16
    var vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s", "a", ",", ".", "the", "cat"]

    var configuration: [String: Any] {
        [
            "hidden_size": hidden, "num_hidden_layers": layers, "num_attention_heads": heads,
            "intermediate_size": intermediate, "max_position_embeddings": positions,
            "vocab_size": vocabulary.count, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
            "hidden_act": "gelu", "model_type": "bert",
        ]
    }

    var weights: SafetensorsBuilder {
        var random = LinearCongruential(seed: 42)
        var builder = SafetensorsBuilder()
        func add(_ name: String, _ shape: [Int], around center: Float = 0) {
            let count = shape.reduce(1, *)
            builder.add(name, shape: shape, scalars: (0..<count).map { _ in center + random.next() })
        }
        add("embeddings.word_embeddings.weight", [vocabulary.count, hidden])
        add("embeddings.position_embeddings.weight", [positions, hidden])
        add("embeddings.token_type_embeddings.weight", [2, hidden])
        add("embeddings.LayerNorm.weight", [hidden], around: 1)
        add("embeddings.LayerNorm.bias", [hidden])
        for layer in 0..<layers {
            let p = "encoder.layer.\(layer)."
            for name in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"] {
                add(p + name + ".weight", [hidden, hidden])
                add(p + name + ".bias", [hidden])
            }
            add(p + "attention.output.LayerNorm.weight", [hidden], around: 1)
            add(p + "attention.output.LayerNorm.bias", [hidden])
            add(p + "intermediate.dense.weight", [intermediate, hidden])
            add(p + "intermediate.dense.bias", [intermediate])
            add(p + "output.dense.weight", [hidden, intermediate])
            add(p + "output.dense.bias", [hidden])
            add(p + "output.LayerNorm.weight", [hidden], around: 1)
            add(p + "output.LayerNorm.bias", [hidden])
        }
        return builder
    }

    /// Writes `config.json`, `vocab.txt` and `model.safetensors` into `directory`.
    func write(to directory: TemporaryDirectory, configuration overrides: [String: Any] = [:]) throws {
        let config = configuration.merging(overrides) { $1 }
        try directory.write(JSONSerialization.data(withJSONObject: config), to: "config.json")
        try directory.write(Data((vocabulary.joined(separator: "\n") + "\n").utf8), to: "vocab.txt")
        try directory.write(weights.build(), to: "model.safetensors")
    }
}

/// Deterministic numbers in [-0.5, 0.5).
struct LinearCongruential {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 24) - 0.5
    }
}
