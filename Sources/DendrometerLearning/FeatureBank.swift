// The multi-scale pixel feature bank of ilastik's pixel classification
// (C. Sommer, C. Straehle, U. Köthe, F. A. Hamprecht, "ilastik: Interactive
// Learning and Segmentation Toolkit", ISBI 2011; S. Berg et al., "ilastik:
// interactive machine learning for (bio)image analysis", Nature Methods 16,
// 2019), also used by Trainable Weka Segmentation (Arganda-Carreras et al. 2017).
// Each feature is a Gaussian-scale-space operator applied at a few scales σ:
// smoothing (intensity), gradient magnitude (edges), Laplacian of Gaussian and
// difference of Gaussians (blobs), Hessian eigenvalues (ridges/valleys: thin
// dendrite filaments), structure-tensor eigenvalues (oriented texture).
//
// Scales are stored in px at the model's reference pixel size; a calibrated
// model applies them in µm, so the same physical neighbourhood is described at
// any magnification.
//
// Large scales on a Gaussian pyramid (Burt & Adelson 1983; Lowe's SIFT builds
// its scale space the same way): a Gaussian of σ = 16 px is a 129-tap kernel,
// and the structure tensor's integration scale 2σ a 257-tap one, yet the
// result holds no detail finer than σ, so it is fully described on a grid D
// times coarser. With a pyramid, a feature of scale σ ≥ 2·1.6 px is computed
// on the level D (2, 4 or 8: the largest with σ/D ≥ 1.6 level px, so the
// kernel stays well sampled) — the image smoothed with σ_a = 0.8·D px and
// sampled every D px — at the remaining scale √(σ² − σ_a²)/D (Gaussians
// compose: G(σ) = G(√(σ² − σ_a²)) ∗ G(σ_a)), and interpolated back
// bilinearly. Derivatives are rescaled to 1/px (÷D) and 1/px² (÷D²). Worked
// example: σ = 10 px runs on level 4 (10/8 < 1.6 ≤ 10/4) after smoothing with
// σ_a = 3.2 px, at √(100 − 10.24)/4 = 2.37 level px: 21 taps instead of 81,
// on 1/16 of the pixels. The cost of a scale no longer grows with σ; values
// differ from the direct convolution by a small fraction of the feature's
// range (FeatureTests measures it), and a model is always applied with the
// computation it was trained with (stored in the model file).

import Foundation

/// The list of per-pixel features (kind and Gaussian scale σ) a ``PixelClassifier`` computes.
///
/// Derivatives are plain Gaussian derivatives (not scale-normalised, as ilastik/vigra):
/// on grey values normalised to [0, 1] the gradient magnitude is in 1/px, the Laplacian,
/// Hessian eigenvalues in 1/px², the structure-tensor eigenvalues in 1/px².
///
/// The default bank is ilastik's full set at σ = 0.7, 1.0, 1.6, 3.5, 5.0, 10.0, 16.0 px,
/// with σ = 0.7 only for Gaussian smoothing: 7 + 6 × 7 = 49 feature planes; the scales from
/// 3.2 px are computed on the default ``Pyramid`` (σ = 3.5 and 5 on level 2, 10 on level 4,
/// 16 on level 8).
///
/// ```swift
/// let bank = FeatureBank()                          // 49 planes
/// bank.featureCount                                 // 49
/// bank.featureNames(pixelSize: 0.1)[0]              // "gaussian σ=0.07µm"
/// bank.scalesMicrometres(pixelSize: 0.1)            // ≈ [0.07, 0.1, 0.16, 0.35, 0.5, 1.0, 1.6]
/// ```
public struct FeatureBank: Sendable, Codable, Equatable {
    /// A feature operator. Raw values are the names stored in model files.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Gσ ∗ I (1 plane).
        case gaussianSmoothing = "gaussian"
        /// √(Ix² + Iy²) with Gaussian-derivative gradients at σ (1 plane).
        case gradientMagnitude = "gradient-magnitude"
        /// Ixx + Iyy with second Gaussian derivatives at σ (1 plane).
        case laplacianOfGaussian = "laplacian-of-gaussian"
        /// Gσ ∗ I − G(ratio·σ) ∗ I with ratio ``FeatureBank/differenceOfGaussiansRatio`` (1 plane).
        case differenceOfGaussians = "difference-of-gaussians"
        /// Eigenvalues of [[Ixx, Ixy], [Ixy, Iyy]] at σ, larger then smaller (2 planes).
        case hessianEigenvalues = "hessian-eigenvalues"
        /// Eigenvalues of the structure tensor (gradient scale σ, integration scale
        /// ``FeatureBank/structureTensorIntegrationRatio``·σ), larger then smaller (2 planes).
        case structureTensorEigenvalues = "structure-tensor-eigenvalues"

        /// Number of feature planes the kind produces.
        public var planeCount: Int {
            switch self {
            case .hessianEigenvalues, .structureTensorEigenvalues: 2
            default: 1
            }
        }

        /// Plane names without the scale.
        var planeNames: [String] {
            switch self {
            case .gaussianSmoothing: ["gaussian"]
            case .gradientMagnitude: ["gradient magnitude"]
            case .laplacianOfGaussian: ["laplacian of gaussian"]
            case .differenceOfGaussians: ["difference of gaussians"]
            case .hessianEigenvalues: ["hessian λ1", "hessian λ2"]
            case .structureTensorEigenvalues: ["structure tensor λ1", "structure tensor λ2"]
            }
        }
    }

    /// One feature: an operator at one scale.
    public struct Feature: Sendable, Codable, Equatable, Hashable {
        /// The operator.
        public var kind: Kind
        /// Gaussian scale σ, px at the model's reference pixel size.
        public var sigma: Double
        /// A feature of `kind` at `sigma` px.
        public init(kind: Kind, sigma: Double) {
            self.kind = kind
            self.sigma = sigma
        }
    }

    /// How large scales are computed: on a Gaussian pyramid, or by direct convolution at full
    /// resolution.
    public struct Pyramid: Sendable, Codable, Equatable, Hashable {
        /// Smallest scale on a level, in level px: a feature of scale σ px runs on the coarsest
        /// level D ≤ ``maximumFactor`` with σ/D ≥ this (1.6: the sampled Gaussian's spectrum at
        /// the level's Nyquist frequency is exp(−π²·1.6²/2) ≈ 3·10⁻⁶, so the kernel is not aliased).
        public var minimumLevelSigma: Double
        /// Anti-alias smoothing before sampling every D-th pixel, σ_a = ratio·D px (0.8: the
        /// level's Nyquist frequency π/D keeps exp(−π²·0.8²/2) ≈ 4 % of its amplitude).
        public var antiAliasRatio: Double
        /// Coarsest level (a power of 2): 8, so σ = 16 px runs at 2 level px.
        public var maximumFactor: Int

        /// The pyramid of new models.
        public init(minimumLevelSigma: Double = 1.6, antiAliasRatio: Double = 0.8, maximumFactor: Int = 8) {
            self.minimumLevelSigma = minimumLevelSigma
            self.antiAliasRatio = antiAliasRatio
            self.maximumFactor = maximumFactor
        }

        /// The level (1 = full resolution) a scale of `sigma` px runs on.
        public func factor(sigma: Double) -> Int {
            var d = 1
            while d * 2 <= maximumFactor && sigma / Double(d * 2) >= minimumLevelSigma { d *= 2 }
            return d
        }

        /// Checks the ranges: minimum level σ > antiAliasRatio (so √(σ² − σ_a²) is real), both
        /// finite and > 0; maximum factor a power of 2 in 1 ... 64.
        func validate() throws(LearningError) {
            if !(antiAliasRatio.isFinite && antiAliasRatio > 0) {
                throw .invalidParameter(name: "the pyramid's anti-alias ratio", value: "\(antiAliasRatio)", requirement: "finite and > 0")
            }
            if !(minimumLevelSigma.isFinite && minimumLevelSigma > antiAliasRatio) {
                throw .invalidParameter(name: "the pyramid's minimum level σ", value: "\(minimumLevelSigma)",
                                        requirement: "finite and > the anti-alias ratio \(antiAliasRatio)")
            }
            if maximumFactor < 1 || maximumFactor > 64 || maximumFactor & (maximumFactor - 1) != 0 {
                throw .invalidParameter(name: "the pyramid's maximum factor", value: "\(maximumFactor)",
                                        requirement: "a power of 2 in 1 ... 64")
            }
        }
    }

    /// The features in plane order; each contributes ``Kind/planeCount`` planes.
    public var features: [Feature]
    /// Large scales on this Gaussian pyramid (the default of new models, format 2), or nil:
    /// every feature by direct convolution at full resolution (models of format 1).
    public var pyramid: Pyramid?

    /// ilastik's default scales, px: 0.7, 1.0, 1.6, 3.5, 5.0, 10.0, 16.0.
    public static let defaultScales: [Double] = [0.7, 1.0, 1.6, 3.5, 5.0, 10.0, 16.0]
    /// Scales below this (px) get only Gaussian smoothing, as ilastik offers only smoothing at σ = 0.7.
    public static let defaultSmoothingOnlyBelow: Double = 1.0
    /// σ₂/σ₁ of the difference of Gaussians (Marr–Hildreth's ≈ LoG approximation ratio).
    public static let differenceOfGaussiansRatio: Double = 1.6
    /// Integration scale / gradient scale of the structure tensor (ilastik's 2σ outer scale, per the project brief).
    public static let structureTensorIntegrationRatio: Double = 2
    /// Smallest σ actually applied, px. A calibrated model applied to a much coarser image
    /// would ask for σ_px = σ_µm / pixel size below this; the sampled Gaussian is then no
    /// longer a Gaussian (its variance is dominated by the centre tap), so σ is clamped here
    /// and a warning is reported.
    public static let minimumScalePixels: Double = 0.3
    /// Largest σ applied, px (4 × the default bank's largest scale). A calibrated model applied
    /// to a much finer image asks for σ_µm / pixel size, and a bank or model file may state any
    /// σ; kernels and tile halos grow with σ (memory in proportion), so σ is lowered to this with
    /// a warning, and a bank stating more is refused.
    public static let maximumScalePixels: Double = 64

    /// `sigma` px brought into [``minimumScalePixels``, ``maximumScalePixels``].
    static func clampedScale(_ sigma: Double) -> Double {
        min(maximumScalePixels, max(minimumScalePixels, sigma))
    }
    /// Gaussian kernels are truncated at this many σ (radius ⌊4σ + 0.5⌋, like scipy and `gaussianBlur`).
    public static let truncation: Double = 4

    /// A bank with explicit features (in plane order), large scales on `pyramid` (nil: direct).
    public init(features: [Feature], pyramid: Pyramid? = Pyramid()) {
        self.features = features
        self.pyramid = pyramid
    }

    /// Every kind in `kinds` at every scale in `scales` (px), grouped by kind (ilastik's
    /// order); scales below `smoothingOnlyBelow` px only for Gaussian smoothing.
    public init(kinds: [Kind] = Kind.allCases, scales: [Double] = FeatureBank.defaultScales,
                smoothingOnlyBelow: Double = FeatureBank.defaultSmoothingOnlyBelow, pyramid: Pyramid? = Pyramid()) {
        var list = [Feature]()
        for kind in kinds {
            for s in scales where kind == .gaussianSmoothing || s >= smoothingOnlyBelow {
                list.append(Feature(kind: kind, sigma: s))
            }
        }
        self.init(features: list, pyramid: pyramid)
    }

    private enum CodingKeys: String, CodingKey { case features, pyramid }

    /// Reads a bank; a file without `pyramid` (format 1) computes every scale directly.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        features = try c.decode([Feature].self, forKey: .features)
        pyramid = try c.decodeIfPresent(Pyramid.self, forKey: .pyramid)
    }

    /// Writes `pyramid` only when there is one, so a direct bank is written as format 1 wrote it.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(features, forKey: .features)
        try c.encodeIfPresent(pyramid, forKey: .pyramid)
    }

    /// Number of feature planes (Σ ``Kind/planeCount``).
    public var featureCount: Int { features.reduce(0) { $0 + $1.kind.planeCount } }

    /// Distinct scales (px at the reference pixel size), ascending.
    public var scales: [Double] { Array(Set(features.map(\.sigma))).sorted() }

    /// The distinct scales in µm for a reference pixel size of `pixelSize` µm.
    public func scalesMicrometres(pixelSize: Double) -> [Double] {
        scales.map { $0 * pixelSize }
    }

    /// One name per plane, e.g. `"hessian λ1 σ=1.6µm"` (µm when `pixelSize` µm is given, else `"σ=1.6px"`).
    public func featureNames(pixelSize: Double?) -> [String] {
        var names = [String]()
        for f in features {
            let scale = pixelSize.map { "σ=\(Self.format(f.sigma * $0))µm" } ?? "σ=\(Self.format(f.sigma))px"
            for n in f.kind.planeNames { names.append("\(n) \(scale)") }
        }
        return names
    }

    /// Checks that the bank is usable: at least one feature, every σ finite, > 0 and at most
    /// ``maximumScalePixels``; a valid pyramid.
    func validate() throws(LearningError) {
        if features.isEmpty {
            throw .invalidParameter(name: "the feature bank", value: "no features", requirement: "at least one feature")
        }
        for f in features where !(f.sigma.isFinite && f.sigma > 0 && f.sigma <= Self.maximumScalePixels) {
            throw .invalidParameter(name: "feature scale σ (\(f.kind.rawValue))", value: "\(f.sigma)",
                                    requirement: "finite, > 0 and ≤ \(Self.format(Self.maximumScalePixels)) px")
        }
        try pyramid?.validate()
    }

    /// Four significant digits: 0.07, 1.6, 16.
    private static func format(_ v: Double) -> String { String(format: "%.4g", v) }
}
