// The EDX segmenter (`--phase edx:ELEMENT`): the dendrite phase is where an
// element map is rich, e.g. In for Li-In dendrites.
//
// Method: Otsu's threshold of the map (resampled to the image grid and
// smoothed, ``EDXMaps/resample(_:toWidth:height:)``), with hysteresis down to
// ``AnalysisParameters/Threshold/edxLowFraction`` of it: a thin tip covers only
// part of a coarse map pixel and reads fainter. Example: a map with In-rich
// pixels at ~40 counts over ~3 counts of background gives Otsu ≈ 20; pixels
// of 10–20 counts are kept where they touch pixels ≥ 20.

import DendrometerCore
import DendrometerSegmentation

/// Segments the dendrite phase from an EDX element map.
public struct EDXSegmenter: PhaseSegmenter {
    /// The element symbol, e.g. `In`.
    public var element: String

    /// A segmenter reading the map of `element`.
    public init(element: String) { self.element = element }

    public func segment(_ field: PreparedField, parameters: AnalysisParameters) throws(AnalysisError) -> PhaseSegmentation {
        guard let map = field.edx[element] ?? field.edx.first(where: { $0.key.lowercased() == element.lowercased() })?.value else {
            throw .missingEDXMap(element: element, available: field.edx.keys.sorted())
        }
        let t: Double
        do { t = try otsuThreshold(map) } catch { throw .kernel(error.description) }
        let low = parameters.threshold.edxLowFraction * t
        let mask = hysteresisThreshold(map, low: low, high: t, polarity: .bright)
        let speckPx = parameters.dendrites.minimumAreaPixels(pixelSize: field.pixelSize)
        return PhaseSegmentation(
            phase: try PhaseSegmentation.cleaned(mask, speckPx: speckPx, holePx: parameters.threshold.fillHolesBelowPx),
            appearance: .edx(element), method: .edx(element: element, threshold: t),
            reason: "segmented from the \(element) EDX map (Otsu threshold \(String(format: "%.3g", t)) counts, hysteresis down to \(String(format: "%.3g", low)))",
            texture: field.denoised)
    }
}
