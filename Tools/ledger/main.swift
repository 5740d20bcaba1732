#if canImport(Glibc)
import Glibc
#endif
import Ledger

/// Options that take a value, for every command.
let valuedOptions: Set<String> = ["dir", "tz", "from", "limit", "stream", "as-of", "known-at", "dealer", "state", "units", "seed", "out", "wait", "size", "format", "to", "notice"]

func run(_ words: [String]) -> Int32 {
    do {
        let arguments = try Arguments(words, valued: valuedOptions)
        let environment = getenv("LEDGER_DIR").map { String(cString: $0) }
        let folder = arguments.options["dir"] ?? environment.flatMap { $0.isEmpty ? nil : $0 } ?? Ledger.defaultFolder
        var output = Output()
        switch arguments.command {
        case nil, "help":
            try arguments.expect(flags: ["help"])
            output.write(helpText)
        case "init": try Commands.initialize(arguments, folder: folder, &output)
        case "append": try Commands.append(arguments, folder: folder, &output)
        case "log": try Commands.log(arguments, folder: folder, &output)
        case "verify": try Commands.verify(arguments, folder: folder, &output)
        case "status": try Commands.status(arguments, folder: folder, &output)
        case "claims": try Commands.claims(arguments, folder: folder, &output)
        case "dealers": try Commands.dealers(arguments, folder: folder, &output)
        case "archive": try Commands.archive(arguments, folder: folder, &output)
        case "units": try Commands.units(arguments, folder: folder, &output)
        case "rebuild": try Commands.rebuild(arguments, folder: folder, &output)
        case "generate": try Commands.generate(arguments, &output)
        case "demo": try Commands.demo(arguments, &output)
        case "statement": try Commands.statement(arguments, folder: folder, &output)
        case "reconcile": try Commands.reconcile(arguments, folder: folder, &output)
        case "writeoff-draft": try Commands.writeoffDraft(arguments, folder: folder, &output)
        case "digest": try Commands.digest(arguments, folder: folder, &output)
        case "prove": try Commands.prove(arguments, folder: folder, &output)
        case "check-proof": try Commands.checkProof(words, folder: folder, &output)
        case "export": try Commands.export(arguments, folder: folder, &output)
        case "history": try Commands.history(arguments, folder: folder, &output)
        case let other?:
            throw LedgerError(.usage, "unknown command \"\(other)\" (see `ledger help`)")
        }
        try output.finish()
        return 0
    } catch {
        let failure = error as? LedgerError ?? LedgerError(.io, "\(error)")
        Output.standardError("error: \(failure.message)\n")
        return failure.code.rawValue
    }
}

/// `LEDGER_SPILL_UNITS`: how many units a long fold (`rebuild`, a large batch) holds in memory before it writes its
/// state out and carries on from the file (see the README).
let spillUnits = getenv("LEDGER_SPILL_UNITS").flatMap { Int(String(cString: $0)) }.flatMap { $0 > 0 ? $0 : nil }
exit(Ledger.$spillUnits.withValue(spillUnits ?? Ledger.spillUnits) { run(Array(CommandLine.arguments.dropFirst())) })
