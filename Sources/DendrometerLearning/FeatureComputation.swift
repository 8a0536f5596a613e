// Tiled computation of the feature bank (ilastik's filters, Sommer et al. 2011).
//
// Memory: a full-image feature stack would be F × W × H Floats (49 planes of a
// 2048² micrograph = 820 MB), so features are computed in row tiles (default
// 64 rows) and consumed tile by tile (prediction, or gathering the labelled
// pixels for training). Each tile reads a halo of rows above and below; rows
// outside the image are reflected about the *image* border (scipy 'reflect'),
// so a tile's features equal the full-image filter's exactly (tested).
//
// Large scales (a bank with a pyramid, FeatureBank.swift) are computed on
// pyramid levels: each level image (the input smoothed and sampled every D
// px) is made once for the whole image; a band's worker computes the level's
// features for a run of level rows at a time (its own halo, reflected about
// the level image's border) and interpolates them into each tile's planes,
// so tiles stay independent of each other and of their height (tested).
//
// Per scale σ one set of row passes (Gaussian g, derivative g′, second
// derivative g″ along x) feeds every feature of that scale:
//   G = g_y ∗ (g_x ∗ I)                 Ix = g_y ∗ (g′_x ∗ I)    Iy = g′_y ∗ (g_x ∗ I)
//   Ixx = g_y ∗ (g″_x ∗ I)              Iyy = g″_y ∗ (g_x ∗ I)   Ixy = g′_y ∗ (g′_x ∗ I)
// gradient magnitude √(Ix² + Iy²); LoG Ixx + Iyy; Hessian eigenvalues of
// [[Ixx, Ixy], [Ixy, Iyy]]; DoG G(σ) − G(1.6σ); structure tensor
// J = g_2σ ∗ [Ix², IxIy, Iy²] (the product image is reflected at the border, as
// a full-image filter of the products would) and its eigenvalues. Eigenvalues of a
// symmetric 2×2 matrix: (a + c)/2 ± √(((a − c)/2)² + b²), larger first.
//
// Parallelism: tiles are independent; `parallelBands` runs them on all cores,
// each worker with its own scratch.

import CVectorKernels
import DendrometerCore
import DendrometerFilters

/// The work of one scale: which feature planes to produce and at which plane index.
struct ScaleJob: Sendable, Equatable {
    /// σ actually applied, px.
    var sigma: Double
    /// σ of the wider Gaussian of the difference of Gaussians, px (σ·1.6 at full resolution).
    var differenceSigma: Double
    /// Integration scale ρ of the structure tensor, px (2σ at full resolution).
    var integrationSigma: Double
    var gaussian: Int?
    var gradientMagnitude: Int?
    var laplacian: Int?
    var differenceOfGaussians: Int?
    /// First of 2 planes (larger, smaller eigenvalue).
    var hessian: Int?
    /// First of 2 planes (larger, smaller eigenvalue).
    var structureTensor: Int?

    /// A job at `sigma` px with the bank's ratios for the DoG and the tensor unless given.
    init(sigma: Double, differenceSigma: Double? = nil, integrationSigma: Double? = nil) {
        self.sigma = sigma
        self.differenceSigma = differenceSigma ?? sigma * FeatureBank.differenceOfGaussiansRatio
        self.integrationSigma = integrationSigma ?? sigma * FeatureBank.structureTensorIntegrationRatio
    }

    var needsFirstDerivatives: Bool { gradientMagnitude != nil || structureTensor != nil || hessian != nil }
    var needsSecondDerivatives: Bool { laplacian != nil || hessian != nil }

    /// Rows above/below a tile this scale reads (exact support of its cascade of kernels).
    var haloRows: Int {
        let r = SymmetricKernel.radius(sigma: sigma)
        var halo = r
        if differenceOfGaussians != nil { halo = max(halo, SymmetricKernel.radius(sigma: differenceSigma)) }
        if structureTensor != nil { halo = max(halo, r + SymmetricKernel.radius(sigma: integrationSigma)) }
        return halo
    }

    /// Largest kernel radius the job uses, px.
    var maximumRadius: Int {
        SymmetricKernel.radius(sigma: max(sigma, differenceSigma, integrationSigma))
    }

    /// The plane slot of `kind`.
    static func slot(_ kind: FeatureBank.Kind) -> WritableKeyPath<ScaleJob, Int?> {
        switch kind {
        case .gaussianSmoothing: \.gaussian
        case .gradientMagnitude: \.gradientMagnitude
        case .laplacianOfGaussian: \.laplacian
        case .differenceOfGaussians: \.differenceOfGaussians
        case .hessianEigenvalues: \.hessian
        case .structureTensorEigenvalues: \.structureTensor
        }
    }

    /// Puts `kind`'s output at `plane` into the first job of `jobs` with the same scales and a
    /// free slot, or into a new job `make()`: features of one scale share one job's row passes.
    static func assign(_ kind: FeatureBank.Kind, plane: Int, to jobs: inout [ScaleJob], make: () -> ScaleJob) {
        let slot = slot(kind), new = make()
        if let j = jobs.firstIndex(where: { $0.sigma == new.sigma && $0.differenceSigma == new.differenceSigma
                                             && $0.integrationSigma == new.integrationSigma && $0[keyPath: slot] == nil }) {
            jobs[j][keyPath: slot] = plane
        } else {
            var job = new
            job[keyPath: slot] = plane
            jobs.append(job)
        }
    }
}

/// The features of one pyramid level: computed on the level image (the input smoothed with
/// `antiAliasSigma` px and sampled every `factor` px) into `plan`'s own planes, then
/// interpolated into the bank's planes `bankPlanes` and multiplied by `planeScales`.
struct PyramidLevel: Sendable, Equatable {
    /// D: the level samples every D-th pixel of every D-th row.
    let factor: Int
    /// σ_a of the smoothing before sampling, px at full resolution.
    let antiAliasSigma: Double
    /// Jobs at level scales, with level-local plane indices 0 ..< plan.featureCount.
    let plan: FeaturePlan
    /// Bank plane index of each level plane.
    let bankPlanes: [Int]
    /// Unit change of each level plane to full-resolution px: 1 (smoothing, DoG), 1/D (gradient
    /// magnitude), 1/D² (Laplacian, Hessian and structure-tensor eigenvalues).
    let planeScales: [Float]

    /// Level-px → px factor of a kind's values.
    static func scale(_ kind: FeatureBank.Kind, factor: Int) -> Float {
        let d = Float(factor)
        switch kind {
        case .gaussianSmoothing, .differenceOfGaussians: return 1
        case .gradientMagnitude: return 1 / d
        case .laplacianOfGaussian, .hessianEigenvalues, .structureTensorEigenvalues: return 1 / (d * d)
        }
    }
}

/// The feature bank resolved to applied scales (px) and grouped by scale: full-resolution
/// jobs, and the pyramid levels of the large scales when the bank has a pyramid.
struct FeaturePlan: Sendable, Equatable {
    /// Jobs computed at full resolution.
    let jobs: [ScaleJob]
    /// Jobs computed on coarser levels (empty for a direct bank).
    let levels: [PyramidLevel]
    let featureCount: Int
    /// Halo rows the full-resolution jobs read above and below a tile: their largest
    /// kernel-cascade support plus ``FeaturePlan/haloMargin``.
    let halo: Int
    /// Largest kernel radius of the full-resolution jobs, px.
    let maximumRadius: Int

    /// Extra halo rows beyond the exact kernel support (a safety margin; costs little).
    static let haloMargin = 2

    /// Rows per tile when the caller does not choose: ``defaultFeatureTileRows``, or twice the
    /// halo when that is taller (a bank without a pyramid reads ≈ 200 halo rows at σ = 16 px),
    /// so a tile's halo rows are never more than its own rows.
    var defaultTileRows: Int { max(defaultFeatureTileRows, 2 * halo) }

    /// - Parameter appliedSigmas: σ in px for each entry of `bank.features`. Features of the
    ///   same σ share one job (and its row passes); a kind listed twice at one σ gets a second job.
    init(bank: FeatureBank, appliedSigmas: [Double]) {
        precondition(appliedSigmas.count == bank.features.count, "one applied σ per feature")
        var jobs = [ScaleJob]()
        struct LevelDraft { var jobs = [ScaleJob](), bankPlanes = [Int](), scales = [Float]() }
        var drafts = [Int: LevelDraft]()
        var plane = 0
        for (feature, sigma) in zip(bank.features, appliedSigmas) {
            let d = bank.pyramid?.factor(sigma: sigma) ?? 1
            if d == 1 {
                ScaleJob.assign(feature.kind, plane: plane, to: &jobs) { ScaleJob(sigma: sigma) }
            } else {
                let aa = bank.pyramid!.antiAliasRatio * Double(d), level = Double(d)
                var draft = drafts[d] ?? LevelDraft()
                ScaleJob.assign(feature.kind, plane: draft.bankPlanes.count, to: &draft.jobs) {
                    // Remaining scales on the level: Gaussians compose (σ² = σ_a² + (D·σ')²);
                    // the tensor integrates products of gradients, which are not pre-smoothed.
                    let dog = sigma * FeatureBank.differenceOfGaussiansRatio
                    return ScaleJob(sigma: (sigma * sigma - aa * aa).squareRoot() / level,
                                    differenceSigma: (dog * dog - aa * aa).squareRoot() / level,
                                    integrationSigma: sigma * FeatureBank.structureTensorIntegrationRatio / level)
                }
                for p in 0 ..< feature.kind.planeCount {
                    draft.bankPlanes.append(plane + p)
                    draft.scales.append(PyramidLevel.scale(feature.kind, factor: d))
                }
                drafts[d] = draft
            }
            plane += feature.kind.planeCount
        }
        self.init(jobs: jobs, featureCount: plane, levels: drafts.keys.sorted().map { d in
            let draft = drafts[d]!
            return PyramidLevel(factor: d, antiAliasSigma: bank.pyramid!.antiAliasRatio * Double(d),
                                plan: FeaturePlan(jobs: draft.jobs, featureCount: draft.bankPlanes.count, levels: []),
                                bankPlanes: draft.bankPlanes, planeScales: draft.scales)
        })
    }

    private init(jobs: [ScaleJob], featureCount: Int, levels: [PyramidLevel]) {
        self.jobs = jobs
        self.levels = levels
        self.featureCount = featureCount
        halo = (jobs.map(\.haloRows).max() ?? 0) + Self.haloMargin
        maximumRadius = jobs.map(\.maximumRadius).max() ?? 0
    }
}

/// Per-worker buffers for computing the features of one tile, sized for the plan.
final class FeatureTileWorker {
    let width: Int, tileRows: Int, plan: FeaturePlan
    /// Row-filtered input (g, g′, g″ along x) over the extended rows; reused for the
    /// row-filtered structure-tensor products.
    let rg, rd, rdd: UnsafeMutablePointer<Float>
    /// Ix, Iy over the rows the structure tensor integrates (tile ± its ρ radius).
    let ix, iy: UnsafeMutablePointer<Float>
    /// Tile-sized temporaries (second derivatives, tensor components, G(1.6σ)).
    let t0, t1, t2, t3: UnsafeMutablePointer<Float>
    let line: UnsafeMutablePointer<Float>
    let scratch: LineScratch
    private let extendedCapacity: Int

    init(width: Int, tileRows: Int, plan: FeaturePlan) {
        self.width = width
        self.tileRows = tileRows
        self.plan = plan
        extendedCapacity = (tileRows + 2 * plan.halo) * width
        rg = .allocate(capacity: extendedCapacity)
        rd = .allocate(capacity: extendedCapacity)
        rdd = .allocate(capacity: extendedCapacity)
        ix = .allocate(capacity: extendedCapacity)
        iy = .allocate(capacity: extendedCapacity)
        let tile = tileRows * width
        t0 = .allocate(capacity: tile); t1 = .allocate(capacity: tile)
        t2 = .allocate(capacity: tile); t3 = .allocate(capacity: tile)
        line = .allocate(capacity: width)
        scratch = LineScratch(width: width, maximumRadius: plan.maximumRadius)
    }

    deinit {
        for p in [rg, rd, rdd, ix, iy, t0, t1, t2, t3, line] { p.deallocate() }
        scratch.deallocate()
    }

    /// Features of image rows `rows` (at most `tileRows` of them) into `output`: plane f at
    /// `output + f · planeStride` (at least rows.count · width), row-major within the plane.
    /// `image` is the normalised image, `height` rows of `width`.
    func compute(image: UnsafePointer<Float>, height h: Int, rows: Range<Int>, output: UnsafeMutablePointer<Float>,
                 planeStride: Int) {
        precondition(rows.count <= tileRows && rows.lowerBound >= 0 && rows.upperBound <= h && planeStride >= rows.count * width)
        for job in plan.jobs { compute(job, image: image, height: h, rows: rows, output: output, planeStride: planeStride) }
    }

    /// Rows [lo − r, hi + r) clipped to the image: the stored range a pass of radius r needs.
    private func extended(_ rows: Range<Int>, by r: Int, height h: Int) -> Range<Int> {
        max(0, rows.lowerBound - r) ..< min(h, rows.upperBound + r)
    }

    private func compute(_ job: ScaleJob, image: UnsafePointer<Float>, height h: Int, rows: Range<Int>,
                         output: UnsafeMutablePointer<Float>, planeStride: Int) {
        let w = width, n = rows.count * w
        @inline(__always) func plane(_ index: Int) -> UnsafeMutablePointer<Float> { output + index * planeStride }
        let g = SymmetricKernel.gaussian(sigma: job.sigma)
        let d = SymmetricKernel.firstDerivative(sigma: job.sigma)
        let dd = SymmetricKernel.secondDerivative(sigma: job.sigma)
        let gRho = job.structureTensor != nil ? SymmetricKernel.gaussian(sigma: job.integrationSigma) : g
        // Rows where Ix, Iy are needed (tile ± ρ radius for the tensor), and the input rows behind them.
        let gradientRows = job.structureTensor != nil ? extended(rows, by: gRho.radius, height: h) : rows
        let inputRows = extended(gradientRows, by: g.radius, height: h)
        precondition(inputRows.count * w <= extendedCapacity, "tile halo too small for σ = \(job.sigma)")

        // 1. Row passes of the input.
        var kernels = [g], outs = [rg]
        if job.needsFirstDerivatives { kernels.append(d); outs.append(rd) }
        if job.needsSecondDerivatives { kernels.append(dd); outs.append(rdd) }
        for v in inputRows {
            rowPass(image + v * w, width: w, kernels: kernels, outputs: outs,
                    outputOffset: (v - inputRows.lowerBound) * w, scratch: scratch)
        }
        func column(_ src: UnsafePointer<Float>, _ srcRows: Range<Int>, _ k: SymmetricKernel,
                    _ outRows: Range<Int>, _ dst: UnsafeMutablePointer<Float>) {
            columnPass(source: src, sourceRows: srcRows, imageHeight: h, width: w, kernel: k,
                       rows: outRows, output: dst, scratch: scratch)
        }

        // 2. Gaussian smoothing (kept in t0 when only the DoG needs it).
        let smoothed: UnsafeMutablePointer<Float>? = job.gaussian.map(plane) ?? (job.differenceOfGaussians != nil ? t0 : nil)
        if let smoothed { column(rg, inputRows, g, rows, smoothed) }

        // 3. Second derivatives: LoG and Hessian eigenvalues.
        if job.needsSecondDerivatives {
            column(rdd, inputRows, g, rows, t1)      // Ixx
            column(rg, inputRows, dd, rows, t2)      // Iyy
            if let p = job.laplacian {
                let out = plane(p)
                for i in 0 ..< n { out[i] = t1[i] + t2[i] }
            }
            if let p = job.hessian {
                column(rd, inputRows, d, rows, t3)   // Ixy
                eigenvalues(t1, t3, t2, count: n, larger: plane(p), smaller: plane(p + 1))
            }
        }

        // 4. First derivatives: gradient magnitude (and the tensor's gradients).
        if job.gradientMagnitude != nil || job.structureTensor != nil {
            column(rd, inputRows, g, gradientRows, ix)
            column(rg, inputRows, d, gradientRows, iy)
            if let p = job.gradientMagnitude {
                let out = plane(p)
                let base = (rows.lowerBound - gradientRows.lowerBound) * w
                let gx = UnsafePointer(ix + base), gy = UnsafePointer(iy + base)
                for i in 0 ..< n { out[i] = (gx[i] * gx[i] + gy[i] * gy[i]).squareRoot() }
            }
        }

        // 5. Difference of Gaussians G(σ) − G(1.6σ); rdd is free again.
        if let p = job.differenceOfGaussians, let smoothed {
            let g2 = SymmetricKernel.gaussian(sigma: job.differenceSigma)
            let rows2 = extended(rows, by: g2.radius, height: h)
            precondition(rows2.count * w <= extendedCapacity, "tile halo too small for σ = \(job.sigma)")
            for v in rows2 {
                rowPass(image + v * w, width: w, kernels: [g2], outputs: [rdd],
                        outputOffset: (v - rows2.lowerBound) * w, scratch: scratch)
            }
            column(rdd, rows2, g2, rows, t1)
            let out = plane(p)
            for i in 0 ..< n { out[i] = smoothed[i] - t1[i] }
        }

        // 6. Structure tensor: products of the gradients, smoothed with g_ρ (rg, rd, rdd reused).
        if let p = job.structureTensor {
            let targets = [rg, rd, rdd]
            for v in gradientRows {
                let o = (v - gradientRows.lowerBound) * w
                let gx = UnsafePointer(ix + o), gy = UnsafePointer(iy + o)
                // One product per loop (no choice inside), so each loop is a plain vector loop.
                for x in 0 ..< w { line[x] = gx[x] * gx[x] }
                rowPass(line, width: w, kernels: [gRho], outputs: [targets[0]], outputOffset: o, scratch: scratch)
                for x in 0 ..< w { line[x] = gx[x] * gy[x] }
                rowPass(line, width: w, kernels: [gRho], outputs: [targets[1]], outputOffset: o, scratch: scratch)
                for x in 0 ..< w { line[x] = gy[x] * gy[x] }
                rowPass(line, width: w, kernels: [gRho], outputs: [targets[2]], outputOffset: o, scratch: scratch)
            }
            column(rg, gradientRows, gRho, rows, t1)     // Jxx
            column(rd, gradientRows, gRho, rows, t2)     // Jxy
            column(rdd, gradientRows, gRho, rows, t3)    // Jyy
            eigenvalues(t1, t2, t3, count: n, larger: plane(p), smaller: plane(p + 1))
        }
    }
}

/// Eigenvalues of the symmetric matrices [[a, b], [b, c]], larger and smaller.
@inline(__always)
func eigenvalues(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>, count: Int,
                 larger: UnsafeMutablePointer<Float>, smaller: UnsafeMutablePointer<Float>) {
    for i in 0 ..< count {
        let mean = 0.5 * (a[i] + c[i]), half = 0.5 * (a[i] - c[i])
        let root = (half * half + b[i] * b[i]).squareRoot()
        larger[i] = mean + root
        smaller[i] = mean - root
    }
}

/// Default rows per feature tile: with the feature pyramid the full-resolution halo is about
/// 20 rows (σ = 1.6 px and its structure tensor), so 64-row tiles recompute little of it, and
/// a tile's 49 planes of a 2048-px-wide image take 25 MB. Banks without a pyramid use taller
/// tiles (``FeaturePlan/defaultTileRows``).
public let defaultFeatureTileRows = 64

/// Floats between the end of one feature plane and the start of the next in a feature tile:
/// a prediction block (``predictionBlockSize``: the forest's vector compares may read a short
/// last block's unused samples), 8 KiB, which also puts the same pixel of successive planes
/// into different cache sets (planes of a power-of-two size would all land in one set).
let featurePlanePadding = predictionBlockSize

/// Computes the features of every tile of `image` (already normalised) and passes each
/// tile to `body(rows, planes, planeStride)`; `planes` holds `plan.featureCount` planes of
/// `rows.count × width` Floats, plane f at `planes + f · planeStride`, each followed by
/// ``featurePlanePadding`` readable Floats; valid only during the call. Tiles run
/// concurrently on row bands; `body` must only write state owned by its tile.
///
/// - Parameter tiles: indices of the tiles to compute (tile t covers rows
///   t·tileRows ..< min(height, (t+1)·tileRows)); nil for all.
func forEachFeatureTile(_ image: Image<Float>, plan: FeaturePlan, tileRows: Int, tiles: [Int]? = nil,
                        _ body: (Range<Int>, UnsafePointer<Float>, Int) -> Void) {
    let w = image.width, h = image.height
    guard w > 0 && h > 0 else { return }
    let rowsPerTile = max(1, min(tileRows, h))
    let tileCount = (h + rowsPerTile - 1) / rowsPerTile
    let list = tiles ?? Array(0 ..< tileCount)
    let levelImages = plan.levels.map { pyramidLevelImage(image, factor: $0.factor, antiAliasSigma: $0.antiAliasSigma) }
    let planeStride = rowsPerTile * w + featurePlanePadding
    image.pixels.withUnsafeBufferPointer { pixels in
        let source = SendableConstPointer(pixels.baseAddress!)
        parallelBands(list.count, minimumPerBand: 1) { range in
            let worker = FeatureTileWorker(width: w, tileRows: rowsPerTile, plan: plan)
            let levelWorkers = zip(plan.levels, levelImages).map { level, image in
                LevelTileWorker(level: level, image: image, fullWidth: w, tileRows: rowsPerTile)
            }
            let planes = UnsafeMutablePointer<Float>.allocate(capacity: plan.featureCount * planeStride)
            planes.initialize(repeating: 0, count: plan.featureCount * planeStride)
            defer { planes.deallocate() }
            for index in range {
                let t = list[index]
                let rows = t * rowsPerTile ..< min(h, (t + 1) * rowsPerTile)
                worker.compute(image: source.base, height: h, rows: rows, output: planes, planeStride: planeStride)
                for level in levelWorkers { level.compute(rows: rows, into: planes, planeStride: planeStride) }
                body(rows, planes, planeStride)
            }
        }
    }
}

/// A pyramid level image: `image` smoothed with a Gaussian of `antiAliasSigma` px (scipy
/// 'reflect' border) and sampled at (k·D, j·D), size ⌈W/D⌉ × ⌈H/D⌉.
func pyramidLevelImage(_ image: Image<Float>, factor d: Int, antiAliasSigma: Double) -> Image<Float> {
    let w = image.width, h = image.height
    let lw = (w + d - 1) / d, lh = (h + d - 1) / d
    var level = Image<Float>(width: lw, height: lh, fill: 0, bitDepth: 32)
    let g = SymmetricKernel.gaussian(sigma: antiAliasSigma)
    image.pixels.withUnsafeBufferPointer { src in
        level.pixels.withUnsafeMutableBufferPointer { dst in
            let input = SendableConstPointer(src.baseAddress!), out = SendablePointer(dst.baseAddress!)
            parallelBands(lh, minimumPerBand: 8) { levelRows in
                let scratch = LineScratch(width: w, maximumRadius: g.radius)
                let column = UnsafeMutablePointer<Float>.allocate(capacity: w)
                let row = UnsafeMutablePointer<Float>.allocate(capacity: w)
                defer { scratch.deallocate(); column.deallocate(); row.deallocate() }
                for j in levelRows {
                    columnPass(source: input.base, sourceRows: 0 ..< h, imageHeight: h, width: w, kernel: g,
                               rows: j * d ..< j * d + 1, output: column, scratch: scratch)
                    rowPass(column, width: w, kernels: [g], outputs: [row], outputOffset: 0, scratch: scratch)
                    for k in 0 ..< lw { out.base[j * lw + k] = row[k * d] }
                }
            }
        }
    }
    return level
}

/// Per-worker buffers for one pyramid level: its features over the level rows a tile needs,
/// and the bilinear interpolation back to full resolution.
final class LevelTileWorker {
    let level: PyramidLevel
    let image: Image<Float>
    let fullWidth: Int
    /// Level rows computed at once: enough for ``levelTileRows`` full-resolution rows, reused by
    /// the following tiles of the band (a level's halo is as tall as the full-resolution one in
    /// level rows, so computing a few level rows per tile would recompute it every time). Rows
    /// r0 ..< r0 + R need level rows ⌊r0/D⌋ ... ⌊(r0 + R − 1)/D⌋ + 1, at most ⌊(R − 1)/D⌋ + 3.
    let levelRows: Int
    let worker: FeatureTileWorker
    /// Level planes over the level rows `computed`, plane-major.
    let planes: UnsafeMutablePointer<Float>
    /// The level rows held in `planes` (empty before the first tile).
    private var computed = 0 ..< 0
    /// Two level rows interpolated along x to full width.
    let upper, lower: UnsafeMutablePointer<Float>

    /// Full-resolution rows whose level rows are computed at once (at least a tile's).
    static let levelTileRows = 256

    init(level: PyramidLevel, image: Image<Float>, fullWidth: Int, tileRows: Int) {
        self.level = level
        self.image = image
        self.fullWidth = fullWidth
        levelRows = min(image.height, (max(1, tileRows, Self.levelTileRows) - 1) / level.factor + 3)
        worker = FeatureTileWorker(width: image.width, tileRows: levelRows, plan: level.plan)
        planes = .allocate(capacity: max(1, level.plan.featureCount) * levelRows * image.width)
        upper = .allocate(capacity: fullWidth)
        lower = .allocate(capacity: fullWidth)
    }

    deinit { planes.deallocate(); upper.deallocate(); lower.deallocate() }

    /// Computes the level's features for full-resolution rows `rows` (or reuses them) and writes
    /// them, interpolated and rescaled, into the bank planes of `output` (plane f at
    /// `output + f · planeStride`). `rows` has at most the `tileRows` of `init`.
    func compute(rows: Range<Int>, into output: UnsafeMutablePointer<Float>, planeStride: Int) {
        let d = level.factor, lw = image.width, lh = image.height, w = fullWidth
        let first = rows.lowerBound / d, last = min(lh - 1, (rows.upperBound - 1) / d + 1)
        if !(computed.contains(first) && computed.contains(last)) {
            computed = first ..< min(lh, first + levelRows)
            image.pixels.withUnsafeBufferPointer { src in
                worker.compute(image: src.baseAddress!, height: lh, rows: computed, output: planes,
                           planeStride: computed.count * lw)
            }
        }
        let levelRange = computed
        let n = levelRange.count * lw, inverse = 1 / Float(d)
        let isa = VectorKernels.active.isa ?? DM_ISA_BASELINE
        func interpolateRow(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>) {
            dm_upsample_row_f32(isa, src, lw, d, w, dst)
        }
        for (p, bankPlane) in level.bankPlanes.enumerated() {
            let src = planes + p * n, dst = output + bankPlane * planeStride, scale = level.planeScales[p]
            var loaded = -1, a = upper, b = lower
            for y in rows {
                // Along y: between level rows v and v + 1 at weight (y mod D)/D; moving down one
                // level row, the old lower row becomes the upper one.
                let v = y / d, fv = Float(y - v * d) * inverse
                if loaded != v {
                    if loaded >= 0 && loaded == v - 1 { swap(&a, &b) } else { interpolateRow(src + (v - levelRange.lowerBound) * lw, into: a) }
                    interpolateRow(src + (min(v + 1, lh - 1) - levelRange.lowerBound) * lw, into: b)
                    loaded = v
                }
                dm_lerp_rows_f32(isa, a, b, w, fv, scale, dst + (y - rows.lowerBound) * w)
            }
        }
    }
}

/// All feature planes of a (normalised) image, planar: plane f at `f · width · height`.
/// Memory F × W × H Floats: for tests and small images only.
func computeFeatures(_ image: Image<Float>, plan: FeaturePlan, tileRows: Int = defaultFeatureTileRows) -> [Float] {
    let w = image.width, n = image.count
    var out = [Float](repeating: 0, count: plan.featureCount * n)
    out.withUnsafeMutableBufferPointer { ob in
        let dst = SendablePointer(ob.baseAddress!)
        forEachFeatureTile(image, plan: plan, tileRows: tileRows) { rows, planes, stride in
            let tileN = rows.count * w
            for f in 0 ..< plan.featureCount {
                (dst.base + f * n + rows.lowerBound * w).update(from: planes + f * stride, count: tileN)
            }
        }
    }
    return out
}
