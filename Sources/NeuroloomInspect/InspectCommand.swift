import NeuroloomStore

/// A parsed `neuroloom-inspect` command line. Ids are kept as typed text and parsed by
/// ``InspectRunner`` so that a malformed id is a usage error with a clear message.
public enum InspectCommand: Sendable, Equatable {
    case workspaces
    case stats(workspace: String, environment: WorkspaceEnvironment)
    case memories(workspace: String, environment: WorkspaceEnvironment, limit: Int?, after: String?)
    case memory(workspace: String, environment: WorkspaceEnvironment, memory: String)
    case keys(workspace: String?)
    case verify(workspace: String?)
    case backup(workspace: String, environment: WorkspaceEnvironment, destination: String)
}

/// How reports print: aligned tables (default) or one line of JSON (`--json`).
public enum OutputFormat: Sendable {
    case table
    case json
}

/// The process exit code of a command.
public enum ExitStatus: Int32, Sendable {
    /// The command ran; nothing is wrong.
    case ok = 0
    /// `verify` found problems.
    case problemsFound = 1
    /// A usage or I/O error (the message went to stderr).
    case failure = 2
}
