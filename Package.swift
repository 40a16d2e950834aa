// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "neuroloom",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LMDB", targets: ["LMDB"]),
        .library(name: "NeuroloomAPI", targets: ["NeuroloomAPI"]),
        .library(name: "NeuroloomEmbedding", targets: ["NeuroloomEmbedding"]),
        .library(name: "NeuroloomStore", targets: ["NeuroloomStore"]),
        .library(name: "NeuroloomHTTP", targets: ["NeuroloomHTTP"]),
        .library(name: "NeuroloomMCP", targets: ["NeuroloomMCP"]),
        .library(name: "NeuroloomClient", targets: ["NeuroloomClient"]),
        .library(name: "NeuroloomInspect", targets: ["NeuroloomInspect"]),
        .executable(name: "neuroloom", targets: ["neuroloom"]),
        .executable(name: "neuroloom-inspect", targets: ["neuroloom-inspect"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.60.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk.git", from: "0.12.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.21.0"),
    ],
    targets: [
        // The C library: Debian's liblmdb-dev, found through pkg-config.
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        // OpenBLAS's CBLAS interface: Debian's libopenblas-dev, found through pkg-config ("openblas").
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // Text embeddings: the BERT WordPiece tokenizer, a safetensors reader, the MiniLM forward pass.
        .target(name: "NeuroloomEmbedding", dependencies: ["COpenBLAS"]),
        // Embeddings from any OpenAI-compatible /v1/embeddings server (Ollama, llama.cpp, vLLM).
        .target(
            name: "NeuroloomRemoteEmbedding",
            dependencies: [
                "NeuroloomEmbedding",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Latency and throughput of MiniLMEmbedder (tools/bench-embed).
        .executableTarget(name: "embed-bench", dependencies: ["NeuroloomEmbedding"]),
        // A small, generic, safe wrapper over LMDB. Knows nothing about tenants.
        .target(name: "LMDB", dependencies: ["CLMDB"]),
        // Wire types shared by the server and (later) the client SDKs. No dependencies.
        .target(name: "NeuroloomAPI"),
        // The domain: workspaces, keys, the key resolver, grants, the storage actor, memories.
        .target(
            name: "NeuroloomStore",
            dependencies: [
                "LMDB",
                "NeuroloomAPI",
                "NeuroloomEmbedding",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The REST API over Hummingbird 2.
        .target(
            name: "NeuroloomHTTP",
            dependencies: [
                "NeuroloomStore",
                "NeuroloomAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/openapi.json"), .copy("Resources/web")]
        ),
        // The memory tools over MCP (official Swift SDK): Streamable HTTP at /mcp and stdio.
        .target(
            name: "NeuroloomMCP",
            dependencies: [
                "NeuroloomStore",
                "NeuroloomAPI",
                "NeuroloomHTTP",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "neuroloom",
            dependencies: [
                "NeuroloomStore",
                "NeuroloomHTTP",
                "NeuroloomMCP",
                "NeuroloomEmbedding",
                "NeuroloomRemoteEmbedding",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Offline, read-only inspection of a data directory: opens environments MDB_RDONLY itself,
        // beside the key resolver rather than through it. No server code.
        .target(name: "NeuroloomInspect", dependencies: ["LMDB", "NeuroloomStore", "NeuroloomAPI"]),
        .executableTarget(
            name: "neuroloom-inspect",
            dependencies: [
                "NeuroloomInspect",
                "NeuroloomStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The Swift client SDK. Depends on the wire types and AsyncHTTPClient only: no server code.
        .target(
            name: "NeuroloomClient",
            dependencies: [
                "NeuroloomAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The README's SDK example, compiled with every build so it cannot rot.
        .executableTarget(name: "neuroloom-client-example", dependencies: ["NeuroloomClient"]),
        // Search at scale through the store (tools/bench-search).
        .executableTarget(name: "bench-search", dependencies: ["NeuroloomStore", "NeuroloomEmbedding", "NeuroloomAPI"]),
        // The in-process cost of an authenticated GET through the responder, against a hello route.
        .executableTarget(
            name: "hot-path-bench",
            dependencies: [
                "NeuroloomHTTP",
                "NeuroloomStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        // A minimal Hummingbird app: the ceiling tools/bench-http measures the server against.
        .executableTarget(
            name: "hello-bench",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Helpers shared by every test target.
        .target(
            name: "NeuroloomTestSupport",
            dependencies: [.product(name: "PropertyBased", package: "swift-property-based")],
            path: "Tests/Support"
        ),
        .testTarget(
            name: "NeuroloomEmbeddingTests",
            dependencies: [
                "NeuroloomEmbedding",
                "NeuroloomTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "NeuroloomRemoteEmbeddingTests",
            dependencies: [
                "NeuroloomRemoteEmbedding",
                "NeuroloomEmbedding",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "LMDBTests",
            dependencies: ["LMDB", "NeuroloomTestSupport"]
        ),
        .testTarget(
            name: "NeuroloomStoreTests",
            dependencies: [
                "NeuroloomStore",
                "LMDB",
                "NeuroloomTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "NeuroloomInspectTests",
            dependencies: [
                "NeuroloomInspect",
                "NeuroloomStore",
                "NeuroloomAPI",
                "LMDB",
                "NeuroloomTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "NeuroloomHTTPTests",
            dependencies: [
                "NeuroloomHTTP",
                "NeuroloomStore",
                "NeuroloomInspect",
                "NeuroloomTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "NeuroloomMCPTests",
            dependencies: [
                "NeuroloomMCP",
                "NeuroloomHTTP",
                "NeuroloomStore",
                "NeuroloomAPI",
                "NeuroloomTestSupport",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "NeuroloomClientTests",
            dependencies: [
                "NeuroloomClient",
                "NeuroloomAPI",
                "NeuroloomHTTP",
                "NeuroloomStore",
                "NeuroloomTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
