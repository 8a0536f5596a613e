import Dendrometer
import DendrometerTestSupport
import Foundation
import Testing

@Suite("Calibrated output files")
struct WriterCalibrationTests {
    @Test("a mask written with a calibration reopens as ImageJ 0.25 µm/px (what Fiji reads)")
    func imageJRoundTrip() throws {
        let dir = Scratch.file("dm")
        let mask = BinaryMask(rows: ["#..", ".#.", "..#"]).image()
        let calibration = Calibration(pixelSize: PixelSize(micrometres: 0.25), source: .fei, detail: "test")
        try TIFFWriter.write(mask, to: "\(dir)/mask.tif", calibration: calibration, options: TIFFWriteOptions(compression: .deflate))
        let m = try Micrograph.open("\(dir)/mask.tif")
        #expect(m.calibration.source == .imagej)
        #expect(abs((m.calibration.pixelSize?.micrometres ?? 0) - 0.25) < 1e-6)
        #expect(m.metadata.textTags[270]?.contains("unit=micron") == true)
        #expect(m.image == .uint8(mask))
    }
}
