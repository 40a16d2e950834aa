import MCP
import Testing

/// Tool arguments that used to be able to trap the process (issue 13) are tool errors naming the field.
@Suite struct MCPInputTests {
    @Test func timesAndHugeNumbersInToolArgumentsAreToolErrors() async throws {
        let fixture = try MCPFixture()
        let session = try await fixture.connect(fixture.admin)
        let found = try await session.call("memory_search", ["query": "x", "filters": ["createdAt": ["$gte": "2026-01-01T00:00:00.123456Z"]]])
        #expect(!found.isError, "\(found.text)")
        let badTime = try await session.call("memory_search", ["query": "x", "filters": ["createdAt": ["$gte": "2026-01-01T00:00:00.Z"]]])
        #expect(badTime.isError)
        #expect(badTime.text.contains("filters.createdAt.$gte"), "\(badTime.text)")
        for limit: Value in [.double(1e300), .double(-1e300), .double(2.5), .int(Int.max), .int(Int.min)] {
            let listed = try await session.call("memory_list", ["limit": limit])
            #expect(listed.isError, "\(limit): \(listed.text)")
            #expect(listed.text.contains("limit"), "\(limit): \(listed.text)")
        }
        let hugeTopK = try await session.call("memory_search", ["query": "x", "topK": .double(1e300)])
        #expect(hugeTopK.isError)
        #expect(hugeTopK.text.contains("topK"), "\(hugeTopK.text)")
        await session.close()
    }
}
