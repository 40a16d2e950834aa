import Foundation

/// A tensor of 32-bit floats: its shape and its values in row-major order.
public struct Float32Tensor: Sendable, Equatable {
    /// Dimensions, outermost first. `[]` for a scalar.
    public let shape: [Int]
    /// `shape.reduce(1, *)` values, row-major.
    public let scalars: [Float]

    public init(shape: [Int], scalars: [Float]) {
        self.shape = shape
        self.scalars = scalars
    }
}

/// A safetensors file held in memory: an 8-byte little-endian header length, a JSON header
/// describing each tensor (dtype, shape, byte range), then the raw little-endian tensor data.
///
/// The whole header is validated on open, the way the reference implementation does: every byte
/// range lies inside the data section, agrees with its shape and dtype, and the ranges tile the data
/// section without gaps or overlaps. Taking a tensor afterwards can fail only for a wrong name or dtype.
/// See <https://github.com/huggingface/safetensors#format>.
public struct SafetensorsFile: Sendable {
    /// What the header says about one tensor.
    public struct TensorInfo: Sendable, Equatable {
        public let name: String
        /// The safetensors dtype name: `F32`, `F16`, `BF16`, `I64`, …
        public let dtype: String
        public let shape: [Int]
        /// The byte range inside the data section (after the header).
        public let dataOffsets: Range<Int>
    }

    /// safetensors refuses headers above 100 MB; so does this reader.
    public static let maximumHeaderLength = 100_000_000

    /// The `__metadata__` string map of the header (empty when absent).
    public let metadata: [String: String]
    /// Every tensor, by name.
    public let tensors: [String: TensorInfo]
    private let bytes: Data
    private let dataStart: Int

    /// Reads and validates the file at `url`.
    public init(contentsOf url: URL) throws(SafetensorsError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: url.path, reason: Self.reason(error))
        }
        try self.init(data: data)
    }

    /// Validates `data`, the bytes of a safetensors file.
    public init(data: Data) throws(SafetensorsError) {
        guard data.count >= 8 else { throw .truncatedPrefix(size: data.count) }
        let base = data.startIndex  // a slice of a larger Data does not start at 0
        var length: UInt64 = 0
        for i in (0..<8).reversed() { length = length << 8 | UInt64(data[base + i]) }
        let available = data.count - 8
        guard length <= UInt64(min(available, Self.maximumHeaderLength)) else {
            throw .headerTooLarge(length: length, available: available)
        }
        let headerEnd = 8 + Int(length)  // offsets from here on are relative to the first byte
        let header = try SafetensorsHeader.decode(data[(base + 8)..<(base + headerEnd)])
        let dataSize = data.count - headerEnd
        self.tensors = try Self.validate(header.tensors, dataSize: dataSize)
        self.metadata = header.metadata
        self.bytes = data
        self.dataStart = headerEnd
    }

    /// The tensor names, sorted.
    public var tensorNames: [String] { tensors.keys.sorted() }

    /// The `F32` tensor `name`, copied out of the file.
    public func float32Tensor(named name: String) throws(SafetensorsError) -> Float32Tensor {
        guard let info = tensors[name] else { throw .tensorNotFound(name: name) }
        guard info.dtype == "F32" else { throw .unexpectedDType(name: name, expected: "F32", actual: info.dtype) }
        let count = info.dataOffsets.count / MemoryLayout<Float>.size
        let start = dataStart + info.dataOffsets.lowerBound
        let scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                let source = UnsafeRawBufferPointer(rebasing: raw[start..<(start + count * MemoryLayout<Float>.size)])
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
            }
            #if _endian(big)
            for i in 0..<count { buffer[i] = Float(bitPattern: UInt32(littleEndian: buffer[i].bitPattern)) }
            #endif
            initialized = count
        }
        return Float32Tensor(shape: info.shape, scalars: scalars)
    }

    /// Bytes per element of the dtypes safetensors defines.
    static let elementSizes: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1,
        "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
        "I32": 4, "U32": 4, "F32": 4,
        "I64": 8, "U64": 8, "F64": 8,
    ]

    private static func validate(
        _ entries: [String: SafetensorsHeader.Entry], dataSize: Int
    ) throws(SafetensorsError) -> [String: TensorInfo] {
        var infos: [String: TensorInfo] = [:]
        for (name, entry) in entries {
            guard let elementSize = elementSizes[entry.dtype] else {
                throw .invalidTensor(name: name, reason: "unknown dtype \(entry.dtype)")
            }
            guard entry.dataOffsets.count == 2 else {
                throw .invalidTensor(name: name, reason: "data_offsets must hold two numbers")
            }
            let begin = entry.dataOffsets[0], end = entry.dataOffsets[1]
            guard begin >= 0, begin <= end, end <= dataSize else {
                throw .invalidTensor(name: name, reason: "data_offsets [\(begin), \(end)] outside the \(dataSize)-byte data section")
            }
            var elements = 1
            for dimension in entry.shape {
                guard dimension >= 0 else { throw .invalidTensor(name: name, reason: "negative dimension in shape \(entry.shape)") }
                let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                guard !overflow else { throw .invalidTensor(name: name, reason: "shape \(entry.shape) overflows") }
                elements = product
            }
            let (byteCount, overflow) = elements.multipliedReportingOverflow(by: elementSize)
            guard !overflow, byteCount == end - begin else {
                throw .invalidTensor(
                    name: name,
                    reason: "shape \(entry.shape) of \(entry.dtype) needs \(overflow ? "too many" : String(byteCount)) bytes, data_offsets give \(end - begin)")
            }
            infos[name] = TensorInfo(name: name, dtype: entry.dtype, shape: entry.shape, dataOffsets: begin..<end)
        }
        // The ranges must tile the data section: no gap, no overlap, nothing left over.
        var expected = 0
        for info in infos.values.sorted(by: { ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound) }) {
            guard info.dataOffsets.lowerBound == expected else {
                throw .invalidTensor(name: info.name, reason: "data starts at byte \(info.dataOffsets.lowerBound), expected \(expected) (gap or overlap)")
            }
            expected = info.dataOffsets.upperBound
        }
        guard expected == dataSize else {
            throw .invalidHeader(reason: "tensors cover \(expected) bytes but the data section has \(dataSize)")
        }
        return infos
    }

    static func reason(_ error: any Error) -> String {
        if let cocoa = error as? CocoaError, let underlying = cocoa.underlying {
            return "\(cocoa.localizedDescription) (\(underlying.localizedDescription))"
        }
        return (error as NSError).localizedDescription
    }
}
