/// The scratch memory of forward passes, reused from call to call by one worker.
/// Not thread-safe: each ``ComputePool`` worker owns one and touches it only on its own queue.
final class Workspace {
    let hiddenSize: Int
    let intermediateSize: Int
    private(set) var tokenCapacity = 0
    /// `tokens × hidden`: the hidden states, updated in place layer after layer.
    private(set) var hidden = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
    /// `tokens × 3·hidden`: queries, keys and values side by side in each row.
    private(set) var queryKeyValue = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
    /// `tokens × hidden`: the attention output of all heads.
    private(set) var context = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
    /// `tokens × intermediate`: the feed-forward activations.
    private(set) var intermediate = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
    /// `length × length`: one head's attention probabilities for one sequence.
    private(set) var scores = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
    /// `tokens` ones, for adding biases with a rank-1 matrix product.
    private(set) var ones = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)

    init(hiddenSize: Int, intermediateSize: Int) {
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
    }

    /// Makes room for `tokens` rows and for one sequence of up to `sequenceLength` tokens.
    func reserve(tokens: Int, sequenceLength: Int) {
        if tokens > tokenCapacity {
            Self.replace(&hidden, count: tokens * hiddenSize)
            Self.replace(&queryKeyValue, count: tokens * 3 * hiddenSize)
            Self.replace(&context, count: tokens * hiddenSize)
            Self.replace(&intermediate, count: tokens * intermediateSize)
            Self.replace(&ones, count: tokens)
            ones.update(repeating: 1)
            tokenCapacity = tokens
        }
        if scores.count < sequenceLength * sequenceLength {
            Self.replace(&scores, count: sequenceLength * sequenceLength)
        }
    }

    private static func replace(_ buffer: inout UnsafeMutableBufferPointer<Float>, count: Int) {
        buffer.deallocate()
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: 0)
    }

    deinit {
        for buffer in [hidden, queryKeyValue, context, intermediate, scores, ones] { buffer.deallocate() }
    }
}
