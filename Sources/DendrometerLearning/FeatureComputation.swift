// Tiled computation of the feature bank (ilastik's filters, Sommer et al. 2011).
//
// Memory: a full-image feature stack would be F × W × H Floats (49 planes of a
// 2048² micrograph = 820 MB), so features are computed in row tiles (default
// 256 rows) and consumed tile by tile (prediction, or gathering the labelled
// pixels for training). Each tile reads a halo of rows above and below; rows
// outside the image are reflected about the *image* border (scipy 'reflect'),
// so a tile's features equal the full-image filter's exactly (tested).
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

import DendrometerCore

/// The work of one scale: which feature planes to produce and at which plane index.
struct ScaleJob: Sendable, Equatable {
    /// σ actually applied, px.
    var sigma: Double
    var gaussian: Int?
    var gradientMagnitude: Int?
    var laplacian: Int?
    var differenceOfGaussians: Int?
    /// First of 2 planes (larger, smaller eigenvalue).
    var hessian: Int?
    /// First of 2 planes (larger, smaller eigenvalue).
    var structureTensor: Int?

    var needsFirstDerivatives: Bool { gradientMagnitude != nil || structureTensor != nil || hessian != nil }
    var needsSecondDerivatives: Bool { laplacian != nil || hessian != nil }

    /// Rows above/below a tile this scale reads (exact support of its cascade of kernels).
    var haloRows: Int {
        let r = SymmetricKernel.radius(sigma: sigma)
        var halo = r
        if differenceOfGaussians != nil {
            halo = max(halo, SymmetricKernel.radius(sigma: sigma * FeatureBank.differenceOfGaussiansRatio))
        }
        if structureTensor != nil {
            halo = max(halo, r + SymmetricKernel.radius(sigma: sigma * FeatureBank.structureTensorIntegrationRatio))
        }
        return halo
    }
}

/// The feature bank resolved to applied scales (px) and grouped by scale.
struct FeaturePlan: Sendable, Equatable {
    let jobs: [ScaleJob]
    let featureCount: Int
    /// Halo rows read above and below a tile: the largest kernel-cascade support plus
    /// ``FeaturePlan/haloMargin`` (≈ ⌈4σmax⌉ + 2 for smoothing; more for the structure tensor).
    let halo: Int
    /// Largest kernel radius used, px.
    let maximumRadius: Int

    /// Extra halo rows beyond the exact kernel support (a safety margin; costs little).
    static let haloMargin = 2

    /// - Parameter appliedSigmas: σ in px for each entry of `bank.features`. Features of the
    ///   same σ share one job (and its row passes); a kind listed twice at one σ gets a second job.
    init(bank: FeatureBank, appliedSigmas: [Double]) {
        precondition(appliedSigmas.count == bank.features.count, "one applied σ per feature")
        var jobs = [ScaleJob]()
        var plane = 0
        for (feature, sigma) in zip(bank.features, appliedSigmas) {
            let slot: WritableKeyPath<ScaleJob, Int?>
            switch feature.kind {
            case .gaussianSmoothing: slot = \.gaussian
            case .gradientMagnitude: slot = \.gradientMagnitude
            case .laplacianOfGaussian: slot = \.laplacian
            case .differenceOfGaussians: slot = \.differenceOfGaussians
            case .hessianEigenvalues: slot = \.hessian
            case .structureTensorEigenvalues: slot = \.structureTensor
            }
            if let j = jobs.firstIndex(where: { $0.sigma == sigma && $0[keyPath: slot] == nil }) {
                jobs[j][keyPath: slot] = plane
            } else {
                var job = ScaleJob(sigma: sigma)
                job[keyPath: slot] = plane
                jobs.append(job)
            }
            plane += feature.kind.planeCount
        }
        self.jobs = jobs
        featureCount = plane
        halo = jobs.map(\.haloRows).max()! + Self.haloMargin
        maximumRadius = jobs.map { job in
            SymmetricKernel.radius(sigma: job.sigma * max(FeatureBank.differenceOfGaussiansRatio,
                                                          FeatureBank.structureTensorIntegrationRatio))
        }.max()!
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
    /// `output + f · rows.count · width`, row-major within the plane.
    /// `image` is the normalised image, `height` rows of `width`.
    func compute(image: UnsafePointer<Float>, height h: Int, rows: Range<Int>, output: UnsafeMutablePointer<Float>) {
        precondition(rows.count <= tileRows && rows.lowerBound >= 0 && rows.upperBound <= h)
        for job in plan.jobs { compute(job, image: image, height: h, rows: rows, output: output) }
    }

    /// Rows [lo − r, hi + r) clipped to the image: the stored range a pass of radius r needs.
    private func extended(_ rows: Range<Int>, by r: Int, height h: Int) -> Range<Int> {
        max(0, rows.lowerBound - r) ..< min(h, rows.upperBound + r)
    }

    private func compute(_ job: ScaleJob, image: UnsafePointer<Float>, height h: Int, rows: Range<Int>,
                         output: UnsafeMutablePointer<Float>) {
        let w = width, n = rows.count * w
        @inline(__always) func plane(_ index: Int) -> UnsafeMutablePointer<Float> { output + index * n }
        let g = SymmetricKernel.gaussian(sigma: job.sigma)
        let d = SymmetricKernel.firstDerivative(sigma: job.sigma)
        let dd = SymmetricKernel.secondDerivative(sigma: job.sigma)
        let rho = job.sigma * FeatureBank.structureTensorIntegrationRatio
        let gRho = job.structureTensor != nil ? SymmetricKernel.gaussian(sigma: rho) : g
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
                for i in 0 ..< n {
                    let a = ix[base + i], b = iy[base + i]
                    out[i] = (a * a + b * b).squareRoot()
                }
            }
        }

        // 5. Difference of Gaussians G(σ) − G(1.6σ); rdd is free again.
        if let p = job.differenceOfGaussians, let smoothed {
            let g2 = SymmetricKernel.gaussian(sigma: job.sigma * FeatureBank.differenceOfGaussiansRatio)
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
                for c in 0 ..< 3 {
                    for x in 0 ..< w {
                        let a = ix[o + x], b = iy[o + x]
                        line[x] = c == 0 ? a * a : (c == 1 ? a * b : b * b)
                    }
                    rowPass(line, width: w, kernels: [gRho], outputs: [targets[c]], outputOffset: o, scratch: scratch)
                }
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

/// Default rows per feature tile: tall enough that the halo (up to ~200 rows for the
/// σ = 16 px structure tensor) is not recomputed too often, small enough that a
/// tile's 49 planes of a 2048-px-wide image stay near 100 MB.
public let defaultFeatureTileRows = 256

/// Computes the features of every tile of `image` (already normalised) and passes each
/// tile to `body(rows, planes)`; `planes` holds `plan.featureCount` planes of
/// `rows.count × width` Floats, valid only during the call. Tiles run concurrently
/// on row bands; `body` must only write state owned by its tile.
///
/// - Parameter tiles: indices of the tiles to compute (tile t covers rows
///   t·tileRows ..< min(height, (t+1)·tileRows)); nil for all.
func forEachFeatureTile(_ image: Image<Float>, plan: FeaturePlan, tileRows: Int, tiles: [Int]? = nil,
                        _ body: (Range<Int>, UnsafePointer<Float>) -> Void) {
    let w = image.width, h = image.height
    guard w > 0 && h > 0 else { return }
    let rowsPerTile = max(1, min(tileRows, h))
    let tileCount = (h + rowsPerTile - 1) / rowsPerTile
    let list = tiles ?? Array(0 ..< tileCount)
    image.pixels.withUnsafeBufferPointer { pixels in
        let source = SendableConstPointer(pixels.baseAddress!)
        parallelBands(list.count, minimumPerBand: 1) { range in
            let worker = FeatureTileWorker(width: w, tileRows: rowsPerTile, plan: plan)
            let planes = UnsafeMutablePointer<Float>.allocate(capacity: plan.featureCount * rowsPerTile * w)
            defer { planes.deallocate() }
            for index in range {
                let t = list[index]
                let rows = t * rowsPerTile ..< min(h, (t + 1) * rowsPerTile)
                worker.compute(image: source.base, height: h, rows: rows, output: planes)
                body(rows, planes)
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
        forEachFeatureTile(image, plan: plan, tileRows: tileRows) { rows, planes in
            let tileN = rows.count * w
            for f in 0 ..< plan.featureCount {
                (dst.base + f * n + rows.lowerBound * w).update(from: planes + f * tileN, count: tileN)
            }
        }
    }
    return out
}
