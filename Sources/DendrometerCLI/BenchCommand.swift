import ArgumentParser
import Dendrometer
import Foundation

/// `dendrometer bench`
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure kernel and end-to-end throughput (megapixels per second) on generated images.",
        discussion: """
        Each kernel runs on a generated BSE-like 8-bit image; the best of at least --repeat \
        runs, repeated until --min-time seconds were spent, is reported. Numbers from a debug \
        build are meaningless, so the command refuses to run unless built with -c release. Compare with scikit-image/OpenCV/tifffile using \
        tools/bench_compare.py (it runs this command and times the same steps in Python on \
        the images written with --write-images).

        The 3×3 and 5×5 medians, the separable Float filters (Gaussian, structure tensor) and \
        the thinning scan (skeletonize) run on the widest vector kernels the processor has (AVX-512BW, AVX2, else the portable \
        Swift kernels; the table's first line says which). Set DENDROMETER_VECTORS=portable or \
        avx2 to measure narrower ones: results are bit-identical.

        analyze-end-to-end runs the whole analysis on that image; analyze-dense runs it on a dense one (hundreds of branching tongues, a network near the anode, loose pieces; about 216,000 px of skeleton at 4096²) at 0.05 µm/px with the anode at the bottom, as whole-process performance is judged. --write-images writes both: bench-WxH.tif and bench-dense-WxH.tif.

        Trained-model segmentation (features and random forest, as `analyze --model`) runs only when named: --kernel pixel-classifier (a model is trained on the generated scene first; tools/bench_pixel_classifier.py prints its ratio to scikit-image + scikit-learn).
        """)

    @Option(name: .customLong("size"), help: "Image size WxH (repeatable). Default: 1024x1024 and 4096x4096.")
    var sizes: [String] = ["1024x1024", "4096x4096"]

    @Option(help: "Only run kernels whose name contains this text (repeatable).")
    var kernel: [String] = []

    @Option(parsing: .unconditional, help: "Repetitions per kernel, at least (the best is kept).")
    var `repeat` = 3

    @Option(parsing: .unconditional, help: "Keep repeating a kernel until this many seconds were spent on it (at most 1000 runs), so fast kernels are timed over many runs.")
    var minTime = 0.2

    @Option(help: "Also write each generated image as an uncompressed TIFF into this folder.")
    var writeImages: String?

    @Option(parsing: .unconditional, help: "Threads each kernel may use (default: all cores); 1 compares with single-threaded libraries.")
    var threads: Int?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Flag(help: "Run even in a debug build (numbers will be meaningless).")
    var allowDebug = false

    func validate() throws {
        for s in sizes where parse(s) == nil { throw ValidationError("--size expects WxH such as 4096x4096, got '\(s)'") }
        if `repeat` < 1 { throw ValidationError("--repeat must be at least 1") }
        if !(minTime >= 0) { throw ValidationError("--min-time must be a number of seconds ≥ 0") }
    }

    private func parse(_ s: String) -> (Int, Int)? {
        let parts = s.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts[0] > 0, parts[1] > 0 else { return nil }
        return (parts[0], parts[1])
    }

    func run() throws {
        guard BenchmarkRunner.isOptimized || allowDebug else {
            reportFailure("bench: this is a debug build; build with `swift build -c release` (or pass --allow-debug)")
            throw ExitCode(1)
        }
        if let threads { Concurrency.maximumThreads = max(1, threads) }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("dendrometer-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let cases = AllBenchmarks.cases.filter { c in kernel.isEmpty || kernel.contains { c.name.contains($0) } }
            + AllBenchmarks.onRequestCases.filter { c in kernel.contains { c.name.contains($0) } }
        var all = [BenchmarkResult]()
        if !json {
            emit("# threads: \(Concurrency.maximumThreads), vector kernels: \(VectorKernels.active.rawValue)")
            emit("kernel                          size          best (ms)      MPx/s   checksum")
        }
        for s in sizes {
            let (w, h) = parse(s)!
            if let dir = writeImages {
                try TIFFWriter.write(SyntheticMicrograph.bse(width: w, height: h, seed: 42), to: "\(dir)/bench-\(w)x\(h).tif")
                try TIFFWriter.write(SyntheticMicrograph.denseBSE(width: w, height: h, seed: 42), to: "\(dir)/bench-dense-\(w)x\(h).tif")
            }
            let results = try BenchmarkRunner.run(cases, width: w, height: h, repetitions: `repeat`, minimumSeconds: minTime,
                                                   scratchDirectory: scratch) { r in
                if !json {
                    emit(padded(r.kernel, 30) + "  " + padded("\(r.width)x\(r.height)", 12)
                         + String(format: "%10.2f %10.1f   ", r.seconds * 1000, r.megapixelsPerSecond) + PixelSize.format(r.checksum))
                }
            }
            all += results
        }
        if json { emit(try ReportJSON.encode(all)) }
    }

    private func padded(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
}
