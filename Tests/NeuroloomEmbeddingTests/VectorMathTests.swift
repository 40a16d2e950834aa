import Foundation
import NeuroloomEmbedding
import Testing

@Suite("VectorMath")
struct VectorMathTests {
    @Test("dot equals the naive sum for every length around the SIMD widths", arguments: [0, 1, 15, 16, 17, 31, 32, 33, 47, 48, 64, 384, 385])
    func dotProduct(_ count: Int) {
        var random = LinearCongruential(seed: UInt64(count))
        let a = (0..<count).map { _ in random.next() }
        let b = (0..<count).map { _ in random.next() }
        let naive = zip(a, b).reduce(Double(0)) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(Double(dot(a, b)) - naive) < 1e-5)
    }

    @Test("dot reads unaligned buffers")
    func unaligned() {
        let a: [Float] = (0..<40).map(Float.init)
        a.withUnsafeBufferPointer { buffer in
            let shifted = UnsafeBufferPointer(rebasing: buffer[1..<34])
            let expected = (1..<34).reduce(Float(0)) { $0 + Float($1 * $1) }
            #expect(dot(shifted, shifted) == expected)
        }
    }

    @Test("l2normalize gives unit norm; a zero vector stays zero")
    func normalise() {
        var v: [Float] = [3, 4]
        l2normalize(&v)
        #expect(v == [0.6, 0.8])
        #expect(l2normalized([0, 0, 0]) == [0, 0, 0])
        var random = LinearCongruential(seed: 3)
        let w = l2normalized((0..<384).map { _ in random.next() })
        #expect(abs(dot(w, w) - 1) < 1e-6)
    }
}
