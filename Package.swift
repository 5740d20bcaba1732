// swift-tools-version: 6.0
import PackageDescription

// No package dependencies: the standard library, Foundation and Glibc only.
let package = Package(
    name: "WarrantyLedger",
    products: [
        .executable(name: "ledger", targets: ["ledger"]),
        .executable(name: "ledger-bench", targets: ["ledger-bench"]),
        .library(name: "Ledger", targets: ["Ledger"]),
    ],
    targets: [
        // Bytes and proofs: SHA-256 and CRC-32C, written here and tested against published vectors.
        .target(name: "Integrity"),
        // A strict JSON reader and a deterministic writer for the JSON Lines edges.
        .target(name: "JSONText"),
        // The append-only segmented log: framing, checksums, hash chain, recovery, the writer lock.
        .target(name: "LedgerLog", dependencies: ["Integrity"]),
        // The event catalogue, value types, field validation, JSON and binary encodings.
        .target(name: "WarrantyDomain", dependencies: ["JSONText"]),
        // Pure folds of events into warranty state, claim lines, balances and the archive; acceptance rules.
        .target(name: "WarrantyProjections", dependencies: ["WarrantyDomain"]),
        // A seeded simulation of a dealer network that writes realistic, valid event streams.
        .target(name: "LedgerGenerator", dependencies: ["WarrantyDomain", "JSONText"]),
        // The facade the command line and tests call: log, validation and projections together.
        .target(name: "Ledger", dependencies: ["LedgerLog", "WarrantyDomain", "WarrantyProjections", "JSONText", "Integrity", "LedgerGenerator"]),
        .executableTarget(name: "ledger", dependencies: ["Ledger"], path: "Tools/ledger"),
        .executableTarget(name: "ledger-bench", dependencies: ["Ledger", "LedgerLog", "WarrantyDomain", "JSONText", "LedgerGenerator", "WarrantyProjections"], path: "Tools/ledger-bench"),
        .testTarget(name: "IntegrityTests", dependencies: ["Integrity"]),
        .testTarget(name: "JSONTextTests", dependencies: ["JSONText"]),
        .testTarget(name: "LedgerLogTests", dependencies: ["LedgerLog"]),
        .testTarget(name: "WarrantyDomainTests", dependencies: ["WarrantyDomain"]),
        .testTarget(name: "WarrantyProjectionsTests", dependencies: ["WarrantyProjections"]),
        .testTarget(name: "LedgerGeneratorTests", dependencies: ["LedgerGenerator", "WarrantyProjections"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "LedgerGenerator", "WarrantyProjections", "WarrantyDomain", "LedgerLog"]),
        .testTarget(name: "EndToEndTests", dependencies: ["Ledger", "ledger"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
