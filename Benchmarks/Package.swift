// swift-tools-version: 6.0
//
// The benchmarks of parledger, in a package of their own beside the code (as
// swift-nio keeps its benchmarks), so that building the tool or running its
// tests never builds them. They use the project's libraries as a user's
// program would:
//
//   swift build -c release --package-path Benchmarks
//   Benchmarks/.build/release/parledger-bench --help
//
// docs/BENCHMARKS.md says what each one measures and keeps the figures.
import PackageDescription

let package = Package(
    name: "parledger-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "parledger", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        .executableTarget(
            name: "parledger-bench",
            dependencies: [
                .product(name: "Primitives", package: "parledger"),
                .product(name: "EventLog", package: "parledger"),
                .product(name: "ScoreModel", package: "parledger"),
                .product(name: "Ledger", package: "parledger"),
                .product(name: "Projections", package: "parledger"),
                .product(name: "Pipelines", package: "parledger"),
                .product(name: "DataGen", package: "parledger"),
                .product(name: "Transparency", package: "parledger"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "ParledgerBench",
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
    ]
)
