import DendrometerCore
import DendrometerSegmentation

extension SampledDistances {
    /// `distance` sampled at `skeleton`, after checking their shapes; nil for a nil map.
    ///
    /// - Throws: ``SkeletonError/distanceMapShape(expectedWidth:expectedHeight:width:height:)``.
    init?(checking distance: Image<Float>?, at skeleton: BinaryMask) throws(SkeletonError) {
        guard let distance else { return nil }
        guard distance.width == skeleton.width, distance.height == skeleton.height else {
            throw .distanceMapShape(expectedWidth: skeleton.width, expectedHeight: skeleton.height,
                                    width: distance.width, height: distance.height)
        }
        self.init(sampling: distance, at: skeleton)
    }
}
