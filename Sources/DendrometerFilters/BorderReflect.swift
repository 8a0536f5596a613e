// Border handling shared by every filter: scipy.ndimage mode 'reflect'
// (half-sample symmetric, `d c b a | a b c d | d c b a`), extended
// periodically with period 2n so that windows wider than the image still
// resolve to a valid index (as scipy's NI_ExtendLine does).

/// Maps any integer coordinate `i` onto `0 ..< n` by half-sample symmetric
/// reflection, repeated as often as needed (period `2n`).
///
/// `reflectIndex(-1, 4) == 0`, `reflectIndex(-2, 4) == 1`, `reflectIndex(4, 4) == 3`,
/// `reflectIndex(9, 4) == 6 → 1`. Precondition: `n > 0`.
@inlinable @inline(__always)
public func reflectIndex(_ i: Int, _ n: Int) -> Int {
    if i >= 0 && i < n { return i }
    let period = 2 * n
    var m = i % period
    if m < 0 { m += period }
    return m < n ? m : period - 1 - m
}
