import Foundation

/// Finds the built `ledger` executable that the end-to-end tests run.
///
/// In order: `$LEDGER_BINARY`; beside the test bundle (the folder of `CommandLine.arguments[0]`, or the
/// folder holding an `.xctest` bundle); the package's `.build/debug/ledger`, found by walking up from this file.
enum LedgerBinary {
    /// The path of the executable, or an error listing every place looked at.
    static let located: Result<String, LedgerBinaryMissing> = locate()

    /// The path of the executable; throws a clear error when it was not built.
    static func path() throws -> String {
        try located.get()
    }

    static func locate(filePath: String = #filePath) -> Result<String, LedgerBinaryMissing> {
        var candidates: [String] = []
        if let override = ProcessInfo.processInfo.environment["LEDGER_BINARY"], !override.isEmpty {
            candidates.append(override)
        }
        if let first = CommandLine.arguments.first, !first.isEmpty {
            var folder = URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent()
            candidates.append(folder.appendingPathComponent("ledger").path)
            // macOS runs tests from `X.xctest/Contents/MacOS/X`: the products sit beside the bundle.
            while folder.path != "/" && !folder.lastPathComponent.hasSuffix(".xctest") {
                folder.deleteLastPathComponent()
            }
            if folder.lastPathComponent.hasSuffix(".xctest") {
                candidates.append(folder.deletingLastPathComponent().appendingPathComponent("ledger").path)
            }
        }
        if let root = packageRoot(from: filePath) {
            candidates.append(root + "/.build/debug/ledger")
        }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            return .success(candidate)
        }
        return .failure(LedgerBinaryMissing(looked: candidates))
    }

    /// The nearest folder above `filePath` holding `Package.swift`.
    static func packageRoot(from filePath: String = #filePath) -> String? {
        var folder = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                return folder.path
            }
            folder.deleteLastPathComponent()
        }
        return nil
    }
}

/// The `ledger` executable was not found where a build puts it.
struct LedgerBinaryMissing: Error, CustomStringConvertible {
    var looked: [String]

    var description: String {
        "the `ledger` executable was not found (run `swift build` first, or set LEDGER_BINARY); looked at: "
            + looked.joined(separator: ", ")
    }
}
