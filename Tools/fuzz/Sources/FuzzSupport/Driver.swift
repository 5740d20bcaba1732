#if canImport(Glibc)
import Glibc
#endif

/// The C signature of a libFuzzer test callback.
public typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                                 _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                                 _ callback: FuzzCallback) -> CInt

@_silgen_name("LLVMFuzzerMutate")
private func LLVMFuzzerMutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int) -> Int

/// Hands the process to libFuzzer. SwiftPM links an executable's `main` to `<module>_main`, so each
/// harness defines that symbol and calls this instead of relying on libFuzzer's own `main`.
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                      _ callback: FuzzCallback) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, callback)
}

/// libFuzzer's own byte-level mutation of `bytes`, within `maxSize`.
public func byteMutation(_ bytes: [UInt8], maxSize: Int) -> [UInt8] {
    var buffer = bytes + [UInt8](repeating: 0, count: max(0, maxSize - bytes.count))
    let size = buffer.withUnsafeMutableBufferPointer { LLVMFuzzerMutate($0.baseAddress!, min(bytes.count, maxSize), maxSize) }
    return Array(buffer.prefix(size))
}

/// Copies a custom mutator's result into libFuzzer's buffer and returns its size.
public func deliver(_ bytes: [UInt8], to data: UnsafeMutablePointer<UInt8>?, maxSize: Int) -> Int {
    let count = min(bytes.count, maxSize)
    guard let data, count > 0 else { return 0 }
    bytes.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    return count
}

/// SplitMix64: the mutators' randomness, seeded by libFuzzer so that a run can be repeated.
public struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The repository's root, found from this file's path (Tools/fuzz/Sources/FuzzSupport/Driver.swift).
public let repositoryRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(5)
    return parts.joined(separator: "/")
}()

/// The bytes of a file, or nil.
public func readFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = fread(&chunk, 1, chunk.count, file)
        if count <= 0 { break }
        bytes += chunk[..<count]
    }
    return bytes
}

/// Writes `bytes` to `path`, replacing it.
public func writeFile(_ path: String, _ bytes: some Collection<UInt8>) {
    guard let file = fopen(path, "wb") else { fatalError("cannot write \(path)") }
    _ = Array(bytes).withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
}

/// Integers at the edges: what length, count and seq fields are set to.
public let extremeIntegers: [Int64] = [0, 1, -1, 2, 55, 56, 57, 255, 256, 65_535, 65_536, 1 << 20, (1 << 20) + 1,
                                       (4 << 20) + 56 + (1 << 20), Int64(Int32.max), Int64(UInt32.max), Int64(UInt32.max) + 1,
                                       Int64.max, Int64.min, Int64.max - 1]
