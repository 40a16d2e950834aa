import LMDB
import NeuroloomAPI
@_spi(Operator) import NeuroloomStore

/// One workspace partition (`<root>/workspaces/<ws>/<live|test>`), opened read-only, with every
/// database of the documented layout (absent ones read as empty).
final class PartitionReader: EnvironmentReader {
    let workspace: WorkspaceID
    let partition: WorkspaceEnvironment
    let path: String
    let environment: Environment
    let meta: StoredTable
    let memories: StoredTable
    let indexMeta: StoredTable
    let vectors: StoredTable
    let vectorSlots: StoredTable
    let postings: StoredTable
    let terms: StoredTable
    let docLengths: StoredTable

    init(directory: DataDirectory, workspace: WorkspaceID, partition: WorkspaceEnvironment) throws(InspectError) {
        self.workspace = workspace
        self.partition = partition
        path = directory.partitionPath(workspace, partition)
        environment = try ReadOnlyEnvironment.open(path: path, missing: .partitionNotFound(workspace, partition))
        meta = try ReadOnlyEnvironment.table(Layout.Partition.meta, in: environment)
        memories = try ReadOnlyEnvironment.table(Layout.Partition.memories, in: environment)
        indexMeta = try ReadOnlyEnvironment.table(Layout.Partition.indexMeta, in: environment)
        vectors = try ReadOnlyEnvironment.table(Layout.Partition.vectors, in: environment)
        vectorSlots = try ReadOnlyEnvironment.table(Layout.Partition.vectorSlots, in: environment)
        postings = try ReadOnlyEnvironment.table(Layout.Partition.postings, in: environment)
        terms = try ReadOnlyEnvironment.table(Layout.Partition.terms, in: environment)
        docLengths = try ReadOnlyEnvironment.table(Layout.Partition.docLengths, in: environment)
    }

    /// Decodes one stored memory; throws ``InspectError/corruptRecord(_:)``.
    func decodeMemory(key: [UInt8], value: UnsafeRawBufferPointer) throws(InspectError) -> Memory {
        guard let ulid = ULID(storedBytes: key) else { throw .corruptRecord("memory key of \(key.count) bytes in \(path)") }
        let id = MemoryID(ulid: ulid)
        do {
            return try Memory(decodingRecord: value, id: id, workspaceID: workspace)
        } catch {
            throw .corruptRecord("memory \(id) in \(path)")
        }
    }

    /// The memory stored under `id`, or `nil`.
    func memory(_ id: MemoryID, in txn: ReadTransaction) throws -> Memory? {
        try memories.withValue(forKey: id.ulid.bytes, in: txn) { bytes in
            try bytes.map { try decodeMemory(key: id.ulid.bytes, value: $0) }
        }
    }

    /// The `index_meta` entries.
    func indexMetadata(in txn: ReadTransaction) throws -> IndexMetadata {
        var metadata = IndexMetadata()
        try indexMeta.forEach(in: txn) { key, value in
            metadata.record(key: String(decoding: key, as: UTF8.self), value: value)
            return true
        }
        return metadata
    }
}

/// A partition's `index_meta`, decoded. Entries present with a value of the wrong size are listed
/// in `malformed`.
struct IndexMetadata: Equatable {
    var embedder: String?
    var dimension: UInt64?
    var docCount: UInt64?
    var totalLength: UInt64?
    var malformed: [String] = []

    mutating func record(key: String, value: [UInt8]) {
        switch key {
        case Layout.IndexMeta.embedder:
            if let text = String(validating: value, as: UTF8.self), !text.isEmpty { embedder = text } else { malformed.append(key) }
        case Layout.IndexMeta.dimension: dimension = number(value, key)
        case Layout.IndexMeta.docCount: docCount = number(value, key)
        case Layout.IndexMeta.totalLength: totalLength = number(value, key)
        default: break
        }
    }

    /// A u64 BE value, or `nil` (noted as malformed) for bytes of another size.
    private mutating func number(_ value: [UInt8], _ key: String) -> UInt64? {
        let number = IndexFormat.bigEndianUInt64(value)
        if number == nil { malformed.append(key) }
        return number
    }
}
