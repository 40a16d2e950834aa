/// The dot product of two vectors of equal length; for L2-normalised vectors, their cosine similarity.
///
/// Sums 32 components per step in two `SIMD16<Float>` accumulators, for exact scans over many
/// stored vectors. The buffers need no particular alignment.
/// - Precondition: `a.count == b.count`. A programming error, never an input error: the one caller
///   fed stored data, `SearchIndexes.semanticScores`, passes slices of exactly `dimension` floats
///   after checking `dimension == query.count`, and vectors of another length are refused on write.
@inlinable
public func dot(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Float {
    precondition(a.count == b.count, "dot: vectors of different lengths (\(a.count) and \(b.count))")
    guard let pa = a.baseAddress, let pb = b.baseAddress else { return 0 }
    let ra = UnsafeRawPointer(pa)
    let rb = UnsafeRawPointer(pb)
    let stride = MemoryLayout<SIMD16<Float>>.size
    let count = a.count
    var sum0 = SIMD16<Float>()
    var sum1 = SIMD16<Float>()
    var i = 0
    while i + 32 <= count {
        let offset = i * MemoryLayout<Float>.stride
        sum0 += ra.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
            * rb.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
        sum1 += ra.loadUnaligned(fromByteOffset: offset + stride, as: SIMD16<Float>.self)
            * rb.loadUnaligned(fromByteOffset: offset + stride, as: SIMD16<Float>.self)
        i += 32
    }
    if i + 16 <= count {
        let offset = i * MemoryLayout<Float>.stride
        sum0 += ra.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
            * rb.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
        i += 16
    }
    var result = (sum0 + sum1).sum()
    while i < count {
        result += pa[i] * pb[i]
        i += 1
    }
    return result
}

/// ``dot(_:_:)-(UnsafeBufferPointer<Float>,UnsafeBufferPointer<Float>)`` for arrays.
/// - Precondition: `a.count == b.count`.
@inlinable
public func dot(_ a: [Float], _ b: [Float]) -> Float {
    a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in dot(pa, pb) } }
}

/// Scales `vector` in place to unit L2 norm: `v / max(‖v‖, 1e-12)`, as PyTorch's
/// `F.normalize` (and so sentence-transformers). A zero vector stays zero.
@inlinable
public func l2normalize(_ vector: UnsafeMutableBufferPointer<Float>) {
    var sumOfSquares: Float = 0
    for value in vector { sumOfSquares += value * value }
    let scale = 1 / max(sumOfSquares.squareRoot(), 1e-12)
    for i in vector.indices { vector[i] *= scale }
}

/// Scales `vector` in place to unit L2 norm. See ``l2normalize(_:)-(UnsafeMutableBufferPointer<Float>)``.
@inlinable
public func l2normalize(_ vector: inout [Float]) {
    vector.withUnsafeMutableBufferPointer { l2normalize($0) }
}

/// `vector` scaled to unit L2 norm.
@inlinable
public func l2normalized(_ vector: [Float]) -> [Float] {
    var copy = vector
    l2normalize(&copy)
    return copy
}
