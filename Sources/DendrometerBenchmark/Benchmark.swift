// Throughput benchmarks for `dendrometer bench`: each case runs a library
// kernel on a generated micrograph-like image, keeps the best of several
// repetitions, checks the result (a checksum is reported so the optimiser
// cannot drop the work) and reports megapixels per second.

import DendrometerCore
import DendrometerIO
import Dispatch
import Foundation

/// One benchmark measurement.
public struct BenchmarkResult: Sendable, Encodable {
    /// Kernel name, e.g. `tiff-decode-lzw`.
    public var kernel: String
    /// Image width, px.
    public var width: Int
    /// Image height, px.
    public var height: Int
    /// Best wall-clock time over the repetitions, seconds.
    public var seconds: Double
    /// Megapixels processed per second (width × height / 10⁶ / seconds).
    public var megapixelsPerSecond: Double
    /// A value derived from the output, printed so the work cannot be elided.
    public var checksum: Double

    enum CodingKeys: String, CodingKey {
        case kernel, width, height, seconds, megapixelsPerSecond = "megapixels_per_second", checksum
    }
}

/// A named piece of work on a prepared input.
public struct BenchmarkCase: Sendable {
    /// Kernel name.
    public var name: String
    /// Prepares the input once (not timed) and returns the timed body, which returns a checksum.
    public var prepare: @Sendable (BenchmarkContext) throws -> (@Sendable () throws -> Double)

    /// A case named `name`.
    public init(name: String, prepare: @escaping @Sendable (BenchmarkContext) throws -> (@Sendable () throws -> Double)) {
        self.name = name
        self.prepare = prepare
    }
}

/// What a case gets to prepare its input.
public struct BenchmarkContext: Sendable {
    /// The generated 8-bit micrograph.
    public var image: Image<UInt8>
    /// A folder for temporary files.
    public var scratchDirectory: String
}

/// Runs benchmark cases.
public enum BenchmarkRunner {
    /// Whether this binary was built with optimisation (debug numbers are meaningless).
    public static var isOptimized: Bool {
        #if DEBUG
        return false
        #else
        return true
        #endif
    }

    /// Runs `cases` on a generated `width × height` image and keeps each case's
    /// best run: at least `repetitions` runs, and more (up to 1000) until
    /// `minimumSeconds` have been spent, so sub-millisecond kernels are timed
    /// over many runs rather than three.
    public static func run(_ cases: [BenchmarkCase], width: Int, height: Int, repetitions: Int = 3,
                           minimumSeconds: Double = 0,
                           scratchDirectory: String, progress: (BenchmarkResult) -> Void = { _ in }) throws -> [BenchmarkResult] {
        let image = SyntheticMicrograph.bse(width: width, height: height, seed: 42)
        let context = BenchmarkContext(image: image, scratchDirectory: scratchDirectory)
        var results = [BenchmarkResult]()
        for c in cases {
            let body = try c.prepare(context)
            var best = Double.infinity
            var checksum = 0.0
            var runs = 0, spent = 0.0
            while runs < max(1, repetitions) || (spent < minimumSeconds && runs < 1000) {
                let start = DispatchTime.now().uptimeNanoseconds
                checksum = try body()
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                best = min(best, elapsed)
                spent += elapsed
                runs += 1
            }
            let r = BenchmarkResult(kernel: c.name, width: width, height: height, seconds: best,
                                    megapixelsPerSecond: Double(width * height) / 1e6 / best, checksum: checksum)
            results.append(r)
            progress(r)
        }
        return results
    }
}

/// Input/output benchmark cases: TIFF decoding in the common SEM layouts.
public enum IOBenchmarks {
    /// Decoding uncompressed, LZW and Deflate 8-bit TIFFs (files written once, then read).
    public static let cases: [BenchmarkCase] = [
        ("tiff-decode-none", TIFFCompression.none), ("tiff-decode-lzw", .lzw), ("tiff-decode-deflate", .deflate),
    ].map { name, compression in
        BenchmarkCase(name: name) { ctx in
            let path = "\(ctx.scratchDirectory)/bench-\(name)-\(ctx.image.width)x\(ctx.image.height).tif"
            try TIFFWriter.write(ctx.image, to: path, options: TIFFWriteOptions(compression: compression, rowsPerStrip: 64))
            return {
                let loaded = try ImageFile.read(path)
                guard case .uint8(let img) = loaded.image else { return -1 }
                return Double(img.pixels[img.count / 2])
            }
        }
    }
}
