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

// Concrete forms for the conversions the analysis makes per pixel. The generic initialiser above
// goes through the standard library's generic bit-by-bit conversion (≈ 10 % of a whole analysis
// at 4096² was spent there); these compile to one hardware conversion between two compares.
// They follow the same rules (`F(T.max)` rounds up to a power of two for 64-bit types, so the
// last branch only meets values strictly inside the range). Overload resolution prefers them
// for concrete arguments; `tools/audit_float_to_int.sh` exempts this file, the helper itself.

extension Int {
    /// `value` rounded toward zero and clamped to `Int`'s range; NaN gives 0 (the fast concrete form).
    @inlinable @inline(__always)
    public init(saturating value: Double) {
        if value.isNaN { self = 0 } else if value <= Double(Int.min) { self = .min } else if value >= Double(Int.max) { self = .max } else { self = Int(value) }
    }
}

extension Int {
    /// `value` rounded toward zero and clamped to `Int`'s range; NaN gives 0 (the fast concrete form).
    @inlinable @inline(__always)
    public init(saturating value: Float) {
        if value.isNaN { self = 0 } else if value <= Float(Int.min) { self = .min } else if value >= Float(Int.max) { self = .max } else { self = Int(value) }
    }
}

extension Int64 {
    /// `value` rounded toward zero and clamped to `Int64`'s range; NaN gives 0 (the fast concrete form).
    @inlinable @inline(__always)
    public init(saturating value: Double) {
        if value.isNaN { self = 0 } else if value <= Double(Int64.min) { self = .min } else if value >= Double(Int64.max) { self = .max } else { self = Int64(value) }
    }
}

extension Int64 {
    /// `value` rounded toward zero and clamped to `Int64`'s range; NaN gives 0 (the fast concrete form).
    @inlinable @inline(__always)
    public init(saturating value: Float) {
        if value.isNaN { self = 0 } else if value <= Float(Int64.min) { self = .min } else if value >= Float(Int64.max) { self = .max } else { self = Int64(value) }
    }
}

extension UInt8 {
    /// `value` rounded toward zero and clamped to `UInt8`'s range; NaN gives 0 (the fast concrete form).
    @inlinable @inline(__always)
    public init(saturating value: Double) {
        if value.isNaN { self = 0 } else if value <= Double(UInt8.min) { self = .min } else if value >= Double(UInt8.max) { self = .max } else { self = UInt8(value) }
    }
}

extension UInt8 {
    /// `value` rounded toward zero and clamped to `UInt8`'s range; NaN gives 0 (the fast concrete form).
    @inlinable @inline(__always)
    public init(saturating value: Float) {
        if value.isNaN { self = 0 } else if value <= Float(UInt8.min) { self = .min } else if value >= Float(UInt8.max) { self = .max } else { self = UInt8(value) }
    }
}

extension UInt16 {
    /// `value` rounded toward zero and clamped to `UInt16`'s range; NaN gives 0 (the fast concrete form).
    @inlinable @inline(__always)
    public init(saturating value: Double) {
        if value.isNaN { self = 0 } else if value <= Double(UInt16.min) { self = .min } else if value >= Double(UInt16.max) { self = .max } else { self = UInt16(value) }
    }
}

extension UInt16 {
    /// `value` rounded toward zero and clamped to `UInt16`'s range; NaN gives 0 (the fast concrete form).
    @inlinable @inline(__always)
    public init(saturating value: Float) {
        if value.isNaN { self = 0 } else if value <= Float(UInt16.min) { self = .min } else if value >= Float(UInt16.max) { self = .max } else { self = UInt16(value) }
    }
}

extension UInt64 {
    /// `value` rounded toward zero and clamped to `UInt64`'s range; NaN gives 0 (the fast concrete form).
    @inlinable @inline(__always)
    public init(saturating value: Double) {
        if value.isNaN { self = 0 } else if value <= Double(UInt64.min) { self = .min } else if value >= Double(UInt64.max) { self = .max } else { self = UInt64(value) }
    }
}

extension UInt64 {
    /// `value` rounded toward zero and clamped to `UInt64`'s range; NaN gives 0 (the fast concrete form).
    @inlinable @inline(__always)
    public init(saturating value: Float) {
        if value.isNaN { self = 0 } else if value <= Float(UInt64.min) { self = .min } else if value >= Float(UInt64.max) { self = .max } else { self = UInt64(value) }
    }
}
