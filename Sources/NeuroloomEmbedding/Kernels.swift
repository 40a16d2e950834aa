import COpenBLAS
import Foundation

/// The numeric building blocks of the forward pass. Matrices are row-major `Float` buffers;
/// products go to OpenBLAS (fast in debug builds too), element-wise loops are kept simple so the
/// optimiser vectorises them.
enum Kernels {
    /// OpenBLAS runs each call on the calling thread: parallelism comes from serving several
    /// requests at once, and OpenBLAS's own thread pool would only compete with them.
    static let singleThreaded: Void = { openblas_set_num_threads(1) }()

    /// `C[rows × n] (+)= A[rows × k] · Wᵀ + b` for a ``Linear`` layer with `k` inputs and `n` outputs.
    /// With `accumulate`, the result is added to what `C` holds (for residual connections).
    /// `ones` must hold at least `rows` ones: the bias is added as the rank-1 product `ones · bᵀ`.
    static func linear(
        _ input: UnsafePointer<Float>, rows: Int, _ layer: Linear,
        into output: UnsafeMutablePointer<Float>, accumulate: Bool, ones: UnsafePointer<Float>
    ) {
        let m = Int32(rows), n = Int32(layer.outputs), k = Int32(layer.inputs)
        layer.bias.withUnsafeBufferPointer { bias in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, 1,
                        1, ones, 1, bias.baseAddress, n, accumulate ? 1 : 0, output, n)
        }
        layer.transposedWeight.withUnsafeBufferPointer { weight in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k,
                        1, input, k, weight.baseAddress, n, 1, output, n)
        }
    }

    /// `C[m × n] = alpha · A[m × k] · B[n × k]ᵀ` with explicit leading dimensions.
    static func multiplyTransposed(
        m: Int, n: Int, k: Int, alpha: Float,
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        into c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), 0, c, Int32(ldc))
    }

    /// `C[m × n] = A[m × k] · B[k × n]` with explicit leading dimensions.
    static func multiply(
        m: Int, n: Int, k: Int,
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        into c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    1, a, Int32(lda), b, Int32(ldb), 0, c, Int32(ldc))
    }

    /// LayerNorm over each row of `data[rows × width]`, in place: `(x − mean) / √(var + ε) · γ + β`.
    static func layerNorm(_ data: UnsafeMutablePointer<Float>, rows: Int, width: Int, _ p: LayerNormParameters, epsilon: Float) {
        p.scale.withUnsafeBufferPointer { scaleBuffer in
            p.shift.withUnsafeBufferPointer { shiftBuffer in
                guard let scale = scaleBuffer.baseAddress, let shift = shiftBuffer.baseAddress else { return }
                let inverseWidth = 1 / Float(width)
                for r in 0..<rows {
                    let row = data + r * width
                    var sum: Float = 0
                    for i in 0..<width { sum += row[i] }
                    let mean = sum * inverseWidth
                    var squares: Float = 0
                    for i in 0..<width {
                        let d = row[i] - mean
                        squares += d * d
                    }
                    let inverseDeviation = 1 / (squares * inverseWidth + epsilon).squareRoot()
                    for i in 0..<width {
                        row[i] = (row[i] - mean) * inverseDeviation * scale[i] + shift[i]
                    }
                }
            }
        }
    }

    /// The exact GELU, `x · ½ · (1 + erf(x / √2))`, in place.
    static func gelu(_ data: UnsafeMutablePointer<Float>, count: Int) {
        let inverseSqrt2: Float = 0.70710678118654752
        for i in 0..<count {
            let x = data[i]
            data[i] = 0.5 * x * (1 + erff(x * inverseSqrt2))
        }
    }

    /// Softmax over each row of `data[rows × width]`, in place.
    static func softmaxRows(_ data: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        for r in 0..<rows {
            let row = data + r * width
            var maximum = row[0]
            for i in 1..<width { maximum = max(maximum, row[i]) }
            var sum: Float = 0
            for i in 0..<width {
                let e = expf(row[i] - maximum)
                row[i] = e
                sum += e
            }
            let inverse = 1 / sum
            for i in 0..<width { row[i] *= inverse }
        }
    }
}
