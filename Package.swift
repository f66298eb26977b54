// swift-tools-version: 6.0
// A map of Patron: one target per job. Each library can be read and changed alone; the arrows
// go one way (CLI → load / analyses / demo → core → PostgresClient → libpq).
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
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/JohnSundell/Plot", from: "0.14.0"),
    ],
    targets: [
        // C libraries, provided by the system (Debian: libpq-dev, zlib1g-dev).
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"]), .brew(["libpq"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // A cache prefetch for the loader's repeated-id filter (Swift has none).
        .target(name: "CPrefetch"),

        // Civil dates ↔ day numbers (proleptic Gregorian): one algorithm for parsing, binding, the demo.
        .target(name: "CivilCalendar"),
        // Seeded random draws (uniform, normal, gamma, beta) for the demo and the model simulations.
        .target(name: "RandomDraws"),

        // The only module that talks to libpq: connections, typed errors, results, binary COPY.
        .target(name: "PostgresClient", dependencies: ["CLibPQ", "CivilCalendar"]),

        // Reading input files: gzip, SHA-256, CSV, JSON Lines, value normalization. No database.
        .target(name: "PatronInput", dependencies: ["CZlib", "CivilCalendar", .product(name: "Crypto", package: "swift-crypto")]),

        // The warehouse: which database (DatabaseTarget), the connection and load lock, sql/ files,
        // migrations, status, errors and exit codes, the Entity names.
        .target(name: "PatronCore", dependencies: ["PostgresClient", "PatronInput", .product(name: "Crypto", package: "swift-crypto")]),

        // The loader: each entity's input columns (EntitySpec), validation and staging, the direct
        // and staging paths, identity resolution in the client, load runs and rejects.
        .target(
            name: "PatronLoad",
            dependencies: ["PatronCore", "PatronInput", "PatronImport", "PostgresClient", "CPrefetch", .product(name: "Logging", package: "swift-log")]
        ),

        // Vendor exports (Shopify, Zendesk, Intercom, Stripe, Meltwater, Delighted) read and mapped
        // onto canonical rows: no database.
        .target(name: "PatronImport", dependencies: ["PatronCore", "PatronInput", "CivilCalendar"]),

        // `patron sync`'s configuration: the TOML file, its checks, the files it names.
        .target(name: "PatronSync", dependencies: ["PatronCore", "PatronImport", "PatronInput", "PatronLoad", .product(name: "TOMLKit", package: "TOMLKit")]),

        // Predictive models (BG/NBD, Gamma-Gamma, CLV): pure numerics, no database.
        .target(name: "PatronModels", dependencies: ["RandomDraws"]),

        // Named analyses: the catalog of sql/analyses, arguments, the runner, pivots, writers,
        // the predictive CLV step (the only user of PatronModels), and one customer's journey
        // (which reads an identifier with PatronInput's normalization).
        .target(name: "PatronAnalyses", dependencies: ["PatronCore", "PatronInput", "PostgresClient", "PatronModels"]),

        // The deterministic demo data set: customers' journeys written as canonical CSV files.
        .target(name: "PatronDemo", dependencies: ["PatronCore", "CivilCalendar", "RandomDraws", "CZlib"]),

        // The HTML report: sections built from the named analyses' results, rendered with Plot.
        .target(name: "PatronReport", dependencies: ["PatronCore", "PatronAnalyses", .product(name: "Plot", package: "Plot")]),

        // The thin command-line executable: one file per command.
        .executableTarget(
            name: "patron",
            dependencies: [
                "PatronCore", "PatronInput", "PatronImport", "PatronLoad", "PatronSync", "PatronAnalyses", "PatronDemo", "PatronReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Benchmarks' executables: model fits (scripts/bench-models), the loader's client side
        // without a server (scripts/bench-parse).
        .executableTarget(name: "PatronModelsBench", dependencies: ["PatronModels"]),
        .executableTarget(name: "PatronLoadBench", dependencies: ["PatronCore", "PatronInput", "PatronLoad", "PostgresClient", "CZlib"]),

        // Tests mirror the targets. Pure tests need nothing; those in a `Database/` folder run
        // against the throwaway PostgreSQL that scripts/test starts (PATRON_TEST_DATABASE_URL).
        .target(
            name: "PatronTestSupport",
            dependencies: ["PatronCore", "PatronLoad", "PatronInput", "PostgresClient"],
            path: "Tests/PatronTestSupport"
        ),
        .testTarget(name: "CivilCalendarTests", dependencies: ["CivilCalendar"]),
        .testTarget(name: "RandomDrawsTests", dependencies: ["RandomDraws"]),
        .testTarget(name: "PostgresClientTests", dependencies: ["PostgresClient"]),
        .testTarget(name: "PatronInputTests", dependencies: ["PatronInput", "CivilCalendar"]),
        .testTarget(name: "PatronImportTests", dependencies: ["PatronImport", "PatronCore", "PatronInput", "PatronLoad", "PostgresClient", "PatronTestSupport"]),
        .testTarget(name: "PatronSyncTests", dependencies: ["PatronSync", "PatronCore"]),
        .testTarget(name: "PatronModelsTests", dependencies: ["PatronModels"], exclude: ["Fixtures"]),
        .testTarget(name: "PatronCoreTests", dependencies: ["PatronCore", "PatronLoad", "PostgresClient", "PatronTestSupport"]),
        .testTarget(name: "PatronLoadTests", dependencies: ["PatronLoad", "PatronDemo", "PatronCore", "PatronInput", "PostgresClient", "PatronTestSupport"]),
        .testTarget(name: "PatronAnalysesTests", dependencies: ["PatronAnalyses", "PatronReport", "CivilCalendar", "PatronCore", "PatronLoad", "PatronModels", "PatronDemo", "PostgresClient", "PatronTestSupport"]),
        .testTarget(name: "PatronDemoTests", dependencies: ["PatronDemo", "PatronInput", "PatronLoad", "PatronCore", "PatronTestSupport"]),
        .testTarget(name: "PatronCLITests", dependencies: ["PatronCore", "PatronTestSupport"]),
        // Runs only where Citus is installed (scripts/citus-local build SRC); skipped otherwise.
        .testTarget(name: "PatronCitusTests", dependencies: ["PatronTestSupport"]),
    ]
)
