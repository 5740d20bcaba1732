import Foundation

/// One folder under `Snapshots/scenarios/`: the events to append, the queries to ask and their golden answers.
///
/// `queries.txt` holds one query per line, written as after `ledger --dir FOLDER` and without `--json` (the test
/// adds it). A line may start with `[exit N]` when the query must fail with that exit code (a unit not yet sold
/// is exit 66); its golden file then holds the (empty) standard output. The golden answer of the query on line
/// `n` (counting queries from 1) is `NN-COMMAND.json`, e.g. `03-claims.json`.
struct GoldenScenario: Sendable, CustomStringConvertible {
    /// The folder holding every scenario.
    static let root: String = (LedgerBinary.packageRoot() ?? ".") + "/Snapshots/scenarios"

    /// The names of the scenario folders, sorted.
    static let names: [String] = {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return entries.filter { name in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isFolder) && isFolder.boolValue
        }.sorted()
    }()

    /// Whether golden files are written rather than compared (`RECORD_SNAPSHOTS` set, as in swift-argument-parser).
    static var recording: Bool {
        ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil
    }

    let name: String

    var folder: String { Self.root + "/" + name }
    var eventsPath: String { folder + "/events.jsonl" }
    var description: String { name }

    /// The queries of `queries.txt`, in order.
    func queries() throws -> [GoldenQuery] {
        let text = String(decoding: try Files.bytes(folder + "/queries.txt"), as: UTF8.self)
        var queries: [GoldenQuery] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            var rest = line.trimmingCharacters(in: .whitespaces)
            guard !rest.isEmpty else { continue }
            var exit: Int32 = 0
            if rest.hasPrefix("[exit ") {
                guard let close = rest.firstIndex(of: "]"),
                      let code = Int32(rest[rest.index(rest.startIndex, offsetBy: 6)..<close]) else {
                    throw TestFailure("\(name)/queries.txt: cannot read the exit code of \"\(line)\"")
                }
                exit = code
                rest = rest[rest.index(after: close)...].trimmingCharacters(in: .whitespaces)
            }
            let words = rest.split(separator: " ").map(String.init)
            guard let command = words.first else { throw TestFailure("\(name)/queries.txt: empty query \"\(line)\"") }
            let number = queries.count + 1
            let golden = (number < 10 ? "0" : "") + "\(number)-\(command).json"
            queries.append(GoldenQuery(words: words, exit: exit, golden: golden))
        }
        return queries
    }

    /// The names of the golden files in the folder (`NN-COMMAND.json`).
    func goldenFiles() throws -> [String] {
        try Files.names(folder).filter { $0.wholeMatch(of: /[0-9]+-[a-z]+\.json/) != nil }
    }

    /// The number of events in `events.jsonl` (its non-blank lines).
    func eventCount() throws -> Int {
        let text = String(decoding: try Files.bytes(eventsPath), as: UTF8.self)
        return text.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }.count
    }
}

/// One line of a scenario's `queries.txt`.
struct GoldenQuery: Sendable, CustomStringConvertible {
    /// The command and its arguments, without `--json`.
    var words: [String]
    /// The exit code the query must end with.
    var exit: Int32
    /// The golden file's name in the scenario folder.
    var golden: String

    var arguments: [String] { words + ["--json"] }
    var description: String { "ledger " + arguments.joined(separator: " ") }
}

/// Where two texts first differ, as a few lines of a unified diff; nil when they are equal.
func firstDifference(golden: String, actual: String) -> String? {
    guard golden != actual else { return nil }
    func lines(_ text: String) -> [Substring] {
        text.split(separator: "\n", omittingEmptySubsequences: false)
    }
    let expected = lines(golden)
    let got = lines(actual)
    var index = 0
    while index < expected.count && index < got.count && expected[index] == got[index] {
        index += 1
    }
    var diff = "@@ line \(index + 1) (golden \(expected.count) lines, actual \(got.count)) @@\n"
    if index > 0 { diff += " " + expected[index - 1] + "\n" }
    diff += index < expected.count ? "-" + expected[index] + "\n" : "-(end of golden file)\n"
    diff += index < got.count ? "+" + got[index] : "+(end of output)"
    if index == expected.count - 1 && index == got.count - 1 && expected[index] == got[index] {
        diff += "\n(the texts differ only in their final line end)"
    }
    return diff
}

/// The worked example beside the repository: `../shared/examples/harvester.expected.md` and `harvester.jsonl`.
enum HarvesterExample {
    static let folder: String = URL(fileURLWithPath: (LedgerBinary.packageRoot() ?? ".") + "/../shared/examples")
        .standardizedFileURL.path
    static let expectedPath = folder + "/harvester.expected.md"
    static let eventsPath = folder + "/harvester.jsonl"

    static var isPresent: Bool {
        FileManager.default.fileExists(atPath: expectedPath)
    }

    /// One answer of the example: the command (without `ledger`) and its expected JSON text.
    struct Answer: Sendable {
        var words: [String]
        var json: String
    }

    /// The answers of the example: each `` `ledger ...` `` line followed by a ```` ```json ```` block.
    static func answers() throws -> [Answer] {
        let text = String(decoding: try Files.bytes(expectedPath), as: UTF8.self)
        var answers: [Answer] = []
        var command: [String]?
        var block: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if var body = block {
                if trimmed == "```" {
                    if let words = command { answers.append(Answer(words: words, json: body.joined(separator: "\n"))) }
                    command = nil
                    block = nil
                } else {
                    body.append(line)
                    block = body
                }
            } else if trimmed.hasPrefix("`ledger ") && trimmed.hasSuffix("`") && trimmed.count > 2 {
                command = trimmed.dropFirst().dropLast().split(separator: " ").dropFirst().map(String.init)
            } else if trimmed == "```json" && command != nil {
                block = []
            }
        }
        return answers
    }
}

/// Every way `actual` departs from `expected`: each field of an expected object must be in the actual object with an
/// equal value (extra fields are allowed; nested objects are compared whole), arrays element by element.
func fieldDifferences(expected: Any, actual: Any, path: String = "") -> [String] {
    switch (expected, actual) {
    case let (expected as [String: Any], actual as [String: Any]):
        return expected.keys.sorted().flatMap { key -> [String] in
            guard let value = actual[key] else { return ["\(path).\(key): missing, expected \(render(expected[key]!))"] }
            if expected[key] is [String: Any] {
                // A nested object (components, repairs) is a value of its own: compared whole, keys in any order.
                return render(expected[key]!) == render(value)
                    ? [] : ["\(path).\(key): expected \(render(expected[key]!)), got \(render(value))"]
            }
            return fieldDifferences(expected: expected[key]!, actual: value, path: "\(path).\(key)")
        }
    case let (expected as [Any], actual as [Any]):
        var differences: [String] = []
        if expected.count != actual.count {
            differences.append("\(path): expected \(expected.count) elements, got \(actual.count)")
        }
        for index in 0..<min(expected.count, actual.count) {
            differences += fieldDifferences(expected: expected[index], actual: actual[index], path: "\(path)[\(index)]")
        }
        return differences
    default:
        // Compare scalars by their JSON text, so that a boolean never equals the number 1.
        return render(expected) == render(actual)
            ? [] : ["\(path.isEmpty ? "answer" : path): expected \(render(expected)), got \(render(actual))"]
    }
}

private func render(_ value: Any) -> String {
    if value is NSNull { return "null" }
    if let text = value as? String { return "\"\(text)\"" }
    if let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) {
        return String(decoding: data, as: UTF8.self)
    }
    return "\(value)"
}
