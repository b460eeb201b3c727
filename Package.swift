// swift-tools-version: 6.0
//
// parledger: an append-only, zlib-compressed event log of Vietnam's public
// administration reform scores (PAR Index, SIPAS, DGI, PAPI), replayed by
// batch projection jobs into ranking, trend and award snapshots.
//
// Layers (imports go up the list, data flows down):
//   CZlib        system zlib, macros wrapped for Swift
//   EventLog     segments, frames, CRC, hash chain, recovery; knows bytes only
//   ScoreModel   the domain: scores, units, frameworks, events, codecs, validation
//   Ledger       the typed log: EventLog + ScoreModel (open, replay, import, export)
//   Projections  pure folds: score book, ranking, trend, awards, explain
//   Pipelines    YAML pipelines, the batch runner, checkpoints, snapshots
//   Transparency Merkle tree over the log, signed checkpoints, proofs, witnesses, audit kits
//   DataGen      seeded generators: the demo province, the national data set
//   parledger    the command line: parsing and printing only
import PackageDescription

let package = Package(
    name: "parledger",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "parledger", targets: ["parledger"]),
        .library(name: "EventLog", targets: ["EventLog"]),
        .library(name: "ScoreModel", targets: ["ScoreModel"]),
        .library(name: "Ledger", targets: ["Ledger"]),
        .library(name: "Projections", targets: ["Projections"]),
        .library(name: "Pipelines", targets: ["Pipelines"]),
        .library(name: "Transparency", targets: ["Transparency"]),
        .library(name: "DataGen", targets: ["DataGen"]),
        .library(name: "Primitives", targets: ["Primitives"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        // The HTML report: templates whose every {{value}} is HTML-escaped.
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // Hex and varints: the primitives every format shares.
        .target(name: "Primitives"),
        .target(
            name: "CZlib",
            linkerSettings: [.linkedLibrary("z")]
        ),
        .target(
            name: "EventLog",
            dependencies: ["Primitives", "CZlib", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "ScoreModel", dependencies: ["Primitives"]),
        .target(name: "Ledger", dependencies: ["Primitives", "EventLog", "ScoreModel"]),
        .target(name: "Projections", dependencies: ["Primitives", "ScoreModel"]),
        .target(
            name: "Pipelines",
            dependencies: [
                "Primitives", "Ledger", "EventLog", "ScoreModel", "Projections", "Transparency",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .target(
            name: "Transparency",
            dependencies: ["Primitives", "EventLog", "ScoreModel", "Ledger", "Projections", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "DataGen", dependencies: ["Primitives", "ScoreModel"]),
        .executableTarget(
            name: "parledger",
            dependencies: [
                "Primitives", "EventLog", "ScoreModel", "Ledger", "Projections", "Pipelines", "DataGen", "Transparency",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // A child process for the crash tests: appends batches until killed.
        .executableTarget(
            name: "LogCrashChild",
            dependencies: ["Primitives", "EventLog"],
            path: "Tests/Support/LogCrashChild"
        ),
        // A child process for the swap crash test: writes snapshots until killed.
        .executableTarget(
            name: "SnapshotSwapChild",
            dependencies: ["Primitives", "EventLog", "Pipelines"],
            path: "Tests/Support/SnapshotSwapChild"
        ),
        .testTarget(name: "EventLogTests", dependencies: ["EventLog", "Primitives", "CZlib", "LogCrashChild"], exclude: ["Fixtures"]),
        .testTarget(name: "ScoreModelTests", dependencies: ["Primitives", "ScoreModel", "DataGen"], exclude: ["Fixtures"]),
        .testTarget(name: "LedgerTests", dependencies: ["Primitives", "Ledger", "EventLog", "ScoreModel", "DataGen"]),
        .testTarget(name: "ProjectionsTests", dependencies: ["Primitives", "Projections", "ScoreModel"]),
        .testTarget(name: "PipelinesTests", dependencies: ["Primitives", "EventLog", "SnapshotSwapChild", "Pipelines", "Ledger", "ScoreModel", "Projections", "DataGen"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "TransparencyTests", dependencies: ["Primitives", "Transparency", "EventLog", "Ledger", "ScoreModel", "Projections", "DataGen"]),
        .testTarget(name: "ParledgerCLITests", dependencies: ["Primitives", "parledger", "ScoreModel", "EventLog", "Pipelines"]),
    ]
)

// Settings once, for every target.
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
