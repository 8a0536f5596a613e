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

import Foundation

/// The list of per-pixel features (kind and Gaussian scale σ) a ``PixelClassifier`` computes.
///
/// Derivatives are plain Gaussian derivatives (not scale-normalised, as ilastik/vigra):
/// on grey values normalised to [0, 1] the gradient magnitude is in 1/px, the Laplacian,
/// Hessian eigenvalues in 1/px², the structure-tensor eigenvalues in 1/px².
///
/// The default bank is ilastik's full set at σ = 0.7, 1.0, 1.6, 3.5, 5.0, 10.0, 16.0 px,
/// with σ = 0.7 only for Gaussian smoothing: 7 + 6 × 7 = 49 feature planes.
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

    /// The features in plane order; each contributes ``Kind/planeCount`` planes.
    public var features: [Feature]

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
    /// Gaussian kernels are truncated at this many σ (radius ⌊4σ + 0.5⌋, like scipy and `gaussianBlur`).
    public static let truncation: Double = 4

    /// A bank with explicit features (in plane order).
    public init(features: [Feature]) {
        self.features = features
    }

    /// Every kind in `kinds` at every scale in `scales` (px), grouped by kind (ilastik's
    /// order); scales below `smoothingOnlyBelow` px only for Gaussian smoothing.
    public init(kinds: [Kind] = Kind.allCases, scales: [Double] = FeatureBank.defaultScales,
                smoothingOnlyBelow: Double = FeatureBank.defaultSmoothingOnlyBelow) {
        var list = [Feature]()
        for kind in kinds {
            for s in scales where kind == .gaussianSmoothing || s >= smoothingOnlyBelow {
                list.append(Feature(kind: kind, sigma: s))
            }
        }
        self.init(features: list)
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

    /// Checks that the bank is usable: at least one feature, every σ finite and > 0.
    func validate() throws(LearningError) {
        if features.isEmpty {
            throw .invalidParameter(name: "the feature bank", value: "no features", requirement: "at least one feature")
        }
        for f in features where !(f.sigma.isFinite && f.sigma > 0) {
            throw .invalidParameter(name: "feature scale σ (\(f.kind.rawValue))", value: "\(f.sigma)",
                                    requirement: "finite and > 0 px")
        }
    }

    /// Four significant digits: 0.07, 1.6, 16.
    private static func format(_ v: Double) -> String { String(format: "%.4g", v) }
}
