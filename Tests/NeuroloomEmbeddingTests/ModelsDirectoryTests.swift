import Foundation
import NeuroloomEmbedding
import Testing

@Suite("defaultModelsDirectory")
struct ModelsDirectoryTests {
    @Test("./data/models under the working directory by default")
    func fallback() {
        #expect(defaultModelsDirectory(environment: [:], workingDirectory: "/srv/neuroloom").path == "/srv/neuroloom/data/models")
        #expect(defaultModelsDirectory(environment: ["NEUROLOOM_MODELS": ""], workingDirectory: "/srv").path == "/srv/data/models")
    }

    @Test("NEUROLOOM_MODELS, absolute or relative to the working directory")
    func environment() {
        #expect(defaultModelsDirectory(environment: ["NEUROLOOM_MODELS": "/opt/models"], workingDirectory: "/srv").path == "/opt/models")
        #expect(defaultModelsDirectory(environment: ["NEUROLOOM_MODELS": "m/../models"], workingDirectory: "/srv").path == "/srv/models")
    }
}
