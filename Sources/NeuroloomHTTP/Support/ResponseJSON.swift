import HTTPTypes
import Hummingbird
import NeuroloomAPI
import NeuroloomStore
import NIOCore

/// Writes the API's JSON shapes directly into bytes: no intermediate Codable structs on the hot path.
public struct ResponseJSON {
    public private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func string(_ text: String) { JSONWriter.writeString(text, into: &bytes) }

    mutating func integer(_ value: Int) { bytes.append(contentsOf: String(value).utf8) }

    mutating func optionalString(_ text: String?) {
        if let text { string(text) } else { raw("null") }
    }

    mutating func memory(_ memory: Memory) { memory.writeJSON(into: &bytes) }

    mutating func memories(_ memories: [Memory]) {
        raw("[")
        for (index, item) in memories.enumerated() {
            if index > 0 { raw(",") }
            memory(item)
        }
        raw("]")
    }

    mutating func searchResult(_ result: SearchResult) {
        let memory = result.memory
        raw(#"{"id":"#); string(memory.id.description)
        raw(#","content":"#); string(memory.content)
        raw(#","score":"#); JSONWriter.write(.number((result.score * 1_000_000).rounded() / 1_000_000), into: &bytes)
        raw(#","metadata":"#); bytes.append(contentsOf: memory.metadataJSON)
        raw(#","createdAt":"#); string(memory.createdAt.iso8601)
        raw(#","updatedAt":"#); string(memory.updatedAt.iso8601)
        raw("}")
    }

    /// A key's public record; `secret` adds the `key` member (only when it was just created).
    mutating func key(_ record: APIKeyRecord, secret: APIKeySecret? = nil) {
        raw(#"{"id":"#); string(record.id.description)
        raw(#","name":"#); string(record.name)
        raw(#","scope":"#); string(record.scope.rawValue)
        raw(#","environment":"#); string(record.environment.rawValue)
        if let secret { raw(#","key":"#); string(secret.value) }
        raw(#","preview":"#); string(record.preview)
        raw(#","createdAt":"#); string(record.createdAt.iso8601)
        raw(#","expiresAt":"#); optionalString(record.expiresAt?.iso8601)
        if secret == nil { raw(#","lastUsedAt":"#); optionalString(record.lastUsedAt?.iso8601) }
        raw("}")
    }

    func response(_ status: HTTPResponse.Status = .ok) -> Response {
        ResponseJSON.response(bytes, status)
    }

    static func response(_ bytes: [UInt8], _ status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: jsonHeaders(), body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `Content-Type: application/json`, with room for the fields the middleware appends to every
    /// API response (rate limit, request id, length), so appending them never regrows the storage.
    static func jsonHeaders() -> HTTPFields {
        var headers = HTTPFields()
        headers.reserveCapacity(8)
        headers.append(HTTPField(name: .contentType, value: "application/json; charset=utf-8"))
        return headers
    }
}
