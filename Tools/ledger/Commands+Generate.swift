#if canImport(Glibc)
import Glibc
#endif
import Ledger
import LedgerGenerator

extension Commands {
    /// `ledger generate --units N [--seed S] [--out FILE]`: a simulated dealer network's events as JSON Lines.
    ///
    /// Writes to standard output, or to FILE (created or truncated, then synced) with a one-line
    /// summary on standard output. The same units and seed always give the same bytes.
    static func generate(_ arguments: Arguments, _ output: inout Output) throws(LedgerError) {
        try arguments.expect(options: ["units", "seed", "out"])
        guard let units = try arguments.integer("units", in: 0...Int64(GeneratorConfiguration.unitsMax)) else {
            throw LedgerError(.usage, "generate needs --units N, the number of units to sell (see `ledger help`)")
        }
        let seed = try arguments.integer("seed", in: 0...Int64.max) ?? 1
        let configuration = GeneratorConfiguration(units: Int(units), seed: UInt64(seed))
        let generator = EventGenerator(configuration)

        guard let path = arguments.options["out"] else {
            let progress = ProgressLine(verb: "generate")
            defer { progress.finish() }
            generator.writeJSONLines(progress: progress.handler.map { handler in { handler(Int64($0), nil) } }) {
                (chunk: [UInt8]) in output.write(bytes: chunk)
            }
            return
        }
        guard !path.isEmpty else { throw LedgerError(.usage, "--out needs a file name") }
        let count = try generateFile(generator, path: path)
        output.write("generated \(count) events (\(units) units, seed \(seed), \(configuration.startDay) to \(configuration.endDay)) into \(path)\n")
    }

    /// Writes the generator's events as JSON Lines into `path` (created or truncated, then synced); returns the event count.
    static func generateFile(_ generator: EventGenerator, path: String) throws(LedgerError) -> Int {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw LedgerError(errno == ENOENT ? .notFound : .io, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        var closed = false
        defer { if !closed { close(descriptor) } }
        let progress = ProgressLine(verb: "generate")
        defer { progress.finish() }
        let count = try generator.writeJSONLines(progress: progress.handler.map { handler in { handler(Int64($0), nil) } }) {
            (chunk: [UInt8]) throws(LedgerError) in try writeAll(descriptor, chunk, path: path)
        }
        guard fsync(descriptor) == 0 else {
            throw LedgerError(.io, "cannot sync \(path): \(String(cString: strerror(errno)))")
        }
        closed = true
        guard close(descriptor) == 0 else {
            throw LedgerError(.io, "cannot close \(path): \(String(cString: strerror(errno)))")
        }
        return count
    }

    /// Writes every byte of `bytes` to the file, or throws naming it.
    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws(LedgerError) {
        if let failure = Output.writeAll(descriptor, bytes) {
            throw LedgerError(.io, "cannot write \(path): \(String(cString: strerror(failure)))")
        }
    }
}
