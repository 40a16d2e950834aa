import COpenBLAS

/// A dense layer `y = x·Wᵀ + b`. PyTorch stores `W` as `outputs` rows of `inputs` values; this keeps
/// `Wᵀ` instead (`inputs` rows of `outputs` values), which OpenBLAS multiplies about 20% faster when
/// `x` has few rows.
struct Linear: Sendable {
    /// `Wᵀ`, row-major `inputs × outputs`.
    let transposedWeight: [Float]
    let bias: [Float]
    let inputs: Int
    let outputs: Int

    /// From PyTorch's layout: `weight` is row-major `outputs × inputs`.
    ///
    /// The precondition cannot fire from a model file: every weight comes through `TensorReader`,
    /// which requires the tensor's shape to be exactly `[outputs, inputs]` (bias `[outputs]`), and
    /// `SafetensorsFile` has checked that a tensor holds exactly the product of its shape in
    /// values; the fused query/key/value layer concatenates three such `[hidden, hidden]` tensors
    /// for `3 · hidden` outputs. The `Int32` conversions cannot trap either: `BertConfiguration`
    /// bounds every size by 2^20, so `3 · hidden` < 2^22.
    init(weight: [Float], bias: [Float], inputs: Int, outputs: Int) {
        precondition(weight.count == inputs * outputs && bias.count == outputs)
        self.transposedWeight = [Float](unsafeUninitializedCapacity: weight.count) { buffer, initialized in
            weight.withUnsafeBufferPointer { source in
                cblas_somatcopy(CblasRowMajor, CblasTrans, Int32(outputs), Int32(inputs), 1,
                                source.baseAddress, Int32(inputs), buffer.baseAddress, Int32(outputs))
            }
            initialized = weight.count
        }
        self.bias = bias
        self.inputs = inputs
        self.outputs = outputs
    }
}

/// LayerNorm's scale (γ) and shift (β).
struct LayerNormParameters: Sendable {
    let scale: [Float]
    let shift: [Float]
}

/// One transformer layer. The query, key and value projections are fused into one `3·hidden × hidden`
/// layer so that a single matrix product computes all three.
struct EncoderLayerWeights: Sendable {
    let queryKeyValue: Linear
    let attentionOutput: Linear
    let attentionNorm: LayerNormParameters
    let intermediate: Linear
    let output: Linear
    let outputNorm: LayerNormParameters
}

/// Every parameter of a BERT encoder, checked against its configuration.
struct BertWeights: Sendable {
    let wordEmbeddings: [Float]
    let positionEmbeddings: [Float]
    /// Row 0 of the token-type table: a single sentence is all type 0.
    let tokenTypeEmbedding: [Float]
    let embeddingNorm: LayerNormParameters
    let layers: [EncoderLayerWeights]

    /// Takes the tensors out of `file`, accepting HuggingFace names with or without a `bert.` prefix.
    init(file: SafetensorsFile, configuration c: BertConfiguration, path: String) throws(EmbeddingModelError) {
        let prefix = file.tensors["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
        let reader = TensorReader(file: file, prefix: prefix, path: path)
        let hidden = c.hiddenSize

        wordEmbeddings = try reader.tensor("embeddings.word_embeddings.weight", [c.vocabularySize, hidden])
        positionEmbeddings = try reader.tensor("embeddings.position_embeddings.weight", [c.maximumPositions, hidden])
        // type_vocab_size ≥ 1 (BertConfiguration.problem), so the [types, hidden] table has a row 0.
        tokenTypeEmbedding = Array(try reader.tensor("embeddings.token_type_embeddings.weight", [c.tokenTypeCount, hidden])[0..<hidden])
        embeddingNorm = try reader.layerNorm("embeddings.LayerNorm", hidden)

        var layers: [EncoderLayerWeights] = []
        for index in 0..<c.layerCount {
            let p = "encoder.layer.\(index)."
            let query = try reader.parameters(p + "attention.self.query", inputs: hidden, outputs: hidden)
            let key = try reader.parameters(p + "attention.self.key", inputs: hidden, outputs: hidden)
            let value = try reader.parameters(p + "attention.self.value", inputs: hidden, outputs: hidden)
            layers.append(EncoderLayerWeights(
                queryKeyValue: Linear(
                    weight: query.weight + key.weight + value.weight,
                    bias: query.bias + key.bias + value.bias,
                    inputs: hidden, outputs: 3 * hidden),
                attentionOutput: try reader.linear(p + "attention.output.dense", inputs: hidden, outputs: hidden),
                attentionNorm: try reader.layerNorm(p + "attention.output.LayerNorm", hidden),
                intermediate: try reader.linear(p + "intermediate.dense", inputs: hidden, outputs: c.intermediateSize),
                output: try reader.linear(p + "output.dense", inputs: c.intermediateSize, outputs: hidden),
                outputNorm: try reader.layerNorm(p + "output.LayerNorm", hidden)))
        }
        self.layers = layers
    }
}

/// Reads `F32` tensors and turns absence, a wrong dtype or a wrong shape into ``EmbeddingModelError``.
private struct TensorReader {
    let file: SafetensorsFile
    let prefix: String
    let path: String

    func tensor(_ name: String, _ shape: [Int]) throws(EmbeddingModelError) -> [Float] {
        let fullName = prefix + name
        guard let info = file.tensors[fullName] else { throw .shapeMismatch(tensor: fullName, expected: shape, actual: nil) }
        guard info.shape == shape else { throw .shapeMismatch(tensor: fullName, expected: shape, actual: info.shape) }
        do {
            return try file.float32Tensor(named: fullName).scalars
        } catch {
            throw .invalidWeights(path: path, error)
        }
    }

    /// A dense layer's weight (PyTorch layout, `outputs × inputs`) and bias.
    func parameters(_ name: String, inputs: Int, outputs: Int) throws(EmbeddingModelError) -> (weight: [Float], bias: [Float]) {
        (try tensor(name + ".weight", [outputs, inputs]), try tensor(name + ".bias", [outputs]))
    }

    func linear(_ name: String, inputs: Int, outputs: Int) throws(EmbeddingModelError) -> Linear {
        let (weight, bias) = try parameters(name, inputs: inputs, outputs: outputs)
        return Linear(weight: weight, bias: bias, inputs: inputs, outputs: outputs)
    }

    func layerNorm(_ name: String, _ width: Int) throws(EmbeddingModelError) -> LayerNormParameters {
        LayerNormParameters(scale: try tensor(name + ".weight", [width]), shift: try tensor(name + ".bias", [width]))
    }
}
