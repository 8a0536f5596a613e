// Overlay PNG (docs/REFERENCE.md §3): the micrograph in gray with the dendrite
// outline, skeleton, interface line, front line and region boxes coloured by
// morphology, a legend and a scale bar in µm.

import DendrometerCore
import DendrometerPipeline
import DendrometerGeometry
import DendrometerIO
import DendrometerMorphology
import Foundation

/// How large an overlay picture is written.
/// The overlay's file format.
public enum OverlayFormat: String, Sendable, CaseIterable {
    /// 8-bit indexed-colour PNG (default): small, opens anywhere.
    case png
    /// 8-bit palette TIFF with the micrograph's calibration: opens in Fiji in µm over the original.
    case tiff
}

public enum OverlaySize: String, Sendable, CaseIterable {
    /// Every pixel of the micrograph.
    case full
    /// Reduced by a whole factor to at most ``previewLongestSidePx`` on the longer side (lines,
    /// skeleton and labels stay visible): a quarter of the file and of the writing time at 4096².
    case preview
    /// No overlay.
    case none

    /// Longest side of a preview, px.
    public static let previewLongestSidePx = 2048
}

/// Renders the overlay picture of an analysis.
public enum OverlayRenderer {
    /// Colour of each morphology label in overlays and reports (sRGB).
    public static func color(of label: MorphologyLabel) -> (UInt8, UInt8, UInt8) {
        Palette.label(label.rawValue).rgb
    }

    // Colours of the overlay's elements: one colour-blind-safe palette (``Palette``) shared with
    // the ROI sets and the HTML reports.
    static let outline = Palette.outline.rgb
    static let skeletonColor = Palette.skeleton.rgb
    static let interfaceColor = Palette.interface.rgb
    static let frontColor = Palette.front.rgb

    /// The overlay as interleaved RGB bytes of the full raster (width × height × 3).
    public static func render(_ r: AnalysisResult) -> (rgb: [UInt8], width: Int, height: Int) {
        let canvas = draw(r)
        return (canvas.rgb, canvas.width, canvas.height)
    }

    /// Opacity of the tint over the dendrite phase's interior (its outline is opaque).
    static let dendriteTintAlpha = 0.18

    /// The overlay on an indexed-colour canvas of the full raster.
    static func draw(_ r: AnalysisResult) -> IndexedCanvas {
        let w = r.micrograph.image.width, h = r.micrograph.image.height
        var canvas = IndexedCanvas(greyIndices: contrastStretchedIndices(r.micrograph.image), width: w, height: h)
        let t = max(1, min(w, h) / 500)
        let fx = r.field.x, fy = r.field.y
        // Dendrite outline (opaque) and interior (tinted), then the skeleton. The masks are read
        // one bit per pixel, 64 pixels a word: a dendrite pixel is on the outline when one of its
        // four neighbours is background or it lies on the field's border (outside is background).
        let d = r.dendritesPacked, sk = r.skeletonPacked
        let edgeIndex = canvas.solidIndex(outline), tinted = canvas.map(outline, alpha: dendriteTintAlpha)
        let skeletonIndex = canvas.solidIndex(skeletonColor)
        canvas.indices.withUnsafeMutableBufferPointer { dst in
            d.words.withUnsafeBufferPointer { dw in
                sk.words.withUnsafeBufferPointer { sw in
                    tinted.withUnsafeBufferPointer { tint in
                        let out = SendablePointer(dst.baseAddress!), tt = tint.baseAddress!
                        let stride = d.wordsPerRow, rows = d.height
                        parallelBands(rows, minimumPerBand: 64) { band in
                            for y in band {
                                let row = out.base + (y + fy) * w + fx, first = y * stride
                                for k in 0 ..< stride {
                                    let here = dw[first + k], skeleton = sw[first + k]
                                    guard here | skeleton != 0 else { continue }
                                    let before = k > 0 ? dw[first + k - 1] >> 63 : 0
                                    let after = k + 1 < stride ? dw[first + k + 1] << 63 : 0
                                    let left = here << 1 | before, right = here >> 1 | after
                                    let up = y > 0 ? dw[first - stride + k] : 0, down = y + 1 < rows ? dw[first + stride + k] : 0
                                    let edge = here & ~(left & right & up & down)
                                    var pixels = here | skeleton
                                    while pixels != 0 {
                                        let bit = pixels.trailingZeroBitCount, mask: UInt64 = 1 << UInt64(bit)
                                        let x = k << 6 + bit
                                        if skeleton & mask != 0 { row[x] = skeletonIndex }
                                        else { row[x] = edge & mask != 0 ? edgeIndex : tt[Int(row[x])] }
                                        pixels &= pixels - 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Region boxes, then the interface and the front over them (the reference lines stay
        // whole where a box edge runs along them), then the boxes' labels over everything.
        let scale = max(1, min(w, h) / 350)
        for region in r.regions {
            let b = region.bboxPx
            canvas.rectangle(PixelRectLite(x: b.x, y: b.y, w: b.width, h: b.height), color(of: region.morphology.label), thickness: t + 1)
        }
        if let interface = r.interface {
            let pts = interface.pointsPx
            for k in 1 ..< pts.count {
                canvas.line(pts[k - 1][0] + Double(fx), pts[k - 1][1] + Double(fy), pts[k][0] + Double(fx), pts[k][1] + Double(fy),
                            interfaceColor, thickness: t + 1)
            }
            let front = frontLine(r)
            for k in front.indices.dropFirst() {
                canvas.line(front[k - 1].x, front[k - 1].y, front[k].x, front[k].y, frontColor, thickness: t)
            }
        }
        for region in r.regions {
            let c = color(of: region.morphology.label)
            let b = region.bboxPx
            // The label in a corner on the box's far side from the anode, so it never covers the
            // interface, and clear of the legend (top-left or in the data bar) and the scale bar
            // (bottom-right): anode bottom or left → top-right; anode top or right → bottom-left.
            // On a tag of the label's colour, in black or white, whichever reads on it.
            let label = "\(region.name) \(region.morphology.label.rawValue)"
            let labelW = BitmapFont.width(label, scale: scale) + 4 * scale, labelH = 9 * scale
            let farBottomLeft = r.interface.map { $0.side == .top || $0.side == .right } ?? false
            let lx = farBottomLeft ? b.x + t + 1 : max(b.x + t + 1, b.x + b.width - t - 1 - labelW)
            let ly = farBottomLeft ? max(b.y + t + 1, b.y + b.height - t - 1 - labelH) : b.y + t + 1
            canvas.fill(PixelRectLite(x: lx, y: ly, w: labelW, h: labelH), c)
            BitmapFont.draw(label, x: lx + 2 * scale, y: ly + scale, scale: scale, color: textColor(on: c), into: &canvas)
        }
        drawLegend(&canvas, scale: scale, dataBar: dataBarRows(r))
        drawScaleBar(&canvas, r: r, scale: scale, thickness: t)
        return canvas
    }

    /// Writes the overlay PNG atomically: 8-bit indexed colour (one byte per pixel), at full
    /// size or, for ``OverlaySize/preview``, reduced to at most
    /// ``OverlaySize/previewLongestSidePx`` on its longer side.
    public static func write(_ r: AnalysisResult, to path: String, size: OverlaySize = .full) throws(ImageIOError) {
        let (canvas, _) = sized(draw(r), size)
        try PNGWriter.writeIndexed(canvas.indices, palette: canvas.paletteBytes, width: canvas.width, height: canvas.height,
                                   to: path)
    }

    /// Writes the overlay as a calibrated palette TIFF (`--overlay-format tiff`): the same 8-bit
    /// indexed picture as the PNG, with the micrograph's pixel size (× the reduction factor for a
    /// preview) in ImageJ's tags, so Fiji opens it in µm on the original's frame.
    public static func writeTIFF(_ r: AnalysisResult, to path: String, size: OverlaySize = .full) throws(ImageIOError) {
        let (canvas, factor) = sized(draw(r), size)
        let entries = 256
        var red = [UInt16](repeating: 0, count: entries), green = red, blue = red
        for (i, c) in canvas.palette.prefix(entries).enumerated() {
            // 8-bit colour to TIFF's 16-bit colour map (×257: 255 → 65535).
            red[i] = UInt16(c.0) * 257; green[i] = UInt16(c.1) * 257; blue[i] = UInt16(c.2) * 257
        }
        var calibration = r.micrograph.calibration
        if factor > 1, let p = calibration.pixelSize {
            calibration.pixelSize = PixelSize(widthMicrometres: p.widthMicrometres * Double(factor), heightMicrometres: p.heightMicrometres * Double(factor))
        }
        let raster = TIFFRaster(width: canvas.width, height: canvas.height, bitsPerSample: 8,
                                photometric: .palette(red: red, green: green, blue: blue), bytes: canvas.indices)
        try TIFFWriter.write(pages: [raster], to: path, calibration: calibration, options: TIFFWriteOptions(compression: .deflate))
    }

    /// The canvas at `size` and the whole reduction factor used (1 for full size).
    static func sized(_ canvas: IndexedCanvas, _ size: OverlaySize) -> (IndexedCanvas, Int) {
        guard size == .preview else { return (canvas, 1) }
        let factor = (max(canvas.width, canvas.height) + OverlaySize.previewLongestSidePx - 1) / OverlaySize.previewLongestSidePx
        return (canvas.reduced(by: factor), factor)
    }

    /// The canvas's grey-ramp index of every pixel (``IndexedCanvas/greyIndex``) of the micrograph
    /// as 8-bit gray with the 0.5th–99.5th percentile (of ≈ 100 000 sampled finite pixels)
    /// stretched to 0…255; non-finite pixels are black. Integer images go through one lookup
    /// table (stretch and ramp composed), without a Float or 8-bit grey copy of the raster.
    static func contrastStretchedIndices(_ image: AnyImage) -> [UInt8] {
        switch image {
        case .uint8(let i): stretchedIndices(i, levels: 256)
        case .uint16(let i): stretchedIndices(i, levels: 65536)
        case .float32(let i): stretchedIndices(i)
        }
    }

    /// The 0.5th and 99.5th percentiles of ≈ 100 000 finite pixels sampled at a fixed stride.
    static func stretchLimits<P>(_ pixels: [P], value: (P) -> Float) -> (lo: Float, span: Float)? {
        let step = max(1, pixels.count / 100_000)
        let sample = stride(from: 0, to: pixels.count, by: step).map { value(pixels[$0]) }.filter(\.isFinite).sorted()
        guard !sample.isEmpty else { return nil }
        let lo = sample[Int(saturating: Double(sample.count - 1) * 0.005)], hi = sample[Int(saturating: Double(sample.count - 1) * 0.995)]
        return (lo, max(hi - lo, 1e-6))
    }

    @inline(__always)
    static func stretch(_ v: Float, _ limits: (lo: Float, span: Float)) -> UInt8 {
        v.isFinite ? UInt8(saturating: max(0, min(255, (v - limits.lo) / limits.span * 255))) : 0
    }

    static func stretchedIndices<P: PixelSample & FixedWidthInteger & UnsignedInteger>(_ image: Image<P>, levels: Int) -> [UInt8] {
        let ramp = IndexedCanvas.greyIndex
        guard let limits = stretchLimits(image.pixels, value: { Float($0) }) else {
            return [UInt8](repeating: ramp[0], count: image.count)
        }
        let lut = (0 ..< levels).map { ramp[Int(stretch(Float($0), limits))] }
        return lut.withUnsafeBufferPointer { table in
            let t = SendableConstPointer(table.baseAddress!)
            return mapped(image) { t.base[Int($0)] }
        }
    }

    static func stretchedIndices(_ image: Image<Float>) -> [UInt8] {
        let ramp = IndexedCanvas.greyIndex
        guard let limits = stretchLimits(image.pixels, value: { $0 }) else {
            return [UInt8](repeating: ramp[0], count: image.count)
        }
        return ramp.withUnsafeBufferPointer { table in
            let t = SendableConstPointer(table.baseAddress!)
            return mapped(image) { t.base[Int(stretch($0, limits))] }
        }
    }

    /// `transform` applied to every pixel, in parallel row bands.
    static func mapped<P: PixelSample>(_ image: Image<P>, _ transform: @Sendable (P) -> UInt8) -> [UInt8] {
        let w = image.width, n = image.count
        return [UInt8](unsafeUninitializedCapacity: n) { dst, initialized in
            let d = SendablePointer(dst.baseAddress!)
            image.pixels.withUnsafeBufferPointer { src in
                let s = SendableConstPointer(src.baseAddress!)
                parallelBands(image.height, minimumPerBand: 64) { rows in
                    for i in rows.lowerBound * w ..< rows.upperBound * w { d.base[i] = transform(s.base[i]) }
                }
            }
            initialized = n
        }
    }

    /// The dendrite front as drawn on the overlay and exported to the ROI set: at each position
    /// along the interface, the deepest dendrite depth within a window of 1/64 of the interface
    /// (a running maximum, so single gaps do not notch the line), sampled at about 400 points;
    /// pixel-centre coordinates in the full raster. Empty without an interface or dendrites.
    public static func frontLine(_ r: AnalysisResult) -> [(x: Double, y: Double)] {
        guard let interface = r.interface, let p = r.penetration, p.maxPx > 0 else { return [] }
        let front = smoothedFront(p.frontPx, window: max(3, p.frontPx.count / 64))
        return stride(from: 0, to: front.count, by: max(1, front.count / 400)).map { u in
            let q = interface.side.image(u: Double(u), v: interface.height(atU: Double(u)) + front[u],
                                         width: r.field.width, height: r.field.height)
            return (q.x + Double(r.field.x), q.y + Double(r.field.y))
        }
    }

    static func smoothedFront(_ f: [Double], window: Int) -> [Double] {
        guard f.count > 2 else { return f }
        return f.indices.map { i in
            let lo = max(0, i - window / 2), hi = min(f.count - 1, i + window / 2)
            return f[lo ... hi].max() ?? 0
        }
    }

    /// Black on light colours, white on dark ones (Rec. 601 luma above 140 of 255 is light).
    static func textColor(on c: (UInt8, UInt8, UInt8)) -> (UInt8, UInt8, UInt8) {
        0.299 * Double(c.0) + 0.587 * Double(c.1) + 0.114 * Double(c.2) > 140 ? (0, 0, 0) : (255, 255, 255)
    }

    /// The rows of the SEM data bar (above or below the analysed field), nil when there is none.
    static func dataBarRows(_ r: AnalysisResult) -> Range<Int>? {
        let h = r.micrograph.image.height, f = r.field
        if f.y > 0 { return 0 ..< f.y }
        if f.y + f.height < h { return f.y + f.height ..< h }
        return nil
    }

    /// The legend: in the SEM data bar when it fits there (entries in rows; the bar is the
    /// microscope's annotation, never part of the measurement), else as a list at the field's
    /// top-left corner (region labels sit at their boxes' top-right corners, clear of it).
    static func drawLegend(_ canvas: inout IndexedCanvas, scale: Int, dataBar: Range<Int>?) {
        let entries: [(String, (UInt8, UInt8, UInt8))] = [
            ("dendrite outline", outline), ("skeleton", skeletonColor), ("interface", interfaceColor), ("front", frontColor),
        ] + MorphologyLabel.allCases.map { ($0.rawValue, color(of: $0)) }
        let lineH = 10 * scale, swatch = 7 * scale
        func entryWidth(_ e: (String, (UInt8, UInt8, UInt8))) -> Int { swatch + 3 * scale + BitmapFont.width(e.0, scale: scale) + 8 * scale }
        if let bar = dataBar {
            // Flow the entries into rows of the bar's width; use the bar if they fit in its height.
            var rows = [[(String, (UInt8, UInt8, UInt8))]](), width = 0
            for e in entries {
                if rows.isEmpty || width + entryWidth(e) > canvas.width - 8 * scale { rows.append([]); width = 0 }
                rows[rows.count - 1].append(e); width += entryWidth(e)
            }
            let height = rows.count * lineH + 4 * scale
            if height <= bar.count {
                let top = bar.lowerBound + (bar.count - height) / 2
                let widest = rows.map { $0.reduce(0) { $0 + entryWidth($1) } }.max() ?? 0
                canvas.fill(PixelRectLite(x: 0, y: bar.lowerBound, w: widest + 8 * scale, h: bar.count), (0, 0, 0))
                for (k, row) in rows.enumerated() {
                    var x = 5 * scale
                    let y = top + 2 * scale + k * lineH
                    for e in row {
                        canvas.fill(PixelRectLite(x: x, y: y, w: swatch, h: swatch), e.1)
                        BitmapFont.draw(e.0, x: x + swatch + 3 * scale, y: y, scale: scale, color: (255, 255, 255), into: &canvas)
                        x += entryWidth(e)
                    }
                }
                return
            }
        }
        let top = (dataBar?.lowerBound == 0 ? dataBar!.upperBound : 0) + 4 * scale
        let boxW = 12 * scale + BitmapFont.width("dendrite outline", scale: scale) + 6 * scale
        let boxH = lineH * entries.count + 4 * scale
        canvas.fill(PixelRectLite(x: 4 * scale, y: top, w: boxW, h: boxH), (0, 0, 0), alpha: 0.65)
        for (k, e) in entries.enumerated() {
            let y = top + 2 * scale + k * lineH
            canvas.fill(PixelRectLite(x: 7 * scale, y: y, w: swatch, h: swatch), e.1)
            BitmapFont.draw(e.0, x: 17 * scale, y: y, scale: scale, color: (255, 255, 255), into: &canvas)
        }
    }

    static func drawScaleBar(_ canvas: inout IndexedCanvas, r: AnalysisResult, scale: Int, thickness t: Int) {
        let field = r.field
        let target = Double(field.width) * 0.2
        let label: String
        let lengthPx: Double
        if let p = r.micrograph.calibration.pixelSize {
            let um = DendriteAnalysis.niceNumber(target * p.micrometres)
            lengthPx = um / p.micrometres
            label = "\(PixelSize.format(um)) µm"
        } else {
            let px = DendriteAnalysis.niceNumber(target)
            lengthPx = px
            label = "\(Int(saturating: px)) px (uncalibrated)"
        }
        let x1 = field.x + field.width - 8 * scale, x0 = x1 - Int(saturating: lengthPx.rounded())
        let y = field.y + field.height - 10 * scale
        let textW = BitmapFont.width(label, scale: scale)
        canvas.fill(PixelRectLite(x: min(x0, x1 - textW) - 4 * scale, y: y - 12 * scale, w: max(x1 - x0, textW) + 8 * scale, h: 18 * scale),
                    (0, 0, 0), alpha: 0.6)
        canvas.fill(PixelRectLite(x: x0, y: y, w: x1 - x0, h: max(2, 2 * t)), (255, 255, 255))
        BitmapFont.draw(label, x: x1 - textW, y: y - 10 * scale, scale: scale, color: (255, 255, 255), into: &canvas)
    }
}
