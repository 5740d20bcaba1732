// swift-tools-version: 6.0
import PackageDescription

// libFuzzer harnesses, kept out of the root package so that `swift build` and `swift test` there never
// see the fuzzer flags. Build (see README.md):
//   swift build -c release --package-path Tools/fuzz --scratch-path .build-fuzz \
//     -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
let package = Package(
    name: "LedgerFuzz",
    dependencies: [.package(name: "WarrantyLedger", path: "../..")],
    targets: [
        // The libFuzzer entry point and the helpers both harnesses share.
        .target(name: "FuzzSupport"),
        // JSON Lines → strict parser → event validation → acceptance rules → stored encoding.
        .executableTarget(name: "fuzz-events", dependencies: ["FuzzSupport", .product(name: "Ledger", package: "WarrantyLedger")]),
        // Mutated segment files → log reader, verify, fold, writer recovery.
        .executableTarget(name: "fuzz-log", dependencies: ["FuzzSupport", .product(name: "Ledger", package: "WarrantyLedger")]),
    ],
    swiftLanguageModes: [.v6]
)
