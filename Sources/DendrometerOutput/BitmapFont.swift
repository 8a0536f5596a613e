// A 5×7 pixel font for overlay legends and scale bars (classic HD44780-style
// glyphs), so overlays need no font files. Lower-case letters are drawn as
// capitals except the `m` of `µm`; `µ` has its own glyph.

/// Draws short text into an RGB canvas.
import DendrometerCore

enum BitmapFont {
    static let glyphs: [Character: [UInt8]] = [
        "A": [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11], "B": [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        "C": [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E], "D": [0x1E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1E],
        "E": [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F], "F": [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        "G": [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F], "H": [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        "I": [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E], "J": [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        "K": [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11], "L": [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        "M": [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11], "N": [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        "O": [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], "P": [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        "Q": [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D], "R": [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        "S": [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E], "T": [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        "U": [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], "V": [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        "W": [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A], "X": [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        "Y": [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04], "Z": [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        "0": [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E], "1": [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        "2": [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F], "3": [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        "4": [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02], "5": [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        "6": [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E], "7": [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        "8": [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E], "9": [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        ".": [0, 0, 0, 0, 0, 0x0C, 0x0C], "-": [0, 0, 0, 0x1F, 0, 0, 0], ":": [0, 0x0C, 0x0C, 0, 0x0C, 0x0C, 0],
        "/": [0x01, 0x01, 0x02, 0x04, 0x08, 0x10, 0x10], "%": [0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03],
        "(": [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02], ")": [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08],
        "µ": [0, 0x11, 0x11, 0x11, 0x13, 0x1D, 0x10], "m": [0, 0, 0x1A, 0x15, 0x15, 0x15, 0x15],
        " ": [0, 0, 0, 0, 0, 0, 0],
    ]

    /// Width in px of `text` at `scale`.
    static func width(_ text: String, scale: Int) -> Int { text.count * 6 * scale - scale }

    /// Draws `text` with its top-left corner at (x, y).
    static func draw(_ text: String, x: Int, y: Int, scale: Int, color: (UInt8, UInt8, UInt8), into canvas: inout RGBCanvas) {
        var cx = x
        var previous: Character = " "
        for ch in text {
            // Lower-case `m` only as the unit after µ; every other letter in capitals.
            let key: Character = ch == "m" && previous == "µ" ? "m" : (ch == "µ" ? "µ" : Character(ch.uppercased()))
            previous = ch
            let glyph = glyphs[key] ?? glyphs[" "]!
            for (row, bits) in glyph.enumerated() {
                for col in 0 ..< 5 where bits & (0x10 >> UInt8(col)) != 0 {
                    canvas.fill(PixelRectLite(x: cx + col * scale, y: y + row * scale, w: scale, h: scale), color)
                }
            }
            cx += 6 * scale
        }
    }
}

/// A small rectangle used while drawing (may lie partly outside the canvas).
struct PixelRectLite { var x, y, w, h: Int }

/// An 8-bit RGB raster for drawing overlays.
struct RGBCanvas {
    let width: Int
    let height: Int
    var rgb: [UInt8]

    init(gray: [UInt8], width: Int, height: Int) {
        self.width = width
        self.height = height
        var rgb = [UInt8](repeating: 0, count: 3 * width * height)
        for i in 0 ..< width * height { rgb[3 * i] = gray[i]; rgb[3 * i + 1] = gray[i]; rgb[3 * i + 2] = gray[i] }
        self.rgb = rgb
    }

    mutating func set(_ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8), alpha: Double = 1) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = 3 * (y * width + x)
        if alpha >= 1 {
            rgb[i] = c.0; rgb[i + 1] = c.1; rgb[i + 2] = c.2
        } else {
            rgb[i] = UInt8(saturating: Double(rgb[i]) * (1 - alpha) + Double(c.0) * alpha)
            rgb[i + 1] = UInt8(saturating: Double(rgb[i + 1]) * (1 - alpha) + Double(c.1) * alpha)
            rgb[i + 2] = UInt8(saturating: Double(rgb[i + 2]) * (1 - alpha) + Double(c.2) * alpha)
        }
    }

    mutating func fill(_ r: PixelRectLite, _ c: (UInt8, UInt8, UInt8), alpha: Double = 1) {
        let y0 = max(0, r.y), y1 = min(height, r.y + r.h), x0 = max(0, r.x), x1 = min(width, r.x + r.w)
        guard y0 < y1, x0 < x1 else { return }   // entirely outside the canvas
        for y in y0 ..< y1 {
            for x in x0 ..< x1 { set(x, y, c, alpha: alpha) }
        }
    }

    mutating func rectangle(_ r: PixelRectLite, _ c: (UInt8, UInt8, UInt8), thickness t: Int) {
        fill(PixelRectLite(x: r.x, y: r.y, w: r.w, h: t), c)
        fill(PixelRectLite(x: r.x, y: r.y + r.h - t, w: r.w, h: t), c)
        fill(PixelRectLite(x: r.x, y: r.y, w: t, h: r.h), c)
        fill(PixelRectLite(x: r.x + r.w - t, y: r.y, w: t, h: r.h), c)
    }

    /// A line of thickness `t` (Bresenham with square pen).
    mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ c: (UInt8, UInt8, UInt8), thickness t: Int) {
        let steps = max(1, Int(saturating: max(abs(x1 - x0), abs(y1 - y0)).rounded(.up)))
        for s in 0 ... steps {
            let f = Double(s) / Double(steps)
            let x = Int(saturating: (x0 + f * (x1 - x0)).rounded()), y = Int(saturating: (y0 + f * (y1 - y0)).rounded())
            fill(PixelRectLite(x: x - t / 2, y: y - t / 2, w: t, h: t), c)
        }
    }
}
