// swift-tools-version: 6.1
// Vigil: a minimal Swift runtime for bedside vital-sign monitors on Linux ARM boards.
//
// Module split (see docs/ARCHITECTURE.md):
// - VigilCore, VigilInference, VigilSignal, VigilClinical: Foundation-free compute core; also
//   builds as Embedded Swift (Scripts/check-embedded, run by CI). VigilManifest reads the risk
//   model's JSON manifest into VigilClinical's input contract.
// - VigilSensors: HAL protocols and chip drivers written against them.
// - CI2C, CLibUSB, CGPIO: thin system-library targets; VigilLinux: the Linux backends.
// - VigilSimulation: register-level simulated chips behind the same protocols.
// - vigil: the operator CLI.
import PackageDescription

let package = Package(
  name: "Vigil",
  products: [
    .executable(name: "vigil", targets: ["vigil"]),
    .library(name: "VigilCore", targets: ["VigilCore"]),
    .library(name: "VigilInference", targets: ["VigilInference"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    // Counts heap allocations for `vigil model bench` (linked into the CLI only, not vigild).
    .package(url: "https://github.com/ordo-one/malloc-interposer", from: "1.6.1"),
  ],
  targets: [
    // Foundation-free compute core.
    .target(name: "VigilCore"),
    .target(name: "VigilInference", dependencies: ["VigilCore"]),
    .target(name: "VigilSignal", dependencies: ["VigilCore"]),
    .target(name: "VigilClinical", dependencies: ["VigilCore", "VigilInference"]),
    // The risk model's manifest (JSON) read into VigilClinical's contract; uses Foundation.
    .target(name: "VigilManifest", dependencies: ["VigilClinical"]),

    // Hardware abstraction, drivers and the Linux backends.
    .target(name: "VigilSensors", dependencies: ["VigilCore"]),
    .systemLibrary(name: "CI2C", path: "Sources/CI2C"),
    .systemLibrary(
      name: "CLibUSB", path: "Sources/CLibUSB", pkgConfig: "libusb-1.0",
      providers: [.apt(["libusb-1.0-0-dev"])]),
    .systemLibrary(name: "CGPIO", path: "Sources/CGPIO"),
    .target(name: "VigilLinux", dependencies: ["VigilSensors", "CI2C", "CLibUSB", "CGPIO"]),
    .target(name: "VigilSimulation", dependencies: ["VigilSensors", "VigilCore"]),

    // Operator command line.
    .executableTarget(
      name: "vigil",
      dependencies: [
        "VigilCore", "VigilInference", "VigilSignal", "VigilClinical", "VigilManifest",
        "VigilSensors", "VigilLinux", "VigilSimulation",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
      ]),

    // Tests.
    .testTarget(name: "VigilCoreTests", dependencies: ["VigilCore"]),
    .testTarget(
      name: "VigilClinicalTests",
      dependencies: ["VigilClinical", "VigilManifest", "VigilInference", "VigilCore"]),
    .testTarget(
      name: "VigilInferenceTests", dependencies: ["VigilInference"],
      exclude: ["Conformance", "Fixtures"]),
    .testTarget(
      name: "VigilSensorsTests", dependencies: ["VigilSensors", "VigilSimulation", "VigilCore"]),
    .testTarget(
      name: "VigilSimulationTests", dependencies: ["VigilSimulation", "VigilSensors", "VigilCore"]),
    // The Linux backends against emulated devices: a pty, and umockdev's preload library
    // (Scripts/test-emulated runs the tests that need it under umockdev-wrapper/umockdev-run).
    .systemLibrary(
      name: "CUMockdev", path: "Tests/CUMockdev", pkgConfig: "umockdev-1.0",
      providers: [.apt(["libumockdev-dev"])]),
    .testTarget(
      name: "VigilLinuxTests",
      dependencies: [
        "VigilLinux", "VigilSensors", "VigilSimulation", "VigilCore", "CUMockdev", "CI2C",
      ],
      exclude: ["Fixtures"]),
    .testTarget(
      name: "VigilSignalTests", dependencies: ["VigilSignal", "VigilCore", "VigilSimulation"],
      exclude: ["Fixtures"]),
  ]
)
