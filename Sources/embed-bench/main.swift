// embed-bench: latency and throughput of MiniLMEmbedder.
//
//   embed-bench [--model DIR] [--sentences FILE]
//   embed-bench --print-sentences      (the built-in sentences, one a line)
//
// Embeds each sentence one at a time through a one-worker embedder (one thread), then the whole
// list as one batch on one worker and on every core. The last line is a JSON summary for tools/bench-embed.
import Foundation
import NeuroloomEmbedding

struct Options {
    var model = MiniLMEmbedder.defaultDirectory
    var sentences: URL?
    var printSentences = false

    init(_ arguments: [String]) throws {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--model":
                guard let value = iterator.next() else { throw UsageError("--model needs a directory") }
                model = URL(filePath: value, directoryHint: .isDirectory)
            case "--print-sentences":
                printSentences = true
            case "--sentences":
                guard let value = iterator.next() else { throw UsageError("--sentences needs a file") }
                sentences = URL(filePath: value)
            default:
                throw UsageError("unknown argument \(argument); usage: embed-bench [--model DIR] [--sentences FILE] | --print-sentences")
            }
        }
    }
}

struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// 200 short sentences of the kind an agent stores as memories.
func builtInSentences() -> [String] {
    let subjects = ["The user", "Our deploy", "The build", "Alice", "The API gateway", "The nightly job", "Bob", "The cache", "The database", "This agent"]
    let verbs = ["prefers", "failed on", "depends on", "mentioned", "retried", "timed out on", "fixed", "configured", "reported", "ignored"]
    let objects = ["dark mode in the editor.", "the staging cluster.", "Postgres 16.", "a flaky integration test.", "ERR_CONN_RESET twice.",
                   "the Friday release.", "rate limits of 100 rps.", "the Berlin office.", "TLS certificates.", "the vector index."]
    var sentences: [String] = []
    for i in 0..<200 { sentences.append("\(subjects[i % 10]) \(verbs[(i / 10) % 10]) \(objects[(i * 7 + i / 10) % 10])") }
    return sentences
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

/// CPU time of the whole process (user + system): unlike wall time, it does not grow while other
/// processes hold the cores.
func processCPUMilliseconds() -> Double {
    var usage = rusage()
    #if canImport(Glibc)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    func ms(_ t: timeval) -> Double { Double(t.tv_sec) * 1000 + Double(t.tv_usec) / 1000 }
    return ms(usage.ru_utime) + ms(usage.ru_stime)
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

func main() async throws {
    let options = try Options(CommandLine.arguments)
    if options.printSentences {
        for sentence in builtInSentences() { print(sentence) }
        return
    }
    let sentences = try options.sentences.map {
        try String(contentsOf: $0, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    } ?? builtInSentences()
    #if DEBUG
    let build = "debug"
    #else
    let build = "release"
    #endif
    let clock = ContinuousClock()

    var loaded = clock.now
    let single = try MiniLMEmbedder.load(directory: options.model, concurrency: 1)
    let loadMs = milliseconds(clock.now - loaded)
    let meanTokens = Double(sentences.map { single.tokenizer.encode($0).count }.reduce(0, +)) / Double(sentences.count)
    print("embed-bench (\(build)): \(single.id), \(sentences.count) sentences, \(String(format: "%.1f", meanTokens)) tokens on average, loaded in \(Int(loadMs)) ms")

    for sentence in sentences.prefix(20) { _ = try await single.embed([sentence]) }  // warm-up

    var times: [Double] = []
    let cpuStart = processCPUMilliseconds()
    for sentence in sentences {
        let start = clock.now
        _ = try await single.embed([sentence])
        times.append(milliseconds(clock.now - start))
    }
    let cpuPerSentence = (processCPUMilliseconds() - cpuStart) / Double(sentences.count)
    times.sort()
    let mean = times.reduce(0, +) / Double(times.count)
    let p50 = percentile(times, 0.5), p99 = percentile(times, 0.99), fastest = times[0]
    print(String(format: "one at a time, 1 thread: p50 %.2f ms, p99 %.2f ms, mean %.2f ms, min %.2f ms per sentence; CPU %.2f ms per sentence",
                 p50, p99, mean, fastest, cpuPerSentence))

    var start = clock.now
    _ = try await single.embed(sentences)
    let batchOne = Double(sentences.count) / (milliseconds(clock.now - start) / 1000)
    print(String(format: "one batch, 1 thread: %.0f sentences/s", batchOne))

    loaded = clock.now
    let parallel = try MiniLMEmbedder.load(directory: options.model)
    _ = try await parallel.embed(Array(sentences.prefix(64)))  // warm-up
    start = clock.now
    _ = try await parallel.embed(sentences)
    let batchAll = Double(sentences.count) / (milliseconds(clock.now - start) / 1000)
    print(String(format: "one batch, %d threads: %.0f sentences/s", parallel.concurrency, batchAll))

    let summary: [String: Any] = [
        "build": build, "sentences": sentences.count, "meanTokens": meanTokens,
        "p50_ms": p50, "p99_ms": p99, "mean_ms": mean, "min_ms": fastest, "cpu_ms": cpuPerSentence,
        "batch1_per_s": batchOne, "batchAll_per_s": batchAll, "threads": parallel.concurrency,
    ]
    let json = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
}

do {
    try await main()
} catch {
    FileHandle.standardError.write(Data("embed-bench: \(error)\n".utf8))
    exit(1)
}
