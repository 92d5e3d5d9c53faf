// swift-tools-version: 6.1
// Vigil's benchmarks, in their own package so the main build stays light.
// Run: Benchmarks/run (builds for this CPU, runs TFLM and LiteRT in the same run, prints ratios).
import PackageDescription

let package = Package(
  name: "VigilBenchmarks",
  dependencies: [
    .package(name: "Vigil", path: ".."),
    .package(
      url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
  ],
  targets: [
    .executableTarget(
      name: "InferenceBenchmarks",
      dependencies: [
        .product(name: "Benchmark", package: "benchmark"),
        .product(name: "VigilInference", package: "Vigil"),
      ],
      path: "Benchmarks/InferenceBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
  ]
)
