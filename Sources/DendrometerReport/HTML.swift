// HTML escaping, number formatting and the inline SVG plots of report.html and
// compare.html (histogram, line plot, orientation rose, box plot, stacked
// composition bars). Plain string building; every text goes through `escape`.

import DendrometerCore
import Foundation

/// Helpers that build self-contained HTML: no network, no external scripts or styles.
enum HTML {
    /// Escapes `&`, `<`, `>`, `"` and `'` so that any text is safe in element
    /// content and in quoted attribute values.
    ///
    /// `escape("a<b>&\"c\".tif")` = `a&lt;b&gt;&amp;&quot;c&quot;.tif`.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A relative file path as a URL path: each component percent-encoded (a space, `#`, `?`,
    /// `%` in a file name would otherwise break the link), `/` kept.
    ///
    /// `urlPath("overlays/a b#1.png")` = `overlays/a%20b%231.png`.
    static func urlPath(_ path: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~!$&'()*+,;=:@")
        return path.split(separator: "/", omittingEmptySubsequences: false)
            .map { String($0).addingPercentEncoding(withAllowedCharacters: allowed) ?? String($0) }.joined(separator: "/")
    }

    /// A number for people: 4 significant digits, integers as integers, "–" for nil.
    static func format(_ value: Double?) -> String {
        guard let v = value, v.isFinite else { return "–" }
        if v == v.rounded(), abs(v) < 1e9 { return String(Int(saturating: v)) }
        return String(format: "%.4g", v)
    }

    /// A number for SVG coordinates (2 decimals).
    static func c(_ v: Double) -> String { String(format: "%.2f", v) }

    /// Colour of a morphology label: the overlay's (``Palette``, Okabe–Ito), so a label looks the
    /// same on the overlay, in the ROI set and here.
    static func colour(ofLabel label: String) -> String { Palette.label(label).hex }

    /// Colour of data marks (bars, points, lines) and of medians.
    static let dataColour = Palette.data.hex, medianColour = Palette.reference.hex

    /// A table: header cells and rows of (already escaped) cell HTML.
    /// `sortable` tables get a click-to-sort header; a cell given as
    /// `(html, sortKey)` sorts by the numeric key.
    static func table(header: [String], rows: [[Cell]], sortable: Bool = false, id: String? = nil) -> String {
        var s = "<div class=\"scroll\"><table\(sortable ? " class=\"sortable\"" : "")\(id.map { " id=\"\(escape($0))\"" } ?? "")><thead><tr>"
        for h in header { s += "<th>\(escape(h))</th>" }
        s += "</tr></thead><tbody>\n"
        for row in rows {
            s += "<tr>"
            for cell in row {
                if let key = cell.sortKey, key.isFinite { s += "<td data-v=\"\(key)\">\(cell.html)</td>" } else { s += "<td>\(cell.html)</td>" }
            }
            s += "</tr>\n"
        }
        return s + "</tbody></table></div>\n"
    }

    /// One table cell: escaped HTML plus an optional numeric sort key.
    struct Cell {
        var html: String
        var sortKey: Double?
        static func text(_ t: String) -> Cell { Cell(html: escape(t), sortKey: nil) }
        static func number(_ v: Double?) -> Cell { Cell(html: format(v), sortKey: v) }
    }

    /// A whole page with inline style and the table-sorting script.
    static func page(title: String, body: String) -> String {
        pageHead(title: title) + body + pageTail
    }

    /// The end of a page after its body.
    static let pageTail = "\n</body></html>\n"

    /// A page up to its body: `<head>` with inline style and the table-sorting script, `<body>`.
    static func pageHead(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:1.5em auto;max-width:1200px;padding:0 1em;color:#222}
        h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}h3{margin:.2em 0}
        table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
        th,td{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
        th{background:#f3f3f3}table.sortable th{cursor:pointer}table.sortable th:hover{background:#e6e6e6}
        td[data-v]{text-align:right;font-variant-numeric:tabular-nums}
        .scroll{overflow-x:auto;max-width:100%}
        .figs{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}
        .image{border:1px solid #ddd;border-radius:6px;padding:.8em;margin:1em 0}
        .image img{max-width:480px;width:100%;height:auto;border:1px solid #ccc}
        .summary td:first-child{font-weight:600}.warn{color:#a33}
        .legend span{display:inline-block;margin-right:1em}.legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:middle}
        svg{background:#fff;font-family:inherit}
        </style>
        <script>
        document.addEventListener('DOMContentLoaded',function(){
          document.querySelectorAll('table.sortable').forEach(function(t){
            t.querySelectorAll('th').forEach(function(th,i){
              th.addEventListener('click',function(){
                var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows),asc=th.dataset.dir!=='asc';
                t.querySelectorAll('th').forEach(function(o){delete o.dataset.dir});th.dataset.dir=asc?'asc':'desc';
                rows.sort(function(a,c){var x=a.cells[i],y=c.cells[i],p=x.dataset.v,q=y.dataset.v,r;
                  if(p!==undefined&&q!==undefined){r=parseFloat(p)-parseFloat(q)}
                  else if(p!==undefined){r=-1}else if(q!==undefined){r=1}
                  else{r=x.textContent.localeCompare(y.textContent)}
                  return asc?r:-r});
                rows.forEach(function(r){b.appendChild(r)});
              });
            });
          });
        });
        </script>
        </head><body>

        """
    }

    // MARK: - Plots

    /// "Nice" tick values covering [lo, hi].
    static func ticks(_ lo: Double, _ hi: Double, count: Int = 5, integer: Bool = false) -> [Double] {
        guard hi > lo else { return [lo] }
        let raw = integer ? max(1, (hi - lo) / Double(count)) : (hi - lo) / Double(count)
        let mag = pow(10, floor(log10(raw)))
        let factors: [Double] = integer && mag < 10 ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10]
        let step = factors.map { $0 * mag }.first { $0 >= raw } ?? raw
        var t = (lo / step).rounded(.up) * step
        var out = [Double]()
        while t <= hi + step * 1e-9 { out.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return out
    }

    /// Axes frame with ticks; returns the SVG and x/y mapping closures.
    private static func axes(width: Double, height: Double, x: ClosedRange<Double>, y: ClosedRange<Double>,
                             xLabel: String, yLabel: String, title: String, xTicks: Bool = true, integerY: Bool = false)
        -> (svg: String, sx: (Double) -> Double, sy: (Double) -> Double) {
        let left = 52.0, right = 12.0, top = 24.0, bottom = 40.0
        let pw = width - left - right, ph = height - top - bottom
        let xs = x.upperBound > x.lowerBound ? x : (x.lowerBound - 0.5) ... (x.lowerBound + 0.5)
        let ys = y.upperBound > y.lowerBound ? y : (y.lowerBound - 0.5) ... (y.lowerBound + 0.5)
        let sx = { (v: Double) in left + (v - xs.lowerBound) / (xs.upperBound - xs.lowerBound) * pw }
        let sy = { (v: Double) in top + ph - (v - ys.lowerBound) / (ys.upperBound - ys.lowerBound) * ph }
        var s = "<text x=\"\(c(width / 2))\" y=\"15\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"600\">\(escape(title))</text>"
        s += "<rect x=\"\(c(left))\" y=\"\(c(top))\" width=\"\(c(pw))\" height=\"\(c(ph))\" fill=\"none\" stroke=\"#888\"/>"
        for t in xTicks ? ticks(xs.lowerBound, xs.upperBound) : [] {
            s += "<line x1=\"\(c(sx(t)))\" x2=\"\(c(sx(t)))\" y1=\"\(c(top + ph))\" y2=\"\(c(top + ph + 4))\" stroke=\"#888\"/>"
            s += "<text x=\"\(c(sx(t)))\" y=\"\(c(top + ph + 15))\" text-anchor=\"middle\" font-size=\"10\">\(format(t))</text>"
        }
        for t in ticks(ys.lowerBound, ys.upperBound, integer: integerY) {
            s += "<line x1=\"\(c(left - 4))\" x2=\"\(c(left))\" y1=\"\(c(sy(t)))\" y2=\"\(c(sy(t)))\" stroke=\"#888\"/>"
            s += "<text x=\"\(c(left - 6))\" y=\"\(c(sy(t) + 3))\" text-anchor=\"end\" font-size=\"10\">\(format(t))</text>"
        }
        s += "<text x=\"\(c(left + pw / 2))\" y=\"\(c(height - 6))\" text-anchor=\"middle\" font-size=\"11\">\(escape(xLabel))</text>"
        s += "<text transform=\"translate(12,\(c(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"11\">\(escape(yLabel))</text>"
        return (s, sx, sy)
    }

    private static func svg(_ width: Double, _ height: Double, _ content: String, label: String) -> String {
        "<svg width=\"\(Int(saturating: width))\" height=\"\(Int(saturating: height))\" viewBox=\"0 0 \(Int(saturating: width)) \(Int(saturating: height))\" role=\"img\" aria-label=\"\(escape(label))\">\(content)</svg>\n"
    }

    /// Histogram of `values` in `bins` equal bins between their min and max.
    static func histogram(_ values: [Double], bins: Int = 12, title: String, xLabel: String) -> String {
        let v = values.filter(\.isFinite)
        let w = 340.0, h = 220.0
        guard let lo = v.min(), let hi = v.max() else {
            return svg(w, h, "<text x=\"\(c(w / 2))\" y=\"\(c(h / 2))\" text-anchor=\"middle\" font-size=\"12\">\(escape(title)): no values</text>", label: title)
        }
        let span = hi > lo ? hi - lo : 1
        let lower = hi > lo ? lo : lo - 0.5
        var counts = [Int](repeating: 0, count: bins)
        for x in v { counts[min(bins - 1, max(0, Int(saturating: (x - lower) / span * Double(bins))))] += 1 }
        let a = axes(width: w, height: h, x: lower ... lower + span, y: 0 ... Double(counts.max() ?? 1),
                     xLabel: xLabel, yLabel: "images", title: title, integerY: true)
        var s = a.svg
        for (i, n) in counts.enumerated() where n > 0 {
            let x0 = a.sx(lower + span * Double(i) / Double(bins)), x1 = a.sx(lower + span * Double(i + 1) / Double(bins))
            s += "<rect x=\"\(c(x0))\" y=\"\(c(a.sy(Double(n))))\" width=\"\(c(max(0.5, x1 - x0 - 1)))\" height=\"\(c(a.sy(0) - a.sy(Double(n))))\" fill=\"\(dataColour)\"><title>\(n)</title></rect>"
        }
        return svg(w, h, s, label: title)
    }

    /// Line plot through `points` (x ascending), with dots.
    static func linePlot(_ points: [(Double, Double)], title: String, xLabel: String, yLabel: String) -> String {
        let w = 340.0, h = 220.0
        let pts = points.filter { $0.0.isFinite && $0.1.isFinite }
        guard !pts.isEmpty else {
            return svg(w, h, "<text x=\"\(c(w / 2))\" y=\"\(c(h / 2))\" text-anchor=\"middle\" font-size=\"12\">\(escape(title)): no data</text>", label: title)
        }
        let xs = pts.map(\.0), ys = pts.map(\.1)
        let a = axes(width: w, height: h, x: min(0, xs.min()!) ... xs.max()!, y: 0 ... max(ys.max()!, 1e-9),
                     xLabel: xLabel, yLabel: yLabel, title: title)
        var s = a.svg
        s += "<polyline fill=\"none\" stroke=\"\(dataColour)\" stroke-width=\"2\" points=\"" + pts.map { "\(c(a.sx($0.0))),\(c(a.sy($0.1)))" }.joined(separator: " ") + "\"/>"
        for p in pts { s += "<circle cx=\"\(c(a.sx(p.0)))\" cy=\"\(c(a.sy(p.1)))\" r=\"2.2\" fill=\"\(dataColour)\"/>" }
        return svg(w, h, s, label: title)
    }

    /// Orientation rose: `histogram` has bins of 180/count degrees over 0…180°,
    /// 0° = lateral (parallel to the interface, drawn horizontal), 90° = vertical
    /// (drawn up). Orientation is axial, so each bin is drawn at θ and θ + 180°.
    /// Bar radius is proportional to the bin value over the largest bin; the two rings are
    /// labelled with the share of pixels they stand for.
    static func rose(_ histogram: [Double], title: String, size: Double = 220) -> String {
        let w = size, h = size + 20
        let cx = w / 2, cy = 20 + size / 2, rMax = size / 2 - 16
        var s = "<text x=\"\(c(w / 2))\" y=\"14\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"600\">\(escape(title))</text>"
        let values = histogram.map { $0.isFinite ? max(0, $0) : 0 }
        let top = values.max() ?? 0
        // Radial scale: rings at half and all of the largest bin, labelled with their share.
        for f in [0.5, 1.0] {
            s += "<circle cx=\"\(c(cx))\" cy=\"\(c(cy))\" r=\"\(c(rMax * f))\" fill=\"none\" stroke=\"#ccc\"/>"
            if top > 0 {
                s += "<text x=\"\(c(cx - rMax * f * 0.7071 - 2))\" y=\"\(c(cy + rMax * f * 0.7071 + 9))\" text-anchor=\"end\" font-size=\"9\" fill=\"#666\">\(String(format: "%.3g", top * f * 100)) %</text>"
            }
        }
        s += "<line x1=\"\(c(cx - rMax))\" x2=\"\(c(cx + rMax))\" y1=\"\(c(cy))\" y2=\"\(c(cy))\" stroke=\"#ccc\"/>"
        s += "<line x1=\"\(c(cx))\" x2=\"\(c(cx))\" y1=\"\(c(cy - rMax))\" y2=\"\(c(cy + rMax))\" stroke=\"#ccc\"/>"
        s += "<text x=\"\(c(cx + rMax + 2))\" y=\"\(c(cy - 3))\" font-size=\"9\" fill=\"#666\">0°</text>"
        s += "<text x=\"\(c(cx + 3))\" y=\"\(c(cy - rMax + 8))\" font-size=\"9\" fill=\"#666\">90°</text>"
        if top > 0 {
            let step = Double.pi / Double(values.count)
            for (i, v) in values.enumerated() where v > 0 {
                let r = rMax * v / top
                for turn in [0.0, Double.pi] {
                    let a0 = Double(i) * step + turn, a1 = a0 + step
                    s += "<path d=\"M\(c(cx)),\(c(cy)) L\(c(cx + r * cos(a0))),\(c(cy - r * sin(a0))) A\(c(r)),\(c(r)) 0 0 0 \(c(cx + r * cos(a1))),\(c(cy - r * sin(a1))) Z\" fill=\"\(dataColour)\" fill-opacity=\"0.8\" stroke=\"#fff\" stroke-width=\"0.5\"><title>\(Int(saturating: Double(i) * 180 / Double(values.count)))–\(Int(saturating: Double(i + 1) * 180 / Double(values.count)))°: \(format(v))</title></path>"
                }
            }
        }
        return svg(w, h, s, label: title)
    }

    /// Box plots side by side: box q1…q3 with the median, Tukey whiskers to the
    /// furthest value within 1.5 IQR, and every value as a point over it (hollow beyond the whiskers).
    static func boxPlot(_ groups: [(name: String, values: [Double])], title: String, yLabel: String) -> String {
        let w = max(240.0, 80 + 70 * Double(groups.count)), h = 240.0
        let all = groups.flatMap(\.values).filter(\.isFinite)
        guard let lo = all.min(), let hi = all.max() else {
            return svg(w, h, "<text x=\"\(c(w / 2))\" y=\"\(c(h / 2))\" text-anchor=\"middle\" font-size=\"12\">\(escape(title)): no values</text>", label: title)
        }
        let pad = hi > lo ? (hi - lo) * 0.05 : 0.5
        let a = axes(width: w, height: h, x: 0 ... Double(groups.count), y: (lo - pad) ... (hi + pad),
                     xLabel: "", yLabel: yLabel, title: title, xTicks: false)
        var s = a.svg
        for (i, g) in groups.enumerated() {
            let xc = a.sx(Double(i) + 0.5), bw = min(40.0, (a.sx(1) - a.sx(0)) * 0.5)
            s += "<text x=\"\(c(xc))\" y=\"\(c(h - 24))\" text-anchor=\"middle\" font-size=\"11\">\(escape(g.name))</text>"
            guard let sum = SampleSummary(g.values) else { continue }
            let fence = 1.5 * sum.iqr
            let inside = g.values.filter { $0.isFinite && $0 >= sum.q1 - fence && $0 <= sum.q3 + fence }
            let wLo = inside.min() ?? sum.q1, wHi = inside.max() ?? sum.q3
            let colour = dataColour
            s += "<line x1=\"\(c(xc))\" x2=\"\(c(xc))\" y1=\"\(c(a.sy(wLo)))\" y2=\"\(c(a.sy(sum.q1)))\" stroke=\"#333\"/>"
            s += "<line x1=\"\(c(xc))\" x2=\"\(c(xc))\" y1=\"\(c(a.sy(sum.q3)))\" y2=\"\(c(a.sy(wHi)))\" stroke=\"#333\"/>"
            for wv in [wLo, wHi] { s += "<line x1=\"\(c(xc - bw / 4))\" x2=\"\(c(xc + bw / 4))\" y1=\"\(c(a.sy(wv)))\" y2=\"\(c(a.sy(wv)))\" stroke=\"#333\"/>" }
            s += "<rect x=\"\(c(xc - bw / 2))\" y=\"\(c(a.sy(sum.q3)))\" width=\"\(c(bw))\" height=\"\(c(max(1, a.sy(sum.q1) - a.sy(sum.q3))))\" fill=\"\(colour)\" fill-opacity=\"0.35\" stroke=\"\(colour)\"><title>n=\(sum.n) median=\(format(sum.median)) IQR \(format(sum.q1))–\(format(sum.q3))</title></rect>"
            s += "<line x1=\"\(c(xc - bw / 2))\" x2=\"\(c(xc + bw / 2))\" y1=\"\(c(a.sy(sum.median)))\" y2=\"\(c(a.sy(sum.median)))\" stroke=\"\(medianColour)\" stroke-width=\"2\"/>"
            // Every value as a point over the box, spread sideways by a fixed pattern (not random,
            // so the page is reproducible); values beyond the whiskers drawn hollow.
            for (k, v) in g.values.enumerated() where v.isFinite {
                let dx = (Double((k * 7) % 11) / 10 - 0.5) * bw * 0.8
                let outside = v < wLo || v > wHi
                s += "<circle cx=\"\(c(xc + dx))\" cy=\"\(c(a.sy(v)))\" r=\"2.5\" fill=\"\(outside ? "none" : "#333")\" fill-opacity=\"0.6\" stroke=\"#333\"><title>\(format(v))</title></circle>"
            }
            s += "<text x=\"\(c(xc))\" y=\"\(c(h - 12))\" text-anchor=\"middle\" font-size=\"9\" fill=\"#666\">n=\(sum.n)</text>"
        }
        return svg(w, h, s, label: title)
    }

    /// Horizontal stacked bars of label shares (0…1) per group, with a legend.
    static func compositionBars(_ groups: [(name: String, shares: [(label: String, share: Double)])], title: String) -> String {
        let w = 520.0, rowH = 26.0, left = 110.0, right = 20.0
        let h = 30 + rowH * Double(groups.count) + 52
        var s = "<text x=\"\(c(w / 2))\" y=\"15\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"600\">\(escape(title))</text>"
        var labels = [String]()
        for (i, g) in groups.enumerated() {
            let y = 26 + rowH * Double(i)
            s += "<text x=\"\(c(left - 6))\" y=\"\(c(y + 15))\" text-anchor=\"end\" font-size=\"11\">\(escape(g.name))</text>"
            var x = left
            for item in g.shares where item.share > 0 {
                if !labels.contains(item.label) { labels.append(item.label) }
                let bw = (w - left - right) * item.share
                s += "<rect x=\"\(c(x))\" y=\"\(c(y))\" width=\"\(c(bw))\" height=\"\(c(rowH - 6))\" fill=\"\(colour(ofLabel: item.label))\"><title>\(escape(item.label)): \(format(item.share * 100)) %</title></rect>"
                x += bw
            }
        }
        // Axis: share of images (or regions) in %.
        let axisY = 26 + rowH * Double(groups.count)
        s += "<line x1=\"\(c(left))\" x2=\"\(c(w - right))\" y1=\"\(c(axisY))\" y2=\"\(c(axisY))\" stroke=\"#888\"/>"
        for pct in stride(from: 0.0, through: 100.0, by: 25.0) {
            let x = left + (w - left - right) * pct / 100
            s += "<line x1=\"\(c(x))\" x2=\"\(c(x))\" y1=\"\(c(axisY))\" y2=\"\(c(axisY + 4))\" stroke=\"#888\"/>"
            s += "<text x=\"\(c(x))\" y=\"\(c(axisY + 14))\" text-anchor=\"middle\" font-size=\"10\">\(Int(saturating: pct)) %</text>"
        }
        var lx = left
        let ly = axisY + 22
        for l in labels {
            s += "<rect x=\"\(c(lx))\" y=\"\(c(ly))\" width=\"10\" height=\"10\" fill=\"\(colour(ofLabel: l))\"/><text x=\"\(c(lx + 14))\" y=\"\(c(ly + 9))\" font-size=\"11\">\(escape(l))</text>"
            lx += 24 + 7 * Double(l.count)
        }
        return svg(w, h, s, label: title)
    }
}
