// swift-tools-version:6.0
// feedwatch — a news-feed watcher for North Korea–Russia relations.
// The target graph is the data-flow diagram of DESIGN.md: stage modules
// (Fetch, Parse, Classify, Dedup, Store, Alert) depend only on FeedwatchCore
// and their own C wrapper; only FeedwatchDaemon (the pipeline spine) and the
// executable see more than one stage.
import PackageDescription

let package = Package(
    name: "feedwatch",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "feedwatch", targets: ["feedwatch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // C libraries, through pkg-config; `providers` tells SwiftPM (and the
        // user) which Debian package brings the headers.
        .systemLibrary(
            name: "CFeedwatchCurl",
            pkgConfig: "libcurl",
            // libssl-dev: libcrypto's SHA-256 for the body hash (the TLS
            // library libcurl4-openssl-dev is built on; only "Suggests"d by it).
            providers: [.apt(["libcurl4-openssl-dev", "libssl-dev"])]
        ),
        .systemLibrary(
            name: "CFeedwatchXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),

        // Shared value types (and the line-tracking TOML reader). No I/O.
        .target(name: "FeedwatchCore"),

        // Stages.
        .target(name: "FeedwatchFetch", dependencies: ["FeedwatchCore", "CFeedwatchCurl"]),
        .target(name: "FeedwatchParse", dependencies: ["FeedwatchCore", "CFeedwatchXML2"]),
        .target(name: "FeedwatchClassify", dependencies: ["FeedwatchCore"]),
        .target(name: "FeedwatchDedup", dependencies: ["FeedwatchCore"]),
        .target(name: "FeedwatchStore", dependencies: [
            "FeedwatchCore",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .target(name: "FeedwatchAlert", dependencies: ["FeedwatchCore"]),

        // The spine: config, schedule, pipeline, services, sd_notify.
        .target(name: "FeedwatchDaemon", dependencies: [
            "FeedwatchCore", "FeedwatchFetch", "FeedwatchParse", "FeedwatchClassify",
            "FeedwatchDedup", "FeedwatchStore", "FeedwatchAlert",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        .executableTarget(name: "feedwatch", dependencies: [
            "FeedwatchCore", "FeedwatchFetch", "FeedwatchParse", "FeedwatchClassify",
            "FeedwatchDedup", "FeedwatchStore", "FeedwatchAlert", "FeedwatchDaemon",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Helpers shared by the test targets (seeded PRNG, fuzz fixtures).
        .target(name: "FeedwatchTestSupport", path: "Tests/FeedwatchTestSupport"),

        .testTarget(name: "FeedwatchCoreTests", dependencies: ["FeedwatchCore"]),
        .testTarget(name: "FeedwatchFetchTests", dependencies: ["FeedwatchFetch", "FeedwatchCore"]),
        .testTarget(name: "FeedwatchParseTests", dependencies: ["FeedwatchTestSupport", "FeedwatchParse", "FeedwatchCore"], exclude: ["Fixtures"]),
        .testTarget(name: "FeedwatchClassifyTests", dependencies: ["FeedwatchTestSupport", "FeedwatchClassify", "FeedwatchCore"], exclude: ["Fixtures"]),
        .testTarget(name: "FeedwatchDedupTests", dependencies: ["FeedwatchTestSupport", "FeedwatchDedup", "FeedwatchCore"], exclude: ["Fixtures"]),
        .testTarget(name: "FeedwatchStoreTests", dependencies: ["FeedwatchTestSupport", "FeedwatchStore", "FeedwatchCore"]),
        .testTarget(name: "FeedwatchAlertTests", dependencies: ["FeedwatchAlert", "FeedwatchCore"]),
        .testTarget(name: "FeedwatchDaemonTests", dependencies: [
            "FeedwatchDaemon", "FeedwatchCore", "FeedwatchStore", "FeedwatchAlert", "FeedwatchClassify",
        ], exclude: ["Fixtures"]),
    ]
)
