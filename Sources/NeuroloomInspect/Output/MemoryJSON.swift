import NeuroloomAPI
import NeuroloomStore

/// A memory in the API's JSON shape, `{id, content, metadata, createdAt, updatedAt, workspaceId}`,
/// written member for member as the server writes it (metadata spliced in as stored, canonical),
/// so a `memories` dump is byte-for-byte what `GET /v1/memories/{id}` returns.
public enum MemoryJSON {
    public static func encode(_ memory: Memory) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(96 + memory.content.utf8.count + memory.metadataJSON.count)
        memory.writeJSON(into: &out)
        return out
    }

    /// The memory as the wire type shared with the clients.
    public static func record(_ memory: Memory) -> MemoryRecord {
        MemoryRecord(id: memory.id.description, content: memory.content, metadata: memory.metadata,
                     createdAt: memory.createdAt.iso8601, updatedAt: memory.updatedAt.iso8601,
                     workspaceId: memory.workspaceID.description)
    }
}
