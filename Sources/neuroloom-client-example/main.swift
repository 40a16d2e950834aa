// The README's Swift SDK example, kept compiling by the build: store a memory, then search for it.
//
//     export NEUROLOOM_API_KEY=nlk_live_…        # a write key
//     swift run neuroloom-client-example         # NEUROLOOM_URL overrides http://127.0.0.1:8080
import Foundation
import NeuroloomClient

let baseURL = ProcessInfo.processInfo.environment["NEUROLOOM_URL"] ?? "http://127.0.0.1:8080"

do {
    let client = try Neuroloom(baseURL: baseURL)   // the key from NEUROLOOM_API_KEY

    let memory = try await client.memories.create(
        content: "The user prefers dark mode",
        metadata: ["topic": "ui", "priority": 2]
    )
    print("stored \(memory.id)")

    let hits = try await client.memories.search(query: "dark mode", topK: 5, filters: ["priority": ["$gte": 2]])
    for hit in hits {
        print("\(hit.score)  \(hit.content)")
    }
} catch let error as NeuroloomError {
    print(error)
    exit(1)
} catch {
    print("failed: \(error)")
    exit(1)
}
