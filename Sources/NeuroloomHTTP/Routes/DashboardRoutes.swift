import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// The web dashboard and the JavaScript client, served from the files in `Resources/web` (no build
/// step). Public routes: the page holds no data until the user pastes a key, which the page sends
/// only to this origin. Every response carries a strict Content-Security-Policy.
struct DashboardRoutes {
    /// One static file, read once at start.
    struct Asset: Sendable {
        let bytes: ByteBuffer
        let contentType: String
    }

    /// URL path → file under `Resources/web`.
    static let files: [(path: String, file: String, contentType: String)] = [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/index.html", "index.html", "text/html; charset=utf-8"),
        ("/app.js", "app.js", "text/javascript; charset=utf-8"),
        ("/app.css", "app.css", "text/css; charset=utf-8"),
        ("/sdk/neuroloom.js", "sdk/neuroloom.js", "text/javascript; charset=utf-8"),
    ]

    static let securityHeaders: HTTPFields = [
        HTTPField.Name("Content-Security-Policy")!:
            "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        .cacheControl: "no-cache",
    ]

    /// The assets found in the bundle; a missing file is left out (and its route answers 404).
    static let assets: [String: Asset] = {
        guard let root = Bundle.module.resourceURL?.appendingPathComponent("web") else { return [:] }
        var assets: [String: Asset] = [:]
        for entry in files {
            guard let data = try? Data(contentsOf: root.appendingPathComponent(entry.file)) else { continue }
            assets[entry.path] = Asset(bytes: ByteBuffer(bytes: data), contentType: entry.contentType)
        }
        return assets
    }()

    func register(on router: Router<APIRequestContext>) {
        for (path, asset) in Self.assets {
            router.get(RouterPath(path)) { _, _ in
                var headers = Self.securityHeaders
                headers[.contentType] = asset.contentType
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: asset.bytes))
            }
        }
        // Browsers ask for it; answering keeps their consoles quiet.
        router.get("/favicon.ico") { _, _ in Response(status: .noContent, headers: Self.securityHeaders) }
    }
}
