import Foundation

/// The fields of a HuggingFace BERT `config.json` that the forward pass needs
/// (all-MiniLM-L6-v2's values in parentheses).
public struct BertConfiguration: Sendable, Equatable, Decodable {
    /// `hidden_size`: the width of every hidden state, and of the sentence vectors (384).
    public let hiddenSize: Int
    /// `num_hidden_layers` (6).
    public let layerCount: Int
    /// `num_attention_heads` (12).
    public let attentionHeadCount: Int
    /// `intermediate_size`: the feed-forward width (1536).
    public let intermediateSize: Int
    /// `max_position_embeddings` (512): longer inputs are truncated anyway, to 256 tokens.
    public let maximumPositions: Int
    /// `vocab_size` (30522): rows of the word-embedding table.
    public let vocabularySize: Int
    /// `type_vocab_size` (2); only type 0 is used.
    public let tokenTypeCount: Int
    /// `layer_norm_eps` (1e-12).
    public let layerNormEpsilon: Float
    /// `hidden_act`: only `"gelu"` (the exact, erf-based GELU) is supported.
    public let hiddenActivation: String

    /// Width of one attention head.
    public var headSize: Int { hiddenSize / attentionHeadCount }

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size"
        case layerCount = "num_hidden_layers"
        case attentionHeadCount = "num_attention_heads"
        case intermediateSize = "intermediate_size"
        case maximumPositions = "max_position_embeddings"
        case vocabularySize = "vocab_size"
        case tokenTypeCount = "type_vocab_size"
        case layerNormEpsilon = "layer_norm_eps"
        case hiddenActivation = "hidden_act"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hiddenSize = try c.decode(Int.self, forKey: .hiddenSize)
        layerCount = try c.decode(Int.self, forKey: .layerCount)
        attentionHeadCount = try c.decode(Int.self, forKey: .attentionHeadCount)
        intermediateSize = try c.decode(Int.self, forKey: .intermediateSize)
        maximumPositions = try c.decode(Int.self, forKey: .maximumPositions)
        vocabularySize = try c.decode(Int.self, forKey: .vocabularySize)
        tokenTypeCount = try c.decodeIfPresent(Int.self, forKey: .tokenTypeCount) ?? 2
        layerNormEpsilon = try c.decodeIfPresent(Float.self, forKey: .layerNormEpsilon) ?? 1e-12
        hiddenActivation = try c.decodeIfPresent(String.self, forKey: .hiddenActivation) ?? "gelu"
    }

    /// Reads and checks `config.json`.
    static func load(from url: URL) throws(EmbeddingModelError) -> BertConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .invalidConfiguration(path: url.path, reason: SafetensorsFile.reason(error))
        }
        let configuration: BertConfiguration
        do {
            configuration = try JSONDecoder().decode(BertConfiguration.self, from: data)
        } catch {
            throw .invalidConfiguration(path: url.path, reason: "\(error)")
        }
        if let problem = configuration.problem {
            throw .invalidConfiguration(path: url.path, reason: problem)
        }
        return configuration
    }

    /// Why the forward pass cannot run this configuration, or `nil`.
    var problem: String? {
        let limit = 1 << 20  // keeps every product of two sizes far inside Int32 (BLAS) range
        let sizes = [
            ("hidden_size", hiddenSize), ("num_hidden_layers", layerCount),
            ("num_attention_heads", attentionHeadCount), ("intermediate_size", intermediateSize),
            ("max_position_embeddings", maximumPositions), ("vocab_size", vocabularySize),
            ("type_vocab_size", tokenTypeCount),
        ]
        for (name, value) in sizes where value < 1 || value > limit {
            return "\(name) = \(value) is out of range 1...\(limit)"
        }
        if hiddenSize % attentionHeadCount != 0 {
            return "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(attentionHeadCount)"
        }
        if maximumPositions < 2 { return "max_position_embeddings must be at least 2" }
        if hiddenActivation != "gelu" { return "hidden_act \"\(hiddenActivation)\" is not supported (only \"gelu\")" }
        if !(layerNormEpsilon > 0 && layerNormEpsilon.isFinite) { return "layer_norm_eps must be positive" }
        return nil
    }
}
