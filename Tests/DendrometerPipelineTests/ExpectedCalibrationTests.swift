import Dendrometer
import DendrometerTestSupport
import Testing

/// The pixel size of every real file matches the independent reader's
/// (tifffile 2026.3.3 metadata parsers, JEOL sidecars parsed as `KEY value`):
/// relative error ≤ 1e-3 (JEOL ≤ 2 %: its bar length is an integer), and files
/// without a calibration report none.
@Suite("Calibration of the real microscope files")
struct ExpectedCalibrationTests {
    @Test("pixel size and source match expected.json",
          arguments: SharedData.expectations.filter { $0.reference_reader_error == nil })
    func pixelSize(_ e: SharedData.Expectation) throws {
        let path = try #require(SharedData.path(e.path))
        let m = try Micrograph.open(path)
        if let expected = e.pixel_size_um {
            let got = try #require(m.calibration.pixelSize?.micrometres, "no calibration for \(e.path)")
            let tolerance = e.source_key.hasPrefix("JEOL") ? 0.02 : 1e-3
            #expect(abs(got - expected) / expected <= tolerance, "\(e.path): \(got) µm vs \(expected) µm")
            #expect(m.calibration.source != .none && m.calibration.source != .user)
            if e.source_key.hasPrefix("FEI") { #expect(m.calibration.source == .fei) }
            if e.source_key.hasPrefix("CZ_SEM") { #expect(m.calibration.source == .zeiss) }
            if e.source_key.hasPrefix("ImageJ") { #expect(m.calibration.source == .imagej) }
            if e.source_key.hasPrefix("JEOL") { #expect(m.calibration.source == .jeol) }
        } else {
            #expect(m.calibration.pixelSize == nil, "\(e.path) should be uncalibrated, got \(m.calibration)")
            #expect(m.calibration.source == .none)
            #expect(m.warnings.contains { $0.contains("pixel-size") || $0.contains("calibration") })
        }
    }

    @Test("--pixel-size overrides metadata and is reported as user")
    func userOverride() throws {
        guard let path = SharedData.path("rosettasciio/FEI-Helios-Ebeam-8bits.tif") else {
            print("note: \(SharedData.skipMessage)"); return
        }
        let options = MicrographOptions(calibration: CalibrationOptions(userPixelSize: try PixelSize(parsing: "250nm")))
        let m = try Micrograph.open(path, options: options)
        #expect(m.calibration.source == .user)
        #expect(abs((m.calibration.pixelSize?.micrometres ?? 0) - 0.25) < 1e-12)
        // The vendor's 3.3724 µm disagrees by far more than 1 %: the user is told.
        #expect(m.warnings.contains { $0.contains("3.3724") })
    }

    @Test("FEI data bar comes from [Image] ResolutionY: 471 − 442 = 29 rows")
    func feiDataBar() throws {
        guard let path = SharedData.path("rosettasciio/FEI-Helios-Ebeam-16bits.tif") else {
            print("note: \(SharedData.skipMessage)"); return
        }
        let m = try Micrograph.open(path)
        #expect(m.dataBar?.rect == PixelRect(x: 0, y: 442, width: 512, height: 29))
        #expect(m.scannedField == PixelRect(x: 0, y: 0, width: 512, height: 442))
    }
}
