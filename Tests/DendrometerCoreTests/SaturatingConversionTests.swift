import Testing
import DendrometerCore

@Suite("Saturating floating → integer conversion")
struct SaturatingConversionTests {
    @Test("in range it truncates toward zero like Int(_:)")
    func inRange() {
        #expect(Int(saturating: 3.7) == 3)
        #expect(Int(saturating: -3.7) == -3)
        #expect(Int(saturating: 0.0) == 0)
        #expect(Int(saturating: Float(1024.9)) == 1024)
        #expect(UInt8(saturating: 254.99) == 254)
        #expect(Int32(saturating: -2_147_483_647.5) == -2_147_483_647)
    }

    @Test("NaN is 0; infinities and out-of-range values clamp to the type's bounds")
    func outOfRange() {
        #expect(Int(saturating: Double.nan) == 0)
        #expect(Int(saturating: 1e300) == Int.max)
        #expect(Int(saturating: -Double.infinity) == Int.min)
        #expect(Int(saturating: 9.3e18) == Int.max)   // the regions file of issue 12: w = 9.3e18
        #expect(Int(saturating: 9.223372036854775807e18) == Int.max)   // rounds to 2⁶³, one past Int.max
        #expect(Int(saturating: -9.223372036854775808e18) == Int.min)  // exactly −2⁶³
        #expect(UInt8(saturating: 300.0) == 255)
        #expect(UInt8(saturating: -1.0) == 0)
        #expect(UInt16(saturating: Float.infinity) == UInt16.max)
        #expect(UInt64(saturating: -Float.nan) == 0)
        #expect(Int32(saturating: 4_294_967_295.0) == Int32.max)   // an ImageJ XResolution numerator
    }

    @Test("the largest doubles below the bound still convert exactly")
    func nearTheBound() {
        let below = Double(Int.max).nextDown   // 2⁶³ − 1024
        #expect(Int(saturating: below) == Int(exactly: below)!)
        #expect(Int(saturating: Double(Int.min).nextUp) == Int(exactly: Double(Int.min).nextUp)!)
    }
}
