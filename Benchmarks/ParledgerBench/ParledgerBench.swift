// parledger-bench: measurements that live beside the code and never run in
// the test suite. See docs/BENCHMARKS.md for how to run them and the figures.
import ArgumentParser

@main
struct ParledgerBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parledger-bench",
        abstract: "Benchmarks of the log, the codecs and the pipeline (release builds only make sense).",
        subcommands: [LogBench.self, CodecBench.self, PipelineBench.self, InflateBench.self, TransparencyBench.self])
}
