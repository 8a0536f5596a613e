import DendrometerCore
import DendrometerPipeline
import DendrometerFilters
import DendrometerSegmentation
import DendrometerSkeleton

/// Every benchmark case `dendrometer bench` knows, in pipeline order. Names
/// match the Python equivalents in tools/bench_compare.py.
public enum AllBenchmarks {
    /// I/O first, then the kernels of each stage and the whole analysis: what runs by default.
    public static var cases: [BenchmarkCase] { IOBenchmarks.cases + KernelBenchmarks.cases + [endToEnd, endToEndDense] }
    /// Cases run only when asked for by name (`--kernel pixel-classifier`): trained-model
    /// segmentation trains a model first and takes about a minute at 4096².
    public static var onRequestCases: [BenchmarkCase] { LearningBenchmarks.cases }

    /// `analyze` on the generated micrograph at 0.25 µm/px: segmentation to regions (no file output).
    public static let endToEnd = BenchmarkCase(name: "analyze-end-to-end") { ctx in
        let micrograph = Micrograph(
            image: .uint8(ctx.image),
            metadata: SourceMetadata(format: .tiff, path: "bench.tif", width: ctx.image.width, height: ctx.image.height),
            calibration: Calibration(pixelSize: PixelSize(micrometres: 0.25), source: .user, detail: "benchmark"))
        return { try DendriteAnalysis.run(micrograph).penetration?.maxPx ?? -1 }
    }

    /// `analyze` on the dense micrograph (``SyntheticMicrograph/denseBSE(width:height:seed:)``) at
    /// 0.05 µm/px with the anode at the bottom, as whole-process performance is judged:
    /// segmentation to regions, no file output.
    public static let endToEndDense = BenchmarkCase(name: "analyze-dense") { ctx in
        let image = SyntheticMicrograph.denseBSE(width: ctx.image.width, height: ctx.image.height, seed: 42)
        let micrograph = Micrograph(
            image: .uint8(image),
            metadata: SourceMetadata(format: .tiff, path: "bench-dense.tif", width: image.width, height: image.height),
            calibration: Calibration(pixelSize: PixelSize(micrometres: 0.05), source: .user, detail: "benchmark"))
        var options = AnalysisOptions()
        options.anode = .bottom
        return { [options] in try DendriteAnalysis.run(micrograph, options: options).graph.totalLengthPx }
    }
}

/// Kernel cases on the generated 8-bit micrograph.
public enum KernelBenchmarks {
    /// The phase mask the binary kernels run on: the bright pixels (> 150) of the micrograph.
    static func mask(_ image: Image<UInt8>) -> BinaryMask { BinaryMask(image) { $0 > 150 } }

    /// Filters, thresholds, binary kernels.
    public static let cases: [BenchmarkCase] = [
        BenchmarkCase(name: "gaussian-u8-sigma2") { ctx in
            let image = ctx.image
            return { Double(try gaussianBlurKeepingType(image, sigma: 2).pixels[image.count / 2]) }
        },
        BenchmarkCase(name: "gaussian-u8-sigma1") { ctx in
            let image = ctx.image
            return { Double(try gaussianBlurKeepingType(image, sigma: 1).pixels[image.count / 2]) }
        },
        BenchmarkCase(name: "gaussian-float-sigma2") { ctx in
            let image = ctx.image
            return { Double(try gaussianBlur(image, sigma: 2).pixels[image.count / 2]) }
        },
        BenchmarkCase(name: "median-3x3-u8") { ctx in
            let image = ctx.image
            return { Double(try medianFilter(image, radius: 1).pixels[image.count / 2]) }
        },
        BenchmarkCase(name: "median-5x5-u8") { ctx in
            let image = ctx.image
            return { Double(try medianFilter(image, radius: 2).pixels[image.count / 2]) }
        },
        BenchmarkCase(name: "median-11x11-u8") { ctx in
            let image = ctx.image
            return { Double(try medianFilter(image, radius: 5).pixels[image.count / 2]) }
        },
        BenchmarkCase(name: "structure-tensor") { ctx in
            let image = ctx.image
            return { Double(try structureTensor(image, sigma: 1.0, rho: 1.5).coherence.pixels[image.count / 2]) }
        },
        BenchmarkCase(name: "otsu-u8") { ctx in
            let image = ctx.image
            return { try otsuThreshold(image) }
        },
        BenchmarkCase(name: "sauvola-w15") { ctx in
            let image = ctx.image
            return { Double(try sauvolaThresholds(image, window: 15).pixels[image.count / 2]) }
        },
        BenchmarkCase(name: "dilation-disk-r3") { ctx in
            let m = mask(ctx.image)
            return { Double(try dilation(m, radius: 3).area) }
        },
        BenchmarkCase(name: "fill-holes") { ctx in
            let m = mask(ctx.image)
            return { Double(fillHoles(m).area) }
        },
        BenchmarkCase(name: "remove-small-objects") { ctx in
            let m = mask(ctx.image)
            return { Double(try removeSmallObjects(m, minimumArea: 16).area) }
        },
        BenchmarkCase(name: "edt") { ctx in
            let m = mask(ctx.image)
            return { Double(try distanceTransform(m).pixels[m.count / 2]) }
        },
        BenchmarkCase(name: "label-8") { ctx in
            let m = mask(ctx.image)
            return { Double(labelComponents(m, connectivity: .eight).components.count) }
        },
        BenchmarkCase(name: "skeletonize") { ctx in
            let m = mask(ctx.image)
            return { Double(skeletonize(m).area) }
        },
        BenchmarkCase(name: "skeletonize-zhang") { ctx in
            let m = mask(ctx.image)
            return { Double(skeletonize(m, method: .zhang).area) }
        },
        BenchmarkCase(name: "euler-number") { ctx in
            let m = mask(ctx.image)
            return { Double(eulerNumber(m)) }
        },
    ]
}
