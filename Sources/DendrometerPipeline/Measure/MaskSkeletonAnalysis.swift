import DendrometerCore
import DendrometerSegmentation
import DendrometerSkeleton
import Foundation

/// The `skeleton` and `connectivity` blocks of a binary mask taken exactly as
/// given (no smoothing, no speck or hole removal): what `dendrometer skeleton`
/// reports and what the analysis computes on its dendrite mask.
public struct MaskSkeletonAnalysis: Sendable {
    /// The thinned (and optionally pruned) skeleton.
    public var skeleton: BinaryMask
    /// The skeleton graph with widths from the mask's distance transform.
    public var graph: SkeletonGraph
    /// Components, holes and Euler number of the mask.
    public var topology: ConnectivitySummary
    /// The calibration used for µm values.
    public var calibration: Calibration

    /// Skeletonizes `mask` by `thinning`, prunes spurs shorter than `pruneLengthPx` (0 = none)
    /// and builds the graph.
    public init(mask: BinaryMask, calibration: Calibration, pruneLengthPx: Double = 0,
                thinning: ThinningMethod = AnalysisParameters().skeleton.thinning) throws {
        let thinned = skeletonize(mask, method: thinning)
        let widths = try distanceTransform(mask, sampledAt: thinned)
        if pruneLengthPx > 0 {
            (self.skeleton, self.graph) = try pruneSpursWithGraph(thinned, minimumLength: pruneLengthPx, widths: widths,
                                                                  pixelSize: calibration.pixelSize)
        } else {
            self.skeleton = thinned
            self.graph = try SkeletonGraph(skeleton: thinned, widths: widths, pixelSize: calibration.pixelSize)
        }
        self.topology = connectivitySummary(mask)
        self.calibration = calibration
        self.imageArea = mask.count
        self.pruneLengthPx = pruneLengthPx
        self.thinning = thinning
    }

    /// Pixels of the whole mask image (the area hole density refers to).
    public let imageArea: Int
    /// The spur length pruned, px (0 = none).
    public let pruneLengthPx: Double
    /// The thinning algorithm that made ``skeleton``.
    public let thinning: ThinningMethod
}
