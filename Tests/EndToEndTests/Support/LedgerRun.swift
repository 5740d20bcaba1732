#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What one run of the `ledger` executable did: its exit code, its output and how long it took.
struct LedgerRun: Sendable, CustomStringConvertible {
    var arguments: [String]
    /// The exit code, or 128 + the signal number when a signal ended the process.
    var status: Int32
    /// Whether a signal (a trap, a crash) ended the process.
    var signalled: Bool
    var standardOutput: String
    var standardError: String
    var seconds: Double

    /// The standard output split into lines, without line ends.
    var outputLines: [String] {
        var lines = standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// The value of the first `name: value` line of the standard output.
    func field(_ name: String) -> String? {
        outputLines.first { $0.hasPrefix(name + ": ") }.map { String($0.dropFirst(name.count + 2)) }
    }

    var description: String {
        "ledger \(arguments.joined(separator: " ")) → exit \(status)\(signalled ? " (signal)" : "")"
            + "\nstdout: \(standardOutput.prefix(2_000))\nstderr: \(standardError.prefix(2_000))"
    }
}

/// Runs the `ledger` executable to completion.
///
/// Output goes to temporary files rather than pipes, so a large output never blocks the child.
/// `LEDGER_DIR` is removed from the inherited environment unless `environment` sets it.
/// - Parameters:
///   - standardInput: a file to read as standard input; `/dev/null` when nil.
///   - workingDirectory: the child's current directory; the test process's when nil.
func runLedger(_ arguments: [String], environment: [String: String] = [:], standardInput: String? = nil,
               workingDirectory: String? = nil) async throws -> LedgerRun {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try LedgerBinary.path())
    process.arguments = arguments
    var inherited = ProcessInfo.processInfo.environment
    inherited["LEDGER_DIR"] = nil
    process.environment = inherited.merging(environment) { _, new in new }
    if let workingDirectory {
        process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory)
    }
    let output = try CaptureFile()
    let errors = try CaptureFile()
    defer {
        output.remove()
        errors.remove()
    }
    process.standardOutput = output.handle
    process.standardError = errors.handle
    if let standardInput {
        guard let handle = FileHandle(forReadingAtPath: standardInput) else {
            throw TestFailure("cannot open \(standardInput) for standard input")
        }
        process.standardInput = handle
    } else {
        process.standardInput = FileHandle.nullDevice
    }
    let start = ContinuousClock.now
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        process.terminationHandler = { _ in continuation.resume() }
        do {
            try process.run()
        } catch {
            process.terminationHandler = nil
            continuation.resume(throwing: TestFailure("cannot run \(process.executableURL?.path ?? "ledger"): \(error)"))
        }
    }
    let elapsed = ContinuousClock.now - start
    // Close the parent's copies now: waiting for deallocation leaks descriptors when thousands of runs go by.
    try? output.handle.close()
    try? errors.handle.close()
    if let handle = process.standardInput as? FileHandle, handle !== FileHandle.nullDevice {
        try? handle.close()
    }
    let signalled = process.terminationReason == .uncaughtSignal
    return LedgerRun(
        arguments: arguments,
        status: signalled ? 128 + process.terminationStatus : process.terminationStatus,
        signalled: signalled,
        standardOutput: try output.text(),
        standardError: try errors.text(),
        seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
}

/// A temporary file that receives a child's output.
private struct CaptureFile {
    let path: String
    let handle: FileHandle

    init() throws {
        var template = Array("/tmp/ledger-e2e-output-XXXXXX".utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else {
            throw TestFailure("cannot create a capture file: \(String(cString: strerror(errno)))")
        }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    func text() throws -> String {
        String(decoding: try Files.bytes(path), as: UTF8.self)
    }

    func remove() {
        unlink(path)
    }
}
