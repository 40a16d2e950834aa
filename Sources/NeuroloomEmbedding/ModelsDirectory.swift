import Foundation

/// The directory that holds one subdirectory per model (`<models>/all-MiniLM-L6-v2/`).
///
/// `NEUROLOOM_MODELS` when set and not empty (a relative path is taken from the working directory),
/// else `./data/models` relative to the working directory. `tools/fetch-model` fills the same place.
public func defaultModelsDirectory() -> URL {
    defaultModelsDirectory(
        environment: ProcessInfo.processInfo.environment,
        workingDirectory: FileManager.default.currentDirectoryPath
    )
}

/// ``defaultModelsDirectory()`` for a given environment and working directory.
public func defaultModelsDirectory(environment: [String: String], workingDirectory: String) -> URL {
    let base = URL(filePath: workingDirectory, directoryHint: .isDirectory)
    if let configured = environment["NEUROLOOM_MODELS"], !configured.isEmpty {
        if configured.hasPrefix("/") { return URL(filePath: configured, directoryHint: .isDirectory).standardizedFileURL }
        return base.appending(path: configured, directoryHint: .isDirectory).standardizedFileURL
    }
    return base.appending(path: "data/models", directoryHint: .isDirectory).standardizedFileURL
}
