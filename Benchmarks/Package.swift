// swift-tools-version: 6.1
// Benchmarks live in their own package so `swift test` (and CI) never build
// ordo-one/benchmark. Run: cd Benchmarks && swift package benchmark
import Foundation
import PackageDescription

/// A path dependency is named after its directory, whatever the clone is called.
let mallPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "MallBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "EngineSeckill",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MallEngine", package: mallPackage),
            ],
            path: "Benchmarks/EngineSeckill",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "WALAppend",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MallEngine", package: mallPackage),
            ],
            path: "Benchmarks/WALAppend",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
