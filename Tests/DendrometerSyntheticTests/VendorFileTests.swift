import DendrometerCore
import DendrometerIO
import Foundation
import Testing
@testable import DendrometerSynthetic
#if canImport(DendrometerCalibration)
import DendrometerCalibration
#endif

@Suite("Vendor files")
struct VendorFileTests {
    static let vendors: [(VendorConvention, SyntheticFileFormat?)] = [
        (.fei, nil), (.zeiss, nil), (.imagej, nil), (.jeol, nil), (.jeol, .bmp), (.tescan, nil), (.hitachi, nil), (.none, nil),
    ]

    @Test("re-read with ImageFile.read: size, sample format and the metadata text written", arguments: 0 ..< vendors.count)
    func roundTrip(index: Int) throws {
        let (vendor, format) = Self.vendors[index]
        let spec = SceneSpec(seed: 21, width: 120, height: 90, pixelSizeMicrometres: 0.37, layout: .flame, zoneDepthMicrometres: 12,
                             bitDepth: format == .bmp ? 8 : 16, vendor: vendor, fileFormat: format)
        let scene = try render(spec)
        let dir = tempDir()
        let files = try write(scene, to: dir, stem: "cell")
        let loaded = try ImageFile.read(files.image)
        let bar = spec.dataBarRows
        #expect(loaded.image.width == 120 && loaded.image.height == 90 + bar)
        #expect(loaded.image == scene.image)
        let tags = loaded.metadata.textTags, side = loaded.metadata.sidecars
        switch vendor {
        case .fei:
            #expect(tags[34682] == SceneWriter.feiINI(spec))
            #expect(tags[34682]?.contains("PixelWidth=3.7e-07") == true)
            #expect(tags[34682]?.contains("ResolutionY=90") == true)
        case .zeiss:
            #expect(tags[34118] == SceneWriter.zeissCZSEM(spec))
            #expect(tags[34118]?.contains("AP_IMAGE_PIXEL_SIZE\r\nImage Pixel Size = 370 nm") == true)
        case .imagej:
            #expect(tags[270]?.contains("unit=micron") == true)
            #expect(abs((loaded.metadata.resolution?.x ?? 0) - 1 / 0.37) < 1e-4)
        case .jeol:
            #expect(side["txt"] == SceneWriter.jeolTXT(spec, stem: "cell"))
            #expect(side["txt"]?.contains("$CM_FULL_SIZE 120 90") == true)
        case .tescan:
            #expect(side["hdr"] == SceneWriter.tescanHDR(spec))
            #expect(side["hdr"]?.contains("PixelSizeX=3.7e-07") == true)
        case .hitachi:
            #expect(side["txt"] == SceneWriter.hitachiTXT(spec, stem: "cell"))
            #expect(side["txt"]?.contains("PixelSize=370\r") == true)
        case .none:
            #expect(tags[34682] == nil && tags[34118] == nil && side.isEmpty)
        }
        // Mask and truth sit beside the image.
        let mask = try ImageFile.read(files.mask)
        #expect(mask.image == .uint8(scene.dendriteMask.image()))
        let truth = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: files.truth)))
        #expect(truth.at("calibration.pixel_size_um")?.double == (vendor == .none ? nil : 0.37))
        #expect(truth.at("calibration.source")?.string == (vendor == .none ? "none" : vendor.rawValue))
        #expect(truth.at("penetration.max_px")?.double != nil)
        #expect(truth["anode_side"]?.string == "bottom")
        #expect((truth["data_bar"]?["h"]?.double).map { Int($0) } == (bar > 0 ? bar : nil))
        #if canImport(DendrometerCalibration)
        // The project's own readers find the pixel size and the data bar the truth states.
        let cal = calibrate(loaded.metadata)
        if vendor == .none {
            #expect(cal.calibration.pixelSize == nil)
        } else {
            #expect(cal.calibration.source.rawValue == vendor.rawValue)
            #expect(abs((cal.calibration.pixelSize?.micrometres ?? 0) - 0.37) < 1e-6 * 0.37)
        }
        if [.fei, .jeol, .hitachi].contains(vendor) { #expect(cal.metadataDataBar == scene.truth.dataBar) }
        // Zeiss states no bar: the pixel detector must find the burned-in one.
        let located: DataBar? = switch loaded.image {
        case .uint8(let i): locateDataBar(cal, image: i)
        case .uint16(let i): locateDataBar(cal, image: i)
        case .float32(let i): locateDataBar(cal, image: i)
        }
        #expect(located?.rect == scene.truth.dataBar)
        #endif
    }

    @Test("EDX maps are written as 16-bit TIFFs <stem>_<Element>.tif of the map size")
    func edxFiles() throws {
        let spec = SceneSpec(seed: 2, width: 96, height: 64, pixelSizeMicrometres: 0.5, zoneDepthMicrometres: 10,
                             edx: [EDXSpec(element: "In", factor: 4), EDXSpec(element: "S", factor: 2)])
        let files = try write(try render(spec), to: tempDir(), stem: "m")
        #expect(files.edx.map { ($0 as NSString).lastPathComponent } == ["m_In.tif", "m_S.tif"])
        let a = try ImageFile.read(files.edx[0]), b = try ImageFile.read(files.edx[1])
        #expect(a.image.width == 24 && a.image.height == 16 && a.image.sampleFormat == "uint16")
        #expect(b.image.width == 48 && b.image.height == 32)
    }

    @Test("truthDirectory puts <stem>.truth.json and <stem>.mask.png apart from the micrograph")
    func separateTruth() throws {
        let dir = tempDir(), truthDir = tempDir()
        let files = try write(try render(SceneSpec(seed: 4, width: 48, height: 40)), to: dir, stem: "x", truthDirectory: truthDir)
        #expect(files.truth == truthDir + "/x.truth.json" && files.mask == truthDir + "/x.mask.png" && files.image == dir + "/x.tif")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["x.tif"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: truthDir).sorted() == ["x.mask.png", "x.truth.json"])
    }
}
