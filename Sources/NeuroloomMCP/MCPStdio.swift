import Logging
import MCP
import NeuroloomHTTP
import NeuroloomStore

/// Why ``runMCPStdio(services:apiKey:logger:)`` could not start.
public struct MCPStdioError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Serves the memory tools over MCP on stdin/stdout until stdin closes, then shuts `services`
/// down. The key is resolved once up front (a key that does not work is an error before anything
/// is served) and again on every call, so revoking it takes effect on the next call.
///
/// stdout carries only MCP messages: log through `logger` (to stderr) and print nothing.
public func runMCPStdio(services: NeuroloomServices, apiKey: String,
                        logger: Logger = Logger(label: "neuroloom.mcp")) async throws {
    do {
        _ = try services.resolver.resolve(apiKey)
    } catch is AuthenticationFailure {
        await services.shutdown()
        throw MCPStdioError(description: "NEUROLOOM_API_KEY is not a valid API key for the data directory \(services.configuration.dataDirectory) (unknown, revoked or expired)")
    } catch {
        await services.shutdown()
        throw MCPStdioError(description: "the key store in \(services.configuration.dataDirectory) cannot be read right now: \(error)")
    }
    let server = await NeuroloomMCPServer.make(
        storage: services.storage, grants: .presentedKey(apiKey, resolver: services.resolver), logger: logger)
    let transport = ExactArgumentsTransport(wrapping: StdioTransport(logger: logger), logger: logger)
    do {
        try await server.start(transport: transport)
    } catch {
        await server.stop()
        await services.shutdown()
        throw error
    }
    logger.info("MCP server on stdio", metadata: ["dataDirectory": .string(services.configuration.dataDirectory)])
    await server.waitUntilCompleted()
    await server.stop()
    await services.shutdown()
}
