// swift-tools-version:6.0
//
// Coverage-guided fuzzing of Dendrometer's readers with libFuzzer (see run.sh):
// FuzzImage feeds bytes to the TIFF/PNG/BMP readers, FuzzMetadata to every vendor
// calibration parser, FuzzGeometry to the ROI, interface and exclusion readers, FuzzModel to the
// pixel-classifier model reader and prediction. Built with -sanitize=fuzzer,address by run.sh; not
// part of the main build or the tests.

import PackageDescription

let package = Package(
    name: "DendrometerFuzz",
    dependencies: [.package(name: "Dendrometer", path: "../..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(name: "FuzzImage", dependencies: ["FuzzDriver", .product(name: "Dendrometer", package: "Dendrometer")]),
        .executableTarget(name: "FuzzMetadata", dependencies: ["FuzzDriver", .product(name: "Dendrometer", package: "Dendrometer")]),
        .executableTarget(name: "FuzzGeometry", dependencies: ["FuzzDriver", .product(name: "Dendrometer", package: "Dendrometer")]),
        .executableTarget(name: "FuzzModel", dependencies: ["FuzzDriver", .product(name: "Dendrometer", package: "Dendrometer")]),
    ]
)
