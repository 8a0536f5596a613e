// The analysis as an ImageJ ROI set (`<stem>.rois.zip`): open the micrograph in Fiji, then the set
// in the ROI Manager, and the interface, the dendrite front and the regions lie where the overlay
// draws them, in the overlay's colours.
import DendrometerCore
import DendrometerIO
import DendrometerPipeline
import Foundation

/// ImageJ ROIs of one analysis, in the full raster of the input file.
public enum AnalysisROIs {
    /// `interface` (polyline through the JSON's `interface.points_px`), `dendrite front` (the
    /// overlay's front line), and one rectangle per region named `region <name>: <label>`
    /// (its `bbox_px`); ImageJ corner coordinates (pixel centres + 0.5). Without an interface,
    /// only the regions.
    public static func rois(for r: AnalysisResult) -> [ImageJROI] {
        func argb(_ c: (UInt8, UInt8, UInt8)) -> UInt32 { 0xFF00_0000 | UInt32(c.0) << 16 | UInt32(c.1) << 8 | UInt32(c.2) }
        let half = 0.5
        var out = [ImageJROI]()
        if let interface = r.interface {
            let points = interface.pointsPx.map { (x: $0[0] + Double(r.field.x) + half, y: $0[1] + Double(r.field.y) + half) }
            out.append(ImageJROI(name: "interface", shape: .polyline(points), strokeColor: argb(OverlayRenderer.interfaceColor)))
        }
        let front = OverlayRenderer.frontLine(r)
        if front.count > 1 {
            out.append(ImageJROI(name: "dendrite front", shape: .polyline(front.map { (x: $0.x + half, y: $0.y + half) }),
                                 strokeColor: argb(OverlayRenderer.frontColor)))
        }
        for region in r.regions {
            let b = region.bboxPx
            out.append(ImageJROI(name: "region \(region.name): \(region.morphology.label.rawValue)",
                                 shape: .rectangle(x: b.x, y: b.y, width: b.width, height: b.height),
                                 strokeColor: argb(OverlayRenderer.color(of: region.morphology.label))))
        }
        return out
    }

    /// Writes `<stem>.rois.zip` in `directory`; returns its path.
    @discardableResult
    public static func write(_ r: AnalysisResult, directory: String, stem: String) throws(ImageIOError) -> String {
        let path = "\(directory)/\(stem).rois.zip"
        try ImageJROI.writeSet(rois(for: r), to: path)
        return path
    }
}
