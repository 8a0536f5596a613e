import DendrometerCore
import DendrometerTestSupport
import Foundation
import Testing
@testable import DendrometerIO
@testable import DendrometerOutput

@Suite("Indexed-colour overlay canvas")
struct IndexedCanvasTests {
    @Test("the file header's worked example: grey 200, tinted (0, 230, 255) at 0.18")
    func workedExample() {
        var canvas = IndexedCanvas(gray: [200, 0, 255], width: 3, height: 1)
        #expect(canvas.indices == [125, 0, 159])
        #expect(canvas.palette[125] == (200, 200, 200) && canvas.palette[0] == (0, 0, 0) && canvas.palette[159] == (255, 255, 255))
        let tint = canvas.map((0, 230, 255), alpha: 0.18)
        canvas.set(0, 0, through: tint)
        #expect(canvas.indices[0] == 160 + 50)
        #expect(canvas.palette[210] == (166, 207, 212))
    }

    @Test("black at alpha a darkens to a grey of (1 − a) × the luminance; solid colours get their own entries")
    func darkenAndSolid() {
        var canvas = IndexedCanvas(gray: [200, 200], width: 2, height: 1)
        canvas.fill(PixelRectLite(x: 0, y: 0, w: 1, h: 1), (0, 0, 0), alpha: 0.5)
        #expect(canvas.indices[0] == 62)   // grey 100 → round(100 · 159 / 255) = 62
        canvas.fill(PixelRectLite(x: 1, y: 0, w: 5, h: 5), (255, 0, 200))   // clipped to the canvas
        #expect(canvas.indices[1] == 224 && canvas.palette[224] == (255, 0, 200))
        #expect(canvas.solidIndex((255, 0, 200)) == 224)
        #expect(canvas.solidIndex((1, 2, 3)) == 225)
    }

    @Test("a 33rd solid colour takes the nearest of the 32")
    func paletteFull() {
        var canvas = IndexedCanvas(gray: [0], width: 1, height: 1)
        for k in 0 ..< 32 { _ = canvas.solidIndex((UInt8(k * 8), 0, 0)) }
        #expect(canvas.solidIndex((250, 0, 0)) == 255)   // (248, 0, 0), the 32nd
        #expect(canvas.solidIndex((9, 0, 0)) == 225)     // (8, 0, 0)
    }

    @Test("written as PNG colour type 3 and read back by libpng: every pixel is its palette colour")
    func pngRoundTrip() throws {
        var canvas = IndexedCanvas(gray: (0 ..< 300 * 140).map { UInt8($0 % 256) }, width: 300, height: 140)
        canvas.line(3, 5, 290, 130, (60, 255, 60), thickness: 3)
        canvas.fill(PixelRectLite(x: 10, y: 10, w: 40, h: 30), (0, 0, 0), alpha: 0.6)
        let path = Scratch.file("indexed", suffix: ".png")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PNGWriter.writeIndexed(canvas.indices, palette: canvas.paletteBytes, width: 300, height: 140, to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes[25] == 3)   // IHDR colour type: indexed
        let back = try PNGReader.readRGB(path)
        #expect(back.width == 300 && back.height == 140)
        #expect(back.rgb == canvas.rgb)
    }

    @Test("reduction keeps one-pixel lines (solid before tint before grey) and averages grey-only blocks")
    func reduction() {
        // Grey indices [0, 40, 80, 119, 159] on both rows; a solid pixel at (1, 1) takes index 224,
        // the tint at (3, 0) turns grey index 119 into tint index 160 + round(119 · 63 / 159) = 207.
        var canvas = IndexedCanvas(gray: [0, 64, 128, 191, 255, 0, 64, 128, 191, 255], width: 5, height: 2)
        #expect(canvas.indices == [0, 40, 80, 119, 159, 0, 40, 80, 119, 159])
        canvas.set(1, 1, through: canvas.map((255, 225, 0), alpha: 1))
        canvas.set(3, 0, through: canvas.map((0, 230, 255), alpha: 0.18))
        let small = canvas.reduced(by: 2)
        #expect(small.width == 3 && small.height == 1)
        #expect(small.indices == [224, 207, 159])   // solid wins its block, tint wins over grey, grey-only: the mean
        #expect(small.palette[224] == (255, 225, 0))
    }

    @Test("bad indices or palettes are refused with one clear message")
    func refusals() {
        #expect(throws: ImageIOError.self) { try PNGWriter.writeIndexed([0, 3], palette: [0, 0, 0, 9, 9, 9], width: 2, height: 1, to: "/tmp/x.png") }
        #expect(throws: ImageIOError.self) { try PNGWriter.writeIndexed([0], palette: [0, 0], width: 1, height: 1, to: "/tmp/x.png") }
        #expect(throws: ImageIOError.self) { try PNGWriter.writeIndexed([0, 0], palette: [0, 0, 0], width: 3, height: 1, to: "/tmp/x.png") }
    }
}
