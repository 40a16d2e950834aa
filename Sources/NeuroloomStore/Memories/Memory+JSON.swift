import NeuroloomAPI

extension Memory {
    /// Appends the API's memory object, `{id, content, metadata, createdAt, updatedAt, workspaceId}`,
    /// with the stored canonical metadata spliced in as is. The one writer of this shape: the HTTP
    /// responses, the MCP tools and `neuroloom-inspect`'s dumps all go through it.
    public func writeJSON(into out: inout [UInt8]) {
        out.append(contentsOf: #"{"id":"#.utf8); JSONWriter.writeString(id.description, into: &out)
        out.append(contentsOf: #","content":"#.utf8); JSONWriter.writeString(content, into: &out)
        out.append(contentsOf: #","metadata":"#.utf8); out.append(contentsOf: metadataJSON)
        out.append(contentsOf: #","createdAt":"#.utf8); JSONWriter.writeString(createdAt.iso8601, into: &out)
        out.append(contentsOf: #","updatedAt":"#.utf8); JSONWriter.writeString(updatedAt.iso8601, into: &out)
        out.append(contentsOf: #","workspaceId":"#.utf8); JSONWriter.writeString(workspaceID.description, into: &out)
        out.append(UInt8(ascii: "}"))
    }
}
