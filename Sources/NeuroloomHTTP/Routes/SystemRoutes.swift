import Foundation
import Hummingbird
import NeuroloomStore
import NIOCore

/// Unauthenticated routes: `/healthz`, `/metrics` (Prometheus text) and `/openapi.json`.
struct SystemRoutes {
    let storage: WorkspaceStorage
    let metrics: ServerMetrics

    func register(on router: Router<APIRequestContext>) {
        router.get("/healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        router.get("/metrics") { _, _ in
            metrics.openPartitions.record(await storage.openPartitionCount)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
        let document = OpenAPIDocument.bytes
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: document)))
        }
    }
}

/// The OpenAPI 3.1 description of the API, kept in the repository (Resources/openapi.json).
public enum OpenAPIDocument {
    public static let bytes: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
              let data = try? Data(contentsOf: url)
        else { return Array(#"{"error":"openapi.json missing from the build"}"#.utf8) }
        return Array(data)
    }()
}
