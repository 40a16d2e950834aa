import HTTPTypes
import HummingbirdTesting
import NeuroloomHTTP
import Testing

@Suite struct DashboardTests {
    @Test func dashboardAndClientAreServedWithStrictSecurityHeaders() async throws {
        let fixture = try HTTPFixture()
        try await fixture.run { client in
            for (path, type, marker) in [
                ("/", "text/html", "<html"), ("/index.html", "text/html", "<html"),
                ("/app.js", "text/javascript", "sdk/neuroloom.js"), ("/app.css", "text/css", ":root"),
                ("/sdk/neuroloom.js", "text/javascript", "export class Neuroloom"),
            ] {
                let reply = try await client.call(.get, path)
                #expect(reply.status == .ok, "\(path)")
                #expect(reply.headers[.contentType]?.hasPrefix(type) == true, "\(path)")
                #expect(reply.text.contains(marker), "\(path)")
                let policy = reply.headers[HTTPField.Name("Content-Security-Policy")!] ?? ""
                #expect(policy.contains("default-src 'self'"), "\(path)")
                #expect(!policy.contains("unsafe-inline"), "\(path)")
                #expect(reply.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(path)")
                #expect(reply.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer", "\(path)")
            }
            // The dashboard never needs a key to load, and the API behind it still does.
            #expect(try await client.call(.get, "/v1/workspace").status == .unauthorized)
            #expect(try await client.call(.get, "/nope.js").status == .notFound)
        }
    }
}
