import DendrometerCore
import Testing
@testable import DendrometerOutput

@Suite("Overlay grey")
struct OverlayGreyTests {
    /// Pixels 0 … 199: every pixel is sampled, the 0.5th percentile is 0 and the 99.5th is the
    /// sample of rank ⌊199 × 0.995⌋ = 198, so grey g = min(255, v / 198 × 255) (toward zero) and
    /// the ramp index is round(g × 159 / 255): v 99 → 127.5 → 127 → 79; v 199 → 255 → 159.
    @Test("8-bit, 16-bit and Float micrographs: the percentile stretch and the grey ramp, composed")
    func stretchAndRamp() {
        let values = (0 ..< 200).map { $0 }
        let u8 = OverlayRenderer.contrastStretchedIndices(.uint8(Image(width: 20, height: 10, pixels: values.map { UInt8($0) })))
        let u16 = OverlayRenderer.contrastStretchedIndices(.uint16(Image(width: 20, height: 10, pixels: values.map { UInt16($0) })))
        var floats = values.map { Float($0) }
        let f32 = OverlayRenderer.contrastStretchedIndices(.float32(Image(width: 20, height: 10, pixels: floats)))
        #expect(u8[0] == 0 && u8[99] == 79 && u8[198] == 159 && u8[199] == 159)
        let expected = values.map { v -> UInt8 in
            let grey = min(255, v * 255 / 198)
            return UInt8((grey * 159 + 127) / 255)
        }
        #expect(u8 == expected && u16 == expected && f32 == expected)
        // A non-finite pixel is black.
        floats[5] = .nan
        #expect(OverlayRenderer.contrastStretchedIndices(.float32(Image(width: 20, height: 10, pixels: floats)))[5] == 0)
    }
}
