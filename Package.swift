// swift-tools-version:6.0
//
// Dendrometer: quantitative analysis of dendrites in SEM/EDX cross-sections
// of solid-state batteries.
//
// The manifest is the table of contents. Modules follow the pipeline:
// load → calibrate → filter → segment → skeletonize → measure → classify → report.
// `Dendrometer` is the umbrella library most users import; the stage modules
// can be imported on their own.

import PackageDescription

let package = Package(
    name: "Dendrometer",
    products: [
        .library(name: "Dendrometer", targets: ["Dendrometer"]),
        .executable(name: "dendrometer", targets: ["DendrometerCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        /// ImageJ ROI sets (`<stem>.rois.zip`) are zip archives.
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // MARK: - C libraries (one module per library, typed shims for variadic calls)

        .systemLibrary(
            name: "CTIFF",
            pkgConfig: "libtiff-4",
            providers: [.apt(["libtiff-dev"])]
        ),
        .systemLibrary(
            name: "CPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]
        ),
        /// zlib (named apart from ZIPFoundation's own `CZlib` module, which the ROI sets bring in).
        .systemLibrary(
            name: "CZlibSystem",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        /// glibc's mallopt(3), for ProcessMemory (no library to link).
        .systemLibrary(name: "CMalloc"),
        /// prctl(2) for batch workers (die with the parent).
        .systemLibrary(name: "CProcess"),
        /// AVX2 / AVX-512 row kernels the filters choose at run time (C: Swift has no per-function target attribute).
        .target(name: "CVectorKernels"),

        // MARK: - Pipeline stages

        /// Image model, units, geometry primitives and parallel helpers shared by every stage.
        .target(name: "DendrometerCore", dependencies: ["CMalloc"]),
        /// Readers and writers: TIFF (libtiff), PNG (libpng), BMP, ImageJ ROIs and ROI sets (zip).
        .target(name: "DendrometerIO", dependencies: ["DendrometerCore", "CTIFF", "CPNG", "CZlibSystem",
                                                      .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        /// Pixel size from vendor metadata (FEI, Zeiss, JEOL, Hitachi, TESCAN, ImageJ) and the SEM data bar.
        .target(name: "DendrometerCalibration", dependencies: ["DendrometerCore"]),
        /// Gaussian, median and structure-tensor filters.
        .target(name: "DendrometerFilters", dependencies: ["DendrometerCore", "CVectorKernels"]),
        /// Thresholds, binary morphology, connected components, distance transform.
        .target(name: "DendrometerSegmentation", dependencies: ["DendrometerCore"]),
        /// Anode side, interface polyline, signed depth and penetration statistics.
        .target(name: "DendrometerGeometry", dependencies: ["DendrometerCore"]),
        /// Region features and the flame / stripe / network / vertical classifier.
        .target(name: "DendrometerMorphology", dependencies: ["DendrometerCore"]),
        /// Pixel classification from a few labelled pixels: multi-scale feature bank and random forest (ilastik-style).
        .target(name: "DendrometerLearning", dependencies: ["DendrometerCore", "DendrometerFilters", "CVectorKernels"]),
        /// Thinning, skeleton graph (skan vocabulary) and spur pruning.
        .target(name: "DendrometerSkeleton", dependencies: ["DendrometerCore", "DendrometerSegmentation", "DendrometerFilters", "CVectorKernels"]),

        /// Synthetic BSE/EDX cross-sections with exact ground truth (tests, accuracy benchmark, samples).
        .target(name: "DendrometerSynthetic", dependencies: ["DendrometerCore", "DendrometerIO", "DendrometerGeometry", "DendrometerMorphology"]),

        // MARK: - The pipeline of one micrograph

        /// Load → calibrate → prepare → segment (threshold, EDX, trained model or external mask) → interface →
        /// dendrites → skeleton → penetration / orientation / connectivity → regions → labels; one parameter set.
        .target(
            name: "DendrometerPipeline",
            dependencies: [
                "DendrometerCore", "DendrometerIO", "DendrometerCalibration",
                "DendrometerFilters", "DendrometerSegmentation", "DendrometerSkeleton",
                "DendrometerGeometry", "DendrometerMorphology", "DendrometerLearning",
            ]
        ),
        /// Per-image outputs: the JSON document, the text summary, the overlay PNG, mask TIFFs, the ROI set, `inspect` reports.
        .target(name: "DendrometerOutput", dependencies: [
            "DendrometerPipeline", "DendrometerCore", "DendrometerIO", "DendrometerCalibration",
            "DendrometerGeometry", "DendrometerMorphology", "DendrometerSkeleton",
        ]),
        /// Kernel and end-to-end throughput on generated images (`dendrometer bench`).
        .target(name: "DendrometerBenchmark", dependencies: [
            "DendrometerPipeline", "DendrometerCore", "DendrometerIO", "DendrometerFilters",
            "DendrometerSegmentation", "DendrometerSkeleton", "DendrometerLearning",
        ]),

        // MARK: - Umbrella library (re-exports only)

        .target(
            name: "Dendrometer",
            dependencies: [
                "DendrometerCore", "DendrometerIO", "DendrometerCalibration",
                "DendrometerFilters", "DendrometerSegmentation", "DendrometerSkeleton",
                "DendrometerGeometry", "DendrometerMorphology", "DendrometerLearning",
                "DendrometerPipeline", "DendrometerOutput", "DendrometerBenchmark",
            ]
        ),

        // MARK: - Many images

        /// Batch runs over folders/manifests: resumable, sharded, atomic outputs (images/regions/branches CSV, JSON, overlays).
        .target(name: "DendrometerBatch", dependencies: ["Dendrometer", "CProcess"]),
        /// Self-contained HTML reports with SVG plots, and group comparisons (Mann–Whitney U, Cliff's delta).
        .target(name: "DendrometerReport", dependencies: ["DendrometerCore", "DendrometerIO"]),

        // MARK: - Command-line tool

        .executableTarget(
            name: "DendrometerCLI",
            dependencies: [
                "Dendrometer", "DendrometerBatch", "DendrometerReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Tools

        /// `dendrometer-synth`: renders synthetic micrographs and the accuracy benchmark set.
        .executableTarget(
            name: "dendrometer-synth",
            dependencies: [
                "DendrometerSynthetic",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "tools/synth"
        ),

        // MARK: - Tests (mirror the module layout)

        /// Locates ../shared/data/real and decodes expected.json for the real-file tests.
        .target(name: "DendrometerTestSupport", path: "Tests/DendrometerTestSupport"),

        .testTarget(name: "DendrometerCoreTests", dependencies: ["DendrometerCore"]),
        .testTarget(name: "DendrometerIOTests", dependencies: ["DendrometerIO", "DendrometerCore", "DendrometerTestSupport"]),
        .testTarget(name: "DendrometerCalibrationTests", dependencies: ["DendrometerCalibration", "DendrometerCore"]),
        .testTarget(name: "DendrometerFiltersTests", dependencies: ["DendrometerFilters", "DendrometerCore"]),
        .testTarget(name: "DendrometerSegmentationTests", dependencies: ["DendrometerSegmentation", "DendrometerCore"]),
        .testTarget(name: "DendrometerSkeletonTests", dependencies: ["DendrometerSkeleton", "DendrometerSegmentation", "DendrometerCore",
                                                                   "DendrometerFilters"]),
        .testTarget(name: "DendrometerGeometryTests", dependencies: ["DendrometerGeometry", "DendrometerCore"]),
        .testTarget(name: "DendrometerLearningTests", dependencies: ["DendrometerLearning", "DendrometerCore", "DendrometerFilters",
                                                                   "DendrometerBenchmark"]),
        .testTarget(name: "DendrometerMorphologyTests", dependencies: ["DendrometerMorphology", "DendrometerCore"]),
        .testTarget(name: "DendrometerSyntheticTests", dependencies: ["DendrometerSynthetic", "DendrometerIO", "DendrometerCalibration", "DendrometerTestSupport"]),
        .testTarget(name: "DendrometerBatchTests", dependencies: ["DendrometerBatch", "Dendrometer", "DendrometerSynthetic", "DendrometerReport", "DendrometerTestSupport"]),
        .testTarget(name: "DendrometerReportTests", dependencies: ["DendrometerReport", "DendrometerCore", "DendrometerIO", "DendrometerTestSupport"]),
        .testTarget(name: "DendrometerPipelineTests", dependencies: ["Dendrometer", "DendrometerPipeline", "DendrometerSynthetic", "DendrometerTestSupport"]),
        .testTarget(name: "DendrometerOutputTests", dependencies: ["DendrometerOutput", "DendrometerIO", "DendrometerCore", "DendrometerTestSupport"]),
        .testTarget(name: "DendrometerCLITests", dependencies: ["DendrometerCLI", "Dendrometer", "DendrometerTestSupport"]),
    ]
)
