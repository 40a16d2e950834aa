/// The names under which the store keeps its data, as documented in `ControlStore`, `Partition` and
/// `docs/search.md`. The inspector reads these databases directly (read-only), so it checks the
/// documented format itself rather than trusting the code that writes it.
enum Layout {
    /// Named databases of the control environment (`<root>/control`).
    enum Control {
        /// `"schema"` → format version (u64 BE).
        static let meta = "meta"
        /// Workspace ULID (16 bytes) → workspace record.
        static let workspaces = "workspaces"
        /// Key ULID (16 bytes) → key record.
        static let keys = "keys"
        /// SHA-256 of a secret (32 bytes) → key ULID (16 bytes).
        static let keyDigests = "keyDigests"
        /// Workspace ULID ‖ key ULID (32 bytes) → empty.
        static let workspaceKeys = "workspaceKeys"
    }

    /// Named databases of a partition environment (`<root>/workspaces/<ws>/<live|test>`).
    enum Partition {
        static let meta = "meta"
        /// Memory ULID (16 bytes) → memory record.
        static let memories = "memories"
        /// `embedder`, `dimension`, `docCount`, `totalLength`.
        static let indexMeta = "index_meta"
        /// Block number (u32 BE) → `count` (u32 LE), `count` × 16-byte ULIDs, `count` × `dimension` Float32 LE.
        static let vectors = "vectors"
        /// Memory ULID → block (u32 BE) + slot (u16 BE).
        static let vectorSlots = "vector_slots"
        /// Term (UTF-8) + `0x00` + memory ULID → term frequency (u32 BE).
        static let postings = "postings"
        /// Term → document frequency (u64 BE).
        static let terms = "terms"
        /// Memory ULID → token count (u32 BE).
        static let docLengths = "doc_lengths"
    }

    /// Keys of a partition's `index_meta` database.
    enum IndexMeta {
        /// The pinned embedder id (UTF-8). Absent: the partition is keyword-only (no vectors).
        static let embedder = "embedder"
        /// Vector dimension (u64 BE).
        static let dimension = "dimension"
        /// Memories in the keyword index (u64 BE).
        static let docCount = "docCount"
        /// Sum of the indexed memories' token counts (u64 BE).
        static let totalLength = "totalLength"
    }

    /// Most vectors one `vectors` block holds.
    static let vectorsPerBlock = 256
    /// The key under which each `meta` database keeps its format version.
    static let schemaKey = "schema"
}
