import DendrometerCore
@testable import DendrometerIO
import DendrometerTestSupport
import Foundation
import Testing

/// Every file of `../shared/data/real/expected.json` is read with the size an
/// independent reader (tifffile 2026.3.3 / Pillow 13) reported, or refused
/// with a clean error when that reader failed.
@Suite("Real microscope files (shared/data/real)")
struct RealFilesTests {
    @Test("shared data folder is present or the skip is announced")
    func sharedDataPresence() {
        if SharedData.realDirectory == nil {
            print("note: \(SharedData.skipMessage)")
        } else {
            #expect(SharedData.expectations.count >= 70)
        }
    }

    @Test("readable files decode to the expected size and page count",
          arguments: SharedData.expectations.filter { $0.reference_reader_error == nil })
    func readsExpectedSize(_ e: SharedData.Expectation) throws {
        let path = try #require(SharedData.path(e.path))
        let loaded = try ImageFile.read(path)
        #expect(loaded.image.width == e.width)
        #expect(loaded.image.height == e.height)
        #expect(loaded.metadata.width == e.width)
        #expect(loaded.metadata.height == e.height)
        if let pages = e.pages { #expect(loaded.metadata.pageCount == (Self.pageCountOverrides[e.path] ?? pages)) }
        if let spp = e.samples_per_pixel, loaded.metadata.format != .bmp { #expect(loaded.metadata.samplesPerPixel == spp) }
        if let dtype = e.dtype {
            // The stored type is reported like numpy; palette indices are uint8.
            #expect(loaded.metadata.storedSampleFormat == dtype)
        }
    }

    /// Files whose top-level IFD chain we count differently from tifffile, with
    /// the chain walked by hand (struct.unpack over the IFD headers):
    /// `test_ifd_loop_subifd.tif` links 12 → 170 → 868 → 1026 → 1184 → 868, i.e.
    /// five distinct directories before the loop; tifffile 2026.3.3 reports four
    /// (it logs "invalid circular reference to IFD 3 at offset=1026").
    static let pageCountOverrides = ["libtiff/malformed/test_ifd_loop_subifd.tif": 5]

    /// libtiff-tolerated damage: tifffile (libdeflate) refuses this file because
    /// its last Deflate strip has trailing bytes after the end of the stream;
    /// libtiff, and Pillow which uses it, decode every row. We follow libtiff.
    /// The pixel sum is Pillow 13's: `np.array(Image.open(p)).sum() == 39228784`.
    static let toleratedByLibTIFF = ["libtiff/variety/deflate-last-strip-extra-data.tiff": 39_228_784]

    @Test("trailing bytes after a Deflate stream are tolerated like libtiff/Pillow do")
    func deflateTrailingBytes() throws {
        for (relative, pillowSum) in Self.toleratedByLibTIFF {
            guard let path = SharedData.path(relative) else { print("note: \(SharedData.skipMessage)"); return }
            let loaded = try ImageFile.read(path)
            guard case .uint8(let image) = loaded.image else { Issue.record("expected uint8"); return }
            #expect(image.width == 500 && image.height == 500)
            #expect(image.pixels.reduce(0) { $0 + Int($1) } == pillowSum)
        }
    }

    @Test("files the reference reader could not decode are refused cleanly",
          arguments: SharedData.expectations.filter {
              $0.reference_reader_error != nil && RealFilesTests.toleratedByLibTIFF[$0.path] == nil
          })
    func refusesBrokenFiles(_ e: SharedData.Expectation) throws {
        let path = try #require(SharedData.path(e.path))
        #expect(throws: ImageIOError.self) { _ = try ImageFile.read(path, options: ReadOptions(maximumPixels: 100_000_000)) }
    }
}
