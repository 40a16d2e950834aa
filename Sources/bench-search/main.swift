// Search at scale, in process, through the store's own write and search paths (tools/bench-search).
//
//   bench-search CORPUS QUERIES COUNT MODELS_DIR
//
// CORPUS: one text per line (the first COUNT are stored); QUERIES: one query per line.
// Stored vectors come from a deterministic STAND-IN (a unit vector seeded by each text, labelled so in
// the output) because embedding 100,000 texts would take most of an hour on two cores; the keyword
// index, every query-time step and the query embeddings (the real all-MiniLM-L6-v2) are real.
// Prints one JSON object.
//
// Seed-only mode (tools/bench-starvation): with env BENCH_SEARCH_SEED_ONLY=DATA_DIR, load the first
// COUNT texts of CORPUS the same way into a new workspace in DATA_DIR (kept), print
// {"liveKey", "memoryId", "memories", "loadSeconds"} and exit; QUERIES is not read. A server started
// on DATA_DIR with the real model then searches these stand-in vectors.
import Foundation
import NeuroloomAPI
import NeuroloomEmbedding
@_spi(Operator) import NeuroloomStore

/// A unit vector per text from a seeded generator: stands in for the model when loading.
struct StandInEmbedder: Embedder {
    let id: String
    let dimension: Int
    func embed(_ texts: [String]) async throws -> [[Float]] {
        texts.map { text in
            var state = text.utf8.reduce(UInt64(0xcbf29ce484222325)) { ($0 ^ UInt64($1)) &* 0x100000001b3 }
            var vector = (0..<dimension).map { _ -> Float in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int64(bitPattern: state >> 11) % 2_000_001 - 1_000_000) / 1_000_000
            }
            l2normalize(&vector)
            return vector
        }
    }
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

let arguments = CommandLine.arguments
guard arguments.count == 5, let count = Int(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: bench-search CORPUS QUERIES COUNT MODELS_DIR\n".utf8))
    exit(2)
}
let corpus = Array(try String(contentsOfFile: arguments[1], encoding: .utf8).split(separator: "\n").map(String.init).prefix(count))
let seedOnly = ProcessInfo.processInfo.environment["BENCH_SEARCH_SEED_ONLY"].flatMap { $0.isEmpty ? nil : $0 }
let queries = seedOnly == nil ? try String(contentsOfFile: arguments[2], encoding: .utf8).split(separator: "\n").map(String.init) : []
let model = try MiniLMEmbedder.load(directory: URL(fileURLWithPath: arguments[4]).appendingPathComponent(MiniLMEmbedder.modelName), concurrency: 1)

let root = seedOnly ?? NSTemporaryDirectory() + "neuroloom-bench-search-\(UUID().uuidString)"
defer { if seedOnly == nil { try? FileManager.default.removeItem(atPath: root) } }
let directory = DataDirectory(root: root)
let control = try ControlStore(directory: directory)
let resolver = KeyResolver(control: control)
let (_, liveKey, _) = try control.createWorkspace(name: "bench")
let grant = try resolver.resolve(liveKey.secret.value)

// Load through the normal batch write path with stand-in vectors under the real model's id.
var loading = StorageConfiguration()
loading.embedder = StandInEmbedder(id: model.id, dimension: model.dimension)
let loader = WorkspaceStorage(directory: directory, resolver: resolver, configuration: loading)
let clock = ContinuousClock()
let loadStart = clock.now
var firstId: String?
for start in stride(from: 0, to: corpus.count, by: 100) {
    let batch = corpus[start..<min(corpus.count, start + 100)].enumerated().map { offset, text in
        NewMemory(content: text, metadata: ["bucket": .integer(Int64((start + offset) % 10))])
    }
    let created = try await loader.batchCreateMemories(batch, grant: grant)
    if firstId == nil { firstId = created.first?.id.description }
}
let loadSeconds = milliseconds(clock.now - loadStart) / 1000
await loader.closeAll()

if seedOnly != nil {
    let seeded: [String: Any] = ["liveKey": liveKey.secret.value, "memoryId": firstId ?? "", "memories": corpus.count, "loadSeconds": loadSeconds]
    print(String(decoding: try JSONSerialization.data(withJSONObject: seeded, options: [.sortedKeys]), as: UTF8.self))
    exit(0)
}

// Search with the real model embedding each query (no query cache: every query pays the model).
var searching = StorageConfiguration()
searching.embedder = model
searching.queryCacheSize = 0
let storage = WorkspaceStorage(directory: directory, resolver: resolver, configuration: searching)
_ = try await storage.searchMemories(SearchRequest(query: "warm up", mode: .hybrid), grant: grant)

var results: [String: [String: Double]] = [:]
let filter = try MetadataFilter(parsing: ["bucket": 3])
for mode in SearchMode.allCases {
    for filtered in [false, true] {
        var times: [Double] = []
        for query in queries {
            let request = try SearchRequest(query: query, topK: 10, filter: filtered ? filter : nil, mode: mode)
            let start = clock.now
            _ = try await storage.searchMemories(request, grant: grant)
            times.append(milliseconds(clock.now - start))
        }
        results["\(mode.rawValue)\(filtered ? "+filter" : "")"] = ["p50": percentile(times, 0.5), "p99": percentile(times, 0.99)]
    }
}
// The parts: query embedding alone, and the vector scan alone.
var embedTimes: [Double] = [], scanTimes: [Double] = []
var scanned = 0
for query in queries.prefix(100) {
    let start = clock.now
    let vector = try await model.embed(query)
    embedTimes.append(milliseconds(clock.now - start))
    let scanStart = clock.now
    scanned = try await storage.scanVectors(vector, grant: grant)
    scanTimes.append(milliseconds(clock.now - scanStart))
}
results["embed-query"] = ["p50": percentile(embedTimes, 0.5), "p99": percentile(embedTimes, 0.99)]
results["vector-scan"] = ["p50": percentile(scanTimes, 0.5), "p99": percentile(scanTimes, 0.99)]
await storage.closeAll()

let output: [String: Any] = [
    "memories": corpus.count, "vectorsScanned": scanned, "queries": queries.count,
    "storedVectors": "stand-in (unit vectors seeded by each text), stored under \(model.id)",
    "loadSeconds": loadSeconds, "timingsMs": results,
]
print(String(decoding: try JSONSerialization.data(withJSONObject: output, options: [.sortedKeys]), as: UTF8.self))
