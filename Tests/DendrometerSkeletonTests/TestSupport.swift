// Independent helpers for the skeleton tests: a deliberately naive flood-fill
// topology counter (the real labeller lives in DendrometerSegmentation) and a
// random blob generator.
import DendrometerCore

/// Number of 8-connected phase components and of holes (4-connected
/// background components not connected to the outside, the image being
/// surrounded by background), by flood fill.
func topology(_ m: BinaryMask) -> (components: Int, holes: Int) {
    let w = m.width + 2, h = m.height + 2
    var grid = [UInt8](repeating: 0, count: w * h)
    for y in 0 ..< m.height { for x in 0 ..< m.width { grid[(y + 1) * w + x + 1] = m.bits[y * m.width + x] } }
    var seen = [Bool](repeating: false, count: w * h)
    func fill(_ start: Int, value: UInt8, eight: Bool) {
        var stack = [start]
        seen[start] = true
        while let p = stack.popLast() {
            let x = p % w, y = p / w
            for dy in -1 ... 1 {
                for dx in -1 ... 1 where (dx != 0 || dy != 0) && (eight || dx == 0 || dy == 0) {
                    let xx = x + dx, yy = y + dy
                    guard xx >= 0, yy >= 0, xx < w, yy < h else { continue }
                    let q = yy * w + xx
                    if !seen[q] && grid[q] == value { seen[q] = true; stack.append(q) }
                }
            }
        }
    }
    var components = 0, backgrounds = 0
    for p in 0 ..< w * h where !seen[p] {
        if grid[p] == 1 { components += 1; fill(p, value: 1, eight: true) } else { backgrounds += 1; fill(p, value: 0, eight: false) }
    }
    return (components, backgrounds - 1)
}

/// Whether any 2×2 window is entirely phase.
func has2x2Block(_ m: BinaryMask) -> Bool {
    guard m.width > 1, m.height > 1 else { return false }
    for y in 0 ..< m.height - 1 {
        for x in 0 ..< m.width - 1 where m[x, y] && m[x + 1, y] && m[x, y + 1] && m[x + 1, y + 1] { return true }
    }
    return false
}

/// Whether every phase pixel of `a` is phase in `b`.
func isSubset(_ a: BinaryMask, of b: BinaryMask) -> Bool {
    zip(a.bits, b.bits).allSatisfy { $0 == 0 || $1 != 0 }
}

/// A random mask of overlapping discs, rectangles and thick lines with a few
/// punched holes, some touching the border (dendrite-like clutter).
func randomBlobs(seed: UInt64, width: Int = 48, height: Int = 40) -> BinaryMask {
    var rng = SplitMix64(seed: seed)
    var m = BinaryMask(width: width, height: height)
    func r(_ n: Int) -> Int { Int(rng.next() % UInt64(max(1, n))) }
    for _ in 0 ..< 3 + r(5) {
        switch r(3) {
        case 0:
            let cx = r(width), cy = r(height), rad = 1 + r(8)
            for y in 0 ..< height { for x in 0 ..< width where (x - cx) * (x - cx) + (y - cy) * (y - cy) <= rad * rad { m[x, y] = true } }
        case 1:
            let x0 = r(width), y0 = r(height), ww = 1 + r(15), hh = 1 + r(15)
            for y in y0 ..< min(height, y0 + hh) { for x in x0 ..< min(width, x0 + ww) { m[x, y] = true } }
        default:
            let x0 = Double(r(width)), y0 = Double(r(height)), x1 = Double(r(width)), y1 = Double(r(height))
            let t = 1 + r(3)
            for s in 0 ... 100 {
                let x = Int(x0 + (x1 - x0) * Double(s) / 100), y = Int(y0 + (y1 - y0) * Double(s) / 100)
                for dy in 0 ..< t { for dx in 0 ..< t where x + dx < width && y + dy < height { m[x + dx, y + dy] = true } }
            }
        }
    }
    for _ in 0 ..< r(6) {  // holes
        let cx = r(width), cy = r(height), rad = r(3)
        for y in 0 ..< height { for x in 0 ..< width where (x - cx) * (x - cx) + (y - cy) * (y - cy) <= rad * rad { m[x, y] = false } }
    }
    return m
}
