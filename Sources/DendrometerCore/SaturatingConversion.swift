// Saturating floating-point → integer conversion: the one door through which a Double or a Float
// becomes an integer anywhere in Dendrometer.
//
// Swift's `Int(_: Double)` traps when the value is NaN, infinite or outside the integer's range.
// Numbers that reach such a conversion can come from a file (a vendor header's `1e300`), from an
// option, or from arithmetic on them (a pixel size of 1e-300 µm turns a 5 µm pore into 5e300 px),
// and a trap is a crash with a 50-line backtrace, in a batch the loss of every other image. Every
// conversion therefore goes through `init(saturating:)`, which cannot trap:
//
//   Int(saturating: 3.7)        ==  3           (toward zero, like `Int(_:)`)
//   Int(saturating: -3.7)       == -3
//   Int(saturating: 1e300)      ==  Int.max
//   Int(saturating: -.infinity) ==  Int.min
//   Int(saturating: .nan)       ==  0
//   UInt8(saturating: 300.0)    ==  255,  UInt8(saturating: -1.0) == 0
//
// Saturation keeps the program alive; it does not make the number right. Values from files and
// options are validated where they are read (`PixelSize.plausibleMicrometres`, `VendorText.rasterSize`,
// `ParameterFile.checkRange`), so in practice the clamp only ever meets values already in range.
// `tools/audit_float_to_int.sh` proves that no other floating → integer conversion is left: it
// compiles the package with the standard conversions shadowed by deprecated ones and lists every use.

extension FixedWidthInteger {
    /// `value` rounded toward zero and clamped to this type's range; NaN gives 0. Never traps.
    @inlinable
    public init<F: BinaryFloatingPoint>(saturating value: F) {
        if value.isNaN {
            self = 0
        } else if value <= F(Self.min) {
            self = .min
        } else if value >= F(Self.max) {
            // F(Self.max) rounds up to a power of two for 64-bit types, so every value this
            // branch does not take is strictly inside the range.
            self = .max
        } else {
            self = Self(value)
        }
    }
}
