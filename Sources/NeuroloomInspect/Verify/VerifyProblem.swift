import NeuroloomStore

/// One inconsistency `verify` found. `kind` says what is wrong; the location fields say where
/// (`nil` when not applicable); `message` gives the figures.
public struct VerifyProblem: Codable, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        // Environments and records
        /// An environment could not be opened or read.
        case unreadableEnvironment
        /// `meta["schema"]` is missing or not the version this release reads.
        case unsupportedSchema
        /// A database key of the wrong shape (e.g. a memory key that is not 16 bytes).
        case malformedKey
        /// An index or control value of the wrong size.
        case malformedValue
        /// A workspace, key or memory record that does not decode (or metadata that is not a JSON object).
        case corruptRecord

        // Control environment
        /// A key record whose workspace has no record.
        case keyForMissingWorkspace
        /// A key that is not the target of exactly one `keyDigests` entry.
        case keyDigestCountMismatch
        /// A `keyDigests` entry pointing at a missing key.
        case danglingKeyDigest
        /// A key with no `workspaceKeys` entry.
        case keyNotListed
        /// A `workspaceKeys` entry pointing at a missing key, or at a key of another workspace.
        case danglingWorkspaceKey

        // Data directory
        /// A directory under `workspaces/` with no workspace record.
        case directoryWithoutWorkspace
        /// Something under `workspaces/` that is neither a workspace id nor `live`/`test`.
        case unexpectedDirectoryEntry

        // Keyword index
        /// A memory without its `doc_lengths` entry.
        case missingDocLength
        /// A `doc_lengths` entry different from the memory's token count.
        case docLengthMismatch
        /// A `doc_lengths` entry for a memory that does not exist.
        case docLengthForMissingMemory
        /// A memory whose terms (some or all) have no posting.
        case missingPostings
        /// A posting whose frequency differs from the term's count in the memory.
        case postingFrequencyMismatch
        /// A posting pointing at a memory that does not exist.
        case postingForMissingMemory
        /// A posting for a term the memory's content does not have.
        case postingForAbsentTerm
        /// `terms[t]` differs from the number of postings of `t` (or one of them is absent).
        case termCountMismatch
        /// `index_meta.docCount` differs from the number of memories.
        case docCountMismatch
        /// `index_meta.totalLength` differs from the sum of `doc_lengths`.
        case totalLengthMismatch

        // Vectors (only when the partition has an embedder)
        /// A memory without a `vector_slots` entry.
        case missingVector
        /// A `vector_slots` entry whose block does not hold the memory at that slot.
        case vectorSlotMismatch
        /// A `vector_slots` entry for a memory that does not exist.
        case vectorSlotForMissingMemory
        /// A vector (block entry) for a memory that does not exist.
        case vectorForMissingMemory
        /// A vector whose memory's `vector_slots` entry points elsewhere (or is absent).
        case vectorWithoutSlot
        /// A block whose size does not match its count and the dimension.
        case malformedVectorBlock
        /// A vector whose norm is not 1.
        case vectorNotNormalised
        /// Vectors stored in a partition with no `embedder` entry.
        case vectorsWithoutEmbedder
        /// An `embedder` entry without a usable `dimension`.
        case missingDimension
    }

    public var kind: Kind
    public var workspace: String?
    public var environment: String?
    public var memory: String?
    public var term: String?
    public var message: String

    public init(kind: Kind, workspace: String? = nil, environment: String? = nil, memory: String? = nil, term: String? = nil, message: String) {
        self.kind = kind
        self.workspace = workspace
        self.environment = environment
        self.memory = memory
        self.term = term
        self.message = message
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(workspace, forKey: .workspace)
        try container.encode(environment, forKey: .environment)
        try container.encode(memory, forKey: .memory)
        try container.encode(term, forKey: .term)
        try container.encode(message, forKey: .message)
    }

    public var description: String {
        var location = [workspace, environment].compactMap { $0 }.joined(separator: "/")
        if let memory { location += (location.isEmpty ? "" : " ") + memory }
        if let term { location += (location.isEmpty ? "" : " ") + "term '\(term)'" }
        return (location.isEmpty ? "" : location + ": ") + kind.rawValue + ": " + message
    }
}

/// Problems of one place (a partition or the control environment), gathered as checks run.
final class ProblemList {
    let workspace: WorkspaceID?
    let environment: WorkspaceEnvironment?
    private(set) var problems: [VerifyProblem] = []

    init(workspace: WorkspaceID? = nil, environment: WorkspaceEnvironment? = nil) {
        self.workspace = workspace
        self.environment = environment
    }

    func removeAll() { problems.removeAll() }

    func add(_ kind: VerifyProblem.Kind, memory: MemoryID? = nil, term: String? = nil, workspace: WorkspaceID? = nil, _ message: String) {
        problems.append(VerifyProblem(kind: kind, workspace: (workspace ?? self.workspace)?.description, environment: environment?.rawValue,
                                      memory: memory?.description, term: term, message: message))
    }
}
