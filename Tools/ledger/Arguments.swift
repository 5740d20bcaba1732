import Ledger

/// The words of one command line: the command, its positional arguments and its `--options`.
struct Arguments {
    var command: String?
    var positionals: [String] = []
    var options: [String: String] = [:]
    var flags: Set<String> = []

    /// Splits `words`; `valued` names the options that take a value (`--dir PATH` or `--dir=PATH`).
    init(_ words: [String], valued: Set<String>) throws(LedgerError) {
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            if word.hasPrefix("--") && word.count > 2 {
                var name = String(word.dropFirst(2))
                var value: String?
                if let equals = name.firstIndex(of: "=") {
                    value = String(name[name.index(after: equals)...])
                    name = String(name[..<equals])
                }
                if valued.contains(name) {
                    if value == nil {
                        guard index < words.count else { throw LedgerError(.usage, "--\(name) needs a value") }
                        value = words[index]
                        index += 1
                    }
                    guard options[name] == nil else { throw LedgerError(.usage, "--\(name) given twice") }
                    options[name] = value
                } else {
                    guard value == nil else { throw LedgerError(.usage, "--\(name) takes no value") }
                    flags.insert(name)
                }
            } else if command == nil {
                command = word
            } else {
                positionals.append(word)
            }
        }
    }

    /// Refuses options and flags the command does not know, and more positionals than it takes.
    func expect(options allowedOptions: Set<String> = [], flags allowedFlags: Set<String> = [],
                positionals range: ClosedRange<Int> = 0...0) throws(LedgerError) {
        let name = command ?? ""
        for option in options.keys where !allowedOptions.contains(option) && option != "dir" {
            throw LedgerError(.usage, "\(name) does not take --\(option) (see `ledger help`)")
        }
        for flag in flags where !allowedFlags.contains(flag) {
            throw LedgerError(.usage, "\(name) does not take --\(flag) (see `ledger help`)")
        }
        guard range.contains(positionals.count) else {
            throw LedgerError(.usage, "\(name) takes \(range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)") argument(s), got \(positionals.count) (see `ledger help`)")
        }
    }

    /// The value of a whole-number option, if given.
    func integer(_ name: String, in range: ClosedRange<Int64>) throws(LedgerError) -> Int64? {
        guard let text = options[name] else { return nil }
        guard let value = Int64(text), range.contains(value) else {
            throw LedgerError(.usage, "--\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(text)\"")
        }
        return value
    }
}
