// Fixture generators shared by the segmentation tests. Each mirrors a function
// of tools/reference/segmentation_reference.py exactly (same SplitMix64 draws
// in the same order), so the Python reference values apply to these arrays.
import DendrometerCore

/// `random_mask(seed, w, h, percent)`: bit = next() % 100 < percent, row-major.
func randomMask(seed: UInt64, width: Int, height: Int, percent: UInt64) -> BinaryMask {
    var rng = SplitMix64(seed: seed)
    var bits = [UInt8](repeating: 0, count: width * height)
    for i in bits.indices { bits[i] = rng.next() % 100 < percent ? 1 : 0 }
    return BinaryMask(width: width, height: height, bits: bits)
}

/// `blob_mask(seed)`: 6 discs, 10 cleared pixels, 8 set pixels on 24 × 20.
func blobMask(seed: UInt64, width w: Int = 24, height h: Int = 20) -> BinaryMask {
    var rng = SplitMix64(seed: seed)
    var m = BinaryMask(width: w, height: h)
    for _ in 0 ..< 6 {
        let cx = Int(rng.next() % UInt64(w)), cy = Int(rng.next() % UInt64(h))
        let rad = 1 + Int(rng.next() % 5)
        for y in 0 ..< h { for x in 0 ..< w where (x - cx) * (x - cx) + (y - cy) * (y - cy) <= rad * rad { m[x, y] = true } }
    }
    for _ in 0 ..< 10 {
        let x = Int(rng.next() % UInt64(w)), y = Int(rng.next() % UInt64(h))
        m[x, y] = false
    }
    for _ in 0 ..< 8 {
        let x = Int(rng.next() % UInt64(w)), y = Int(rng.next() % UInt64(h))
        m[x, y] = true
    }
    return m
}

func mask(for ref: MaskReference) -> BinaryMask {
    switch ref.kind {
    case .blob: blobMask(seed: ref.seed)
    case .noise: randomMask(seed: ref.seed, width: 16, height: 12, percent: 55)
    }
}

/// `np.packbits(mask.ravel()).tobytes().hex()`.
func packedHex(_ mask: BinaryMask) -> String {
    var bytes = [UInt8](repeating: 0, count: (mask.count + 7) / 8)
    for (i, b) in mask.bits.enumerated() where b != 0 { bytes[i / 8] |= 0x80 >> UInt8(i % 8) }
    let digits = Array("0123456789abcdef")
    return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
}

/// `bimodal_u8(seed, w, h)`.
func bimodalU8(seed: UInt64, width: Int, height: Int) -> Image<UInt8> {
    var rng = SplitMix64(seed: seed)
    var px = [UInt8]()
    for _ in 0 ..< width * height {
        px.append(rng.next() % 3 == 0 ? UInt8(60 + rng.next() % 40) : UInt8(150 + rng.next() % 60))
    }
    return Image(width: width, height: height, pixels: px)
}

/// `trimodal_u16(seed, w, h)`: 12-bit values in three clusters.
func trimodalU16(seed: UInt64, width: Int, height: Int) -> Image<UInt16> {
    var rng = SplitMix64(seed: seed)
    var px = [UInt16]()
    let bases: [UInt64] = [300, 1800, 3200, 3200]
    for _ in 0 ..< width * height {
        let c = Int(rng.next() % 4)
        px.append(UInt16(bases[c] + rng.next() % 700))
    }
    return Image(width: width, height: height, pixels: px, bitDepth: 12)
}

/// `bimodal_float(seed, w, h)`: values on centres of 4096 bins over [0, 1], first 0, last 1.
func bimodalFloat(seed: UInt64, width: Int, height: Int) -> Image<Float> {
    var rng = SplitMix64(seed: seed)
    var px = [Float]()
    for _ in 0 ..< width * height {
        let i = rng.next() % 3 == 0 ? 700 + rng.next() % 900 : 2500 + rng.next() % 1200
        px.append(Float((Double(i) + 0.5) / 4096))
    }
    px[0] = 0
    px[px.count - 1] = 1
    return Image(width: width, height: height, pixels: px)
}
