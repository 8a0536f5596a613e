import DendrometerCore

/// Largest absolute difference between two equally long Float arrays.
func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// A random image of `width × height` with samples drawn by `draw`.
func randomImage<P: PixelSample>(width: Int, height: Int, seed: UInt64, _ draw: (inout SplitMix64) -> P) -> Image<P> {
    var rng = SplitMix64(seed: seed)
    var px = [P]()
    px.reserveCapacity(width * height)
    for _ in 0 ..< width * height { px.append(draw(&rng)) }
    return Image(width: width, height: height, pixels: px)
}

/// The 4×5 fixture `A` of tools/reference/filters_reference.py.
let fixtureA = Image<Float>(width: 5, height: 4, pixels: [3, 0, 7, 1, 9,
                                                         2, 8, 4, 6, 0,
                                                         5, 1, 3, 9, 2,
                                                         7, 4, 0, 2, 6])
