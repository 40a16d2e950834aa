/// The BERT encoder forward pass with mean pooling and L2 normalisation
/// (sentence-transformers' `Transformer → Pooling(mean) → Normalize`).
///
/// Several sequences run together, packed row after row without padding: the dense layers see
/// all their tokens as one matrix, attention runs per sequence. With no padding there is nothing to
/// mask, and each result equals that of the sequence run alone.
struct BertEncoder: Sendable {
    let configuration: BertConfiguration
    let weights: BertWeights

    /// Most tokens packed into one pass: bounds a worker's scratch memory (≈14 MB for MiniLM).
    static let maximumPackedTokens = 1024

    /// One pooled, L2-normalised vector per sequence. Every sequence must hold between 1 and
    /// `maximumPositions` valid token ids (the tokenizer guarantees it).
    func embed(_ sequences: [[Int]], workspace: Workspace) -> [[Float]] {
        var results: [[Float]] = []
        results.reserveCapacity(sequences.count)
        var start = 0
        while start < sequences.count {
            var end = start, tokens = 0
            while end < sequences.count, end == start || tokens + sequences[end].count <= Self.maximumPackedTokens {
                tokens += sequences[end].count
                end += 1
            }
            results.append(contentsOf: embedPacked(sequences[start..<end], tokens: tokens, workspace: workspace))
            start = end
        }
        return results
    }

    private func embedPacked(_ sequences: ArraySlice<[Int]>, tokens: Int, workspace w: Workspace) -> [[Float]] {
        let c = configuration
        let hidden = c.hiddenSize
        let longest = sequences.map(\.count).max() ?? 0
        w.reserve(tokens: tokens, sequenceLength: longest)
        guard let x = w.hidden.baseAddress, let qkv = w.queryKeyValue.baseAddress, let context = w.context.baseAddress,
              let inner = w.intermediate.baseAddress, let ones = w.ones.baseAddress
        else { return sequences.map { _ in [Float](repeating: 0, count: hidden) } }

        writeEmbeddings(sequences, into: x)
        Kernels.layerNorm(x, rows: tokens, width: hidden, weights.embeddingNorm, epsilon: c.layerNormEpsilon)

        for layer in weights.layers {
            Kernels.linear(x, rows: tokens, layer.queryKeyValue, into: qkv, accumulate: false, ones: ones)
            var row = 0
            for sequence in sequences {
                attention(queryKeyValue: qkv + row * 3 * hidden, length: sequence.count,
                          into: context + row * hidden, scores: w.scores)
                row += sequence.count
            }
            // x ← LayerNorm(x + context·Woᵀ + bo): the residual is already in x.
            Kernels.linear(context, rows: tokens, layer.attentionOutput, into: x, accumulate: true, ones: ones)
            Kernels.layerNorm(x, rows: tokens, width: hidden, layer.attentionNorm, epsilon: c.layerNormEpsilon)

            Kernels.linear(x, rows: tokens, layer.intermediate, into: inner, accumulate: false, ones: ones)
            Kernels.gelu(inner, count: tokens * c.intermediateSize)
            Kernels.linear(inner, rows: tokens, layer.output, into: x, accumulate: true, ones: ones)
            Kernels.layerNorm(x, rows: tokens, width: hidden, layer.outputNorm, epsilon: c.layerNormEpsilon)
        }
        return meanPool(sequences, x)
    }

    /// `x[t] = word[id] + position[t] + tokenType[0]` for each token of each sequence.
    private func writeEmbeddings(_ sequences: ArraySlice<[Int]>, into x: UnsafeMutablePointer<Float>) {
        let hidden = configuration.hiddenSize
        weights.wordEmbeddings.withUnsafeBufferPointer { words in
            weights.positionEmbeddings.withUnsafeBufferPointer { positions in
                weights.tokenTypeEmbedding.withUnsafeBufferPointer { tokenType in
                    var row = 0
                    for sequence in sequences {
                        for (position, id) in sequence.enumerated() {
                            let out = x + row * hidden
                            let word = id * hidden, pos = position * hidden
                            for i in 0..<hidden { out[i] = words[word + i] + positions[pos + i] + tokenType[i] }
                            row += 1
                        }
                    }
                }
            }
        }
    }

    /// Multi-head self-attention of one sequence: for each head,
    /// `softmax(Q·Kᵀ / √d) · V` into that head's columns of `context`.
    private func attention(
        queryKeyValue qkv: UnsafeMutablePointer<Float>, length n: Int,
        into context: UnsafeMutablePointer<Float>, scores: UnsafeMutableBufferPointer<Float>
    ) {
        guard let scores = scores.baseAddress else { return }
        let hidden = configuration.hiddenSize, d = configuration.headSize
        let rowStride = 3 * hidden
        let scale = 1 / Float(d).squareRoot()
        for head in 0..<configuration.attentionHeadCount {
            let query = qkv + head * d, key = qkv + hidden + head * d, value = qkv + 2 * hidden + head * d
            Kernels.multiplyTransposed(m: n, n: n, k: d, alpha: scale, query, lda: rowStride, key, ldb: rowStride,
                                       into: scores, ldc: n)
            Kernels.softmaxRows(scores, rows: n, width: n)
            Kernels.multiply(m: n, n: d, k: n, scores, lda: n, value, ldb: rowStride,
                             into: context + head * d, ldc: hidden)
        }
    }

    /// The mean of each sequence's rows, L2-normalised.
    private func meanPool(_ sequences: ArraySlice<[Int]>, _ x: UnsafeMutablePointer<Float>) -> [[Float]] {
        let hidden = configuration.hiddenSize
        var results: [[Float]] = []
        var row = 0
        for sequence in sequences {
            var pooled = [Float](repeating: 0, count: hidden)
            pooled.withUnsafeMutableBufferPointer { out in
                for t in 0..<sequence.count {
                    let source = x + (row + t) * hidden
                    for i in 0..<hidden { out[i] += source[i] }
                }
                let inverse = 1 / Float(max(sequence.count, 1))
                for i in 0..<hidden { out[i] *= inverse }
                l2normalize(out)
            }
            results.append(pooled)
            row += sequence.count
        }
        return results
    }
}
