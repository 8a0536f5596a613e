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

    /// Calls the generic initialiser (a generic context cannot pick the concrete overloads).
    func generic<T: FixedWidthInteger, F: BinaryFloatingPoint>(_: T.Type, _ v: F) -> T { T(saturating: v) }

    @Test("the concrete fast forms equal the generic one on edge values")
    func concreteEqualsGeneric() {
        let doubles: [Double] = [.nan, -.infinity, .infinity, -1e300, 1e300, -0.0, 0.4, -0.9, 254.99, 255, 255.5,
                                 65_535.7, 65_536, Double(Int.max), Double(Int.max).nextDown, Double(Int.min),
                                 Double(Int.min).nextUp, Double(UInt64.max), -1, 3.7, -3.7]
        for v in doubles {
            #expect(Int(saturating: v) == generic(Int.self, v), "\(v)")
            #expect(Int64(saturating: v) == generic(Int64.self, v), "\(v)")
            #expect(UInt8(saturating: v) == generic(UInt8.self, v), "\(v)")
            #expect(UInt16(saturating: v) == generic(UInt16.self, v), "\(v)")
            #expect(UInt64(saturating: v) == generic(UInt64.self, v), "\(v)")
            let f = Float(v)
            #expect(Int(saturating: f) == generic(Int.self, f), "\(f)")
            #expect(Int64(saturating: f) == generic(Int64.self, f), "\(f)")
            #expect(UInt8(saturating: f) == generic(UInt8.self, f), "\(f)")
            #expect(UInt16(saturating: f) == generic(UInt16.self, f), "\(f)")
            #expect(UInt64(saturating: f) == generic(UInt64.self, f), "\(f)")
        }
    }
}
