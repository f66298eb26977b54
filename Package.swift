// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Patron",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "patron", targets: ["patron"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C libraries, provided by the system (Debian: libpq-dev, zlib1g-dev).
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),

        // A cache prefetch for the loader's repeated-id filter (Swift has none).
        .target(name: "CPrefetch"),

        // The only module that talks to libpq: connections, results, errors, COPY.
        .target(name: "PostgresClient", dependencies: ["CLibPQ"]),

        // Reading input files: gzip, CSV, JSON Lines, and value normalization. No database.
        .target(
            name: "PatronInput",
            dependencies: [
                "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // Predictive models (BG/NBD, Gamma-Gamma, CLV): pure numerics, no database.
        .target(name: "PatronModels"),

        // The domain: schema migrations, entities, the loader, status, analyses.
        .target(
            name: "PatronCore",
            dependencies: [
                "PostgresClient",
                "PatronInput",
                "PatronModels",
                "CZlib",
                "CPrefetch",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The thin command-line executable.
        .executableTarget(
            name: "patron",
            dependencies: [
                "PatronCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Times fits of the models on simulated customers: scripts/bench-models.
        .executableTarget(name: "PatronModelsBench", dependencies: ["PatronModels"]),
        // The loader's read → validate → encode path without a server: scripts/bench-parse.
        .executableTarget(name: "PatronLoadBench", dependencies: ["PatronCore"]),

        .testTarget(name: "PatronInputTests", dependencies: ["PatronInput"]),
        .testTarget(
            name: "PatronModelsTests",
            dependencies: ["PatronModels"],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "PostgresClientTests", dependencies: ["PostgresClient"]),
        .testTarget(name: "PatronCoreTests", dependencies: ["PatronCore", "PostgresClient", "PatronInput", "PatronModels"]),
    ]
)
