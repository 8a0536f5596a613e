// The anode's edge read from its grey, where a dense mesh on it hides the edge from the threshold.
//
// Method. The anode foil is one solid material: along a line perpendicular to
// it, every row of the foil has the foil's grey (noise and shading only). A
// mesh of the phase lying on it (a Li-In network wrapping electrolyte particles
// of a few µm, dense stripes, crowded flame bases) holds electrolyte between its
// strands. At low magnification those holes are a few pixels wide: the layer
// walk of ``InterfaceDetector`` bridges them, and the threshold's layer, hence
// the interface, ends at the top of the mesh instead of the foil. The mean grey
// of a row of mesh lies between the foil's and the electrolyte's, in proportion
// to the electrolyte it holds, so the grey profile shows where the solid foil ends.
//
// In the window of each interface knot (the detector's windows), the mean grey
// of every row parallel to the interface (fixed offset from the interface
// curve) is taken from deep in the layer up to the interface, in phase
// orientation (grey for a bright phase, −grey for a dark one). The layer's grey
// G is the `layerGreyQuantile` of the rows smoothed over `smoothingRows`: the
// foil is the purest phase in the profile (a mesh is a mixture; a collector or
// the mount behind the foil is another, fainter material). The electrolyte's
// grey E is the median grey of the field's non-phase pixels. A row is solid
// layer while its smoothed grey stays within `solidTolerance` × (G − E) of G.
// Walking from the interface toward the anode, the first run of
// `minimumLayerRows` solid rows is the foil; its edge is where the rows beyond
// it fall through halfway between G and the mean of the next rows (a blurred
// step's midpoint, located between rows by linear interpolation). The knot moves
// there when that is at least `minimumShiftPx` nearer the anode and the rows in
// between are, on average, no longer solid (they hold electrolyte) and rougher
// than the foil's rows by `meshRoughnessRatio` (a mesh mixes two materials at the
// pixel scale; a uniform layer of another grey, such as a collector brighter than
// the foil behind it, is not a mesh and moves nothing). A sparse mesh, whose rows
// each hold only a few electrolyte particles, keeps a solid mean grey; its rows
// are told from the foil's by their spread (`meshRoughnessRatio` times the
// median spread of the rows of solid mean, which are mostly foil): where at
// least `sparseMeshMinimumRows` such rough rows lie on the smooth foil, the foil
// ends below them (fewer are the edge's own transition). A knot never
// moves away from the anode: a mesh can extend the threshold's layer, nothing
// here shortens it.
//
// Worked example: foil grey 225, electrolyte 95, a network on the foil whose
// rows average 184, and the threshold's interface at its top, 54 rows above the
// foil's last row. The solid level is 225 − 0.15 × 130 = 205.5: the network's
// rows fall below it, the foil's do not, so the first solid run below the
// interface ends 54 rows down; the edge is where the profile crosses
// (225 + 184) / 2 = 204.5, half a row beyond the last foil row, and the knot
// moves 53.5 px toward the anode. A sparse network whose rows average 215 (solid
// by the mean) but spread 30 grey levels against the foil's 6 is mesh too when
// it is at least 12 rows thick, and the knot moves to the smooth foil. Where the
// foil's grey reaches the interface (bare electrolyte beyond a sharp edge, or a
// flame base of the foil's own grey) the solid run ends at the interface and
// nothing moves.
//
// A foil that leaves the field under the mesh. A section cut or mounted at an
// angle can take the foil out of the field through one end of its edge while
// the mesh resting on it carries on along the edge: there the threshold's layer
// is mesh alone, and its top is no edge of the foil. Once the foil has been found
// under the mesh at some knots (its grey G there, the median of their layer
// greys), a knot whose profile reaches the field's edge without one smoothed row
// within `solidTolerance` × (G − E) of G shows no foil at all. When such knots run
// from one end of the edge (not from both), the foil is out of view there: those
// knots, any between them and the first knot whose foil edge was found (at most
// two; more are foil in view), and that first one (their windows straddle the
// point where the foil thins out of the field and read its edge low) are carried
// on along the least-squares line through the `carryFitKnots` found knots beyond
// (`carryOnOutOfView`), provided that line has left the field (v < 0) by the
// outermost knot: a foil can only be out of view where its edge is (a foil whose
// line stays inside the field is in view there, only fainter: shading). Example: knots 10 px apart, the foil found
// under the mesh at knots 4–7 at grey 200, knots 5–7 on the line v = −10 + 0.5 u,
// an electrolyte at 100 (solid from 185); knots 0–2 read no row brighter than 150
// down to the field's edge and knot 3 straddles: knots 0–4 are carried to −10,
// −5, 0, 5, 10 px, where the mesh's top had kept knots 0–3 at 80. On the line
// v = 10 + 0.5 u nothing would be carried.

import DendrometerCore

/// Refines an interface's knots by the grey step at the edge of the solid anode layer.
public enum SolidLayerEdge {
    /// Tuning parameters; lengths in px.
    public struct Parameters: Sendable, Equatable, Codable {
        /// Refine the interface by the layer's grey at all (off: the threshold's layer edge stands).
        public var enabled = true
        /// Refine it for a dark phase (Li) too. Off by default: Li grows as separate whiskers, not
        /// a mesh, and the dark rows next to a Li anode are the electrolyte's own pores, cracks
        /// and grain boundaries (as dark as Li), which would read as a mesh hiding the edge.
        public var darkPhase = false
        /// A row is solid layer while its grey falls short of the layer's by at most this fraction
        /// of the layer–electrolyte contrast (noise and shading); a row holding more electrolyte
        /// than that by area is mesh, not foil.
        public var solidTolerance = 0.15
        /// Solid rows that must be seen beneath the edge: a foil is seen as a band, not one row.
        public var minimumLayerRows = 6
        /// Rows averaged before a row is judged solid (odd; noise of single rows).
        public var smoothingRows = 3
        /// Quantile of the smoothed rows taken as the layer's own grey (the purest phase in the profile).
        public var layerGreyQuantile = 0.9
        /// The rows taken for mesh must spread in grey (within the row) at least this many times
        /// as much as the foil's rows: foil and electrolyte mixed at the pixel scale, not a uniform
        /// layer of another material.
        public var meshRoughnessRatio = 1.5
        /// Departures smaller than this are left to the threshold's edge (the pixel-scale
        /// roughness and blur of an edge), px.
        public var minimumShiftPx = 3.0
        /// A sparse mesh (rows whose mean grey stays solid, since each holds only a few
        /// electrolyte particles, but which spread in grey `meshRoughnessRatio` times more than
        /// the foil's rows) is taken for mesh only when at least this many rows thick: thinner
        /// rough bands are the edge's own transition (its waviness, blur, the roots of flames).
        public var sparseMeshMinimumRows = 12
        /// The profile reaches at most this fraction of the field's depth below the interface.
        public var searchDepthFraction = 0.4
        /// A foil that leaves the field under the mesh (a section cut at an angle): where the foil
        /// was found under the mesh at some knots, and at the knots of one end of the edge the
        /// profile reaches the field's edge without a single row of the foil's grey, the foil is out
        /// of view there and the mesh's top is not its edge: those knots are carried on along the
        /// line fitted to the found knots nearest them, when that line has left the field by the
        /// outermost knot (off: they keep the mesh's top).
        public var carryOnOutOfView = true
        /// Found knots (the foil's edge seen under the mesh), nearest the ones carried on and past
        /// the first found one, that the carried line is fitted to (least squares): a few knot
        /// spacings of the foil's own direction.
        public var carryFitKnots = 4

        /// Defaults.
        public init() {}
    }

    /// The refined interface and what moved.
    public struct Refinement: Sendable {
        /// The interface with its knots moved to the layer's grey edge where that lies deeper.
        public var interface: Interface
        /// Knots moved toward the anode.
        public var movedKnots: Int
        /// Largest move, px (0 when none moved).
        public var largestShiftPx: Double
        /// Knots at one end of the edge where the foil is out of view under the mesh, carried on
        /// from the knots in view (``Parameters/carryOnOutOfView``); 0 when none.
        public var carriedKnots: Int = 0
        /// The last knot in view next to the carried ones, in image coordinates (x, y), px; nil
        /// when none was carried.
        public var lastKnotInView: (x: Double, y: Double)?
    }

    /// Moves the knots of `interface` toward the anode where the solid layer's grey edge lies
    /// deeper than the threshold's edge. Nil when the edge is not sought: refinement off, a dark
    /// phase without ``Parameters/darkPhase``, an interface shorter than two pixels or an
    /// electrolyte grey that is not a number.
    ///
    /// - Parameters:
    ///   - interface: the interface found in the phase mask.
    ///   - grey: the denoised micrograph, same shape as the interface's image.
    ///   - phaseIsBright: the phase (and the anode) is brighter than the electrolyte.
    ///   - electrolyteGrey: median grey of the non-phase pixels.
    ///   - windowFraction: half-width of each knot's window as a fraction of the interface length.
    public static func refine(_ interface: Interface, grey: Image<Float>, phaseIsBright: Bool, electrolyteGrey: Double,
                              windowFraction: Double, parameters p: Parameters = Parameters()) -> Refinement? {
        precondition(grey.width == interface.width && grey.height == interface.height, "image and interface sizes differ")
        let side = interface.side, w = grey.width, h = grey.height
        let length = side.length(width: w, height: h), extent = side.extent(width: w, height: h)
        guard p.enabled, phaseIsBright || p.darkPhase, length >= 2, electrolyteGrey.isFinite else { return nil }
        let sign: Double = phaseIsBright ? 1 : -1
        let heights = (0 ..< length).map { interface.height(atU: Double($0)) }
        let depthRows = max(0, Int(saturating: p.searchDepthFraction * Double(extent)))
        let half = max(4, Int(saturating: Double(length) * windowFraction))
        let knots = interface.knotsU.count
        // Knots in parallel (each reads its own window); a row of a window is read every k-th
        // column, so that about ``maximumColumnsPerWindow`` columns at most make its mean.
        let profiles = grey.pixels.withUnsafeBufferPointer { px in
            parallelBandResults(knots, minimumPerBand: 1, initial: { [KnotProfile]() }) { range, found in
                for k in range {
                    let centre = Int(saturating: interface.knotsU[k].rounded())
                    let lo = max(0, centre - half), hi = min(length - 1, centre + half)
                    guard lo <= hi else { continue }
                    let stride = max(1, (hi - lo + 1) / maximumColumnsPerWindow)
                    let columns = Array(Swift.stride(from: lo, through: hi, by: stride))
                    // Rows deeper than the edge of the image under every column hold no pixel.
                    let deepest = columns.map { heights[$0] }.max() ?? 0
                    let first = min(depthRows, max(0, depthRows - Int(saturating: deepest.rounded(.up)) - 1))
                    // Row j lies at offset o = j − depthRows from the interface (o ≤ 0: toward the anode);
                    // its pixels lie round(g(u) + o) − g(u) from the curve, their mean is the row's position.
                    var rows = [Double?](repeating: nil, count: depthRows + 1), spreads = rows
                    var position = (0 ... depthRows).map { Double($0 - depthRows) }
                    let needed = (columns.count + 1) / 2
                    for j in first ... depthRows {
                        let offset = Double(j - depthRows)
                        var sum = 0.0, sumOfSquares = 0.0, at = 0.0, count = 0
                        for u in columns {
                            let v = Int(saturating: (heights[u] + offset).rounded())
                            guard v >= 0, v < extent else { continue }
                            let value = px[side.index(u: u, v: v, width: w, height: h)]
                            if value.isFinite {
                                sum += Double(value); sumOfSquares += Double(value) * Double(value)
                                at += Double(v) - heights[u]; count += 1
                            }
                        }
                        if count >= needed {
                            let mean = sum / Double(count)
                            rows[j] = sign * mean
                            spreads[j] = max(0, sumOfSquares / Double(count) - mean * mean).squareRoot()
                        }
                        if count > 0 { position[j] = at / Double(count) }
                    }
                    var profile = KnotProfile(knot: k, reachesFieldEdge: heights[centre] < Double(depthRows))
                    if let e = edgeOffset(rows: rows, spreads: spreads, positions: position, electrolyte: sign * electrolyteGrey, parameters: p),
                       -e >= p.minimumShiftPx {
                        profile.edge = e
                    }
                    let smoothed = (smoothedRows(rows, parameters: p) ?? []).compactMap { $0 }
                    profile.rowsSeen = smoothed.count
                    profile.brightestRow = smoothed.max()
                    if !smoothed.isEmpty { profile.layerGrey = quantile(smoothed, p.layerGreyQuantile) }
                    found.append(profile)
                }
            }
        }.flatMap { $0 }.sorted { $0.knot < $1.knot }
        var knotsV = interface.knotsV
        var moved = 0, largest = 0.0
        for profile in profiles {
            guard let e = profile.edge else { continue }
            knotsV[profile.knot] = interface.knotsV[profile.knot] + e
            moved += 1
            largest = max(largest, -e)
        }
        guard moved > 0 else { return Refinement(interface: interface, movedKnots: 0, largestShiftPx: 0) }
        var refinement = Refinement(interface: Interface(side: side, width: w, height: h, knotsU: interface.knotsU, knotsV: knotsV),
                                    movedKnots: moved, largestShiftPx: largest)
        if p.carryOnOutOfView, let carried = carriedOutOfView(profiles, knotsU: interface.knotsU, knotsV: knotsV,
                                                              electrolyte: sign * electrolyteGrey, parameters: p) {
            refinement.interface = Interface(side: side, width: w, height: h, knotsU: interface.knotsU, knotsV: carried.knotsV)
            refinement.carriedKnots = carried.count
            let last = side.image(u: interface.knotsU[carried.lastInView], v: carried.knotsV[carried.lastInView], width: w, height: h)
            refinement.lastKnotInView = (last.x, last.y)
        }
        return refinement
    }

    /// What one knot's window shows (``refine(_:grey:phaseIsBright:electrolyteGrey:windowFraction:parameters:)``).
    struct KnotProfile {
        var knot: Int
        /// The profile reaches past the field's edge under the knot (the whole layer is read).
        var reachesFieldEdge: Bool
        /// The foil's edge below a mesh, as an offset from the interface (px), when it moves the knot.
        var edge: Double?
        /// Smoothed rows seen, the brightest of them and their layer grey (``Parameters/layerGreyQuantile``),
        /// in phase orientation.
        var rowsSeen = 0
        var brightestRow: Double?
        var layerGrey: Double?
    }

    /// The knots carried on where the foil is out of view at one end of the edge (see
    /// ``Parameters/carryOnOutOfView``), or nil when no knot is. The foil's grey is the median layer
    /// grey of the knots where it was found under the mesh; a knot shows no foil when its profile
    /// reaches the field's edge and none of its smoothed rows (at least ``Parameters/minimumLayerRows``
    /// of them) comes within ``Parameters/solidTolerance`` of the foil–electrolyte contrast of that
    /// grey. Such knots must run from one end of the edge (not from both), the foil must have been
    /// found at three knots or more, and at most ``straddlingKnots`` knots may lie between the
    /// run and the first found one (windows straddling the point where the foil leaves; more are
    /// foil in view). The run, those knots and the first found one are carried on along the
    /// least-squares line through the next ``Parameters/carryFitKnots`` found knots, provided the
    /// line has left the field (v < 0) by the outermost knot.
    static func carriedOutOfView(_ profiles: [KnotProfile], knotsU: [Double], knotsV: [Double], electrolyte: Double,
                                 parameters p: Parameters) -> (knotsV: [Double], count: Int, lastInView: Int)? {
        let foilGreys = profiles.filter { $0.edge != nil }.compactMap(\.layerGrey)
        guard !foilGreys.isEmpty, profiles.count == knotsU.count else { return nil }
        let foil = quantile(foilGreys, 0.5)
        guard foil > electrolyte else { return nil }
        let solid = foil - p.solidTolerance * (foil - electrolyte)
        let noFoil = profiles.map { q in
            q.edge == nil && q.reachesFieldEdge && q.rowsSeen >= max(1, p.minimumLayerRows) && (q.brightestRow ?? .infinity) < solid
        }
        let n = noFoil.count
        let fromStart = noFoil.prefix { $0 }.count, fromEnd = noFoil.reversed().prefix { $0 }.count
        guard (fromStart > 0) != (fromEnd > 0) else { return nil }
        // The foil is seen where its edge was found under the mesh. Knots between those and the
        // ones out of view, and the first found one (their windows straddle the point where the
        // foil thins out of the field, and read its edge low), are carried too; the line is
        // fitted to the found knots beyond.
        let seen = profiles.indices.filter { profiles[$0].edge != nil }
        guard seen.count >= 3, let firstSeen = seen.first, let lastSeen = seen.last else { return nil }
        let between = fromStart > 0 ? firstSeen - fromStart : n - fromEnd - 1 - lastSeen
        guard between <= straddlingKnots else { return nil }
        let run = fromStart > 0 ? 0 ..< firstSeen + 1 : lastSeen ..< n
        let fit = fromStart > 0 ? Array(seen.dropFirst()) : Array(seen.dropLast())
        let nearest = fromStart > 0 ? Array(fit.prefix(max(2, p.carryFitKnots))) : Array(fit.suffix(max(2, p.carryFitKnots)))
        guard let line = leastSquaresLine(nearest.map { knotsU[$0] }, nearest.map { knotsV[$0] }) else { return nil }
        var carried = knotsV
        for k in run { carried[k] = line.meanY + line.slope * (knotsU[k] - line.meanX) }
        // The foil can be out of view only where its edge has left the field: the line must pass
        // the field's edge (v < 0) by the outermost knot. A foil whose line stays inside the field
        // is in view there (a shaded or thinner stretch of it, not an exit): nothing is carried.
        guard carried[fromStart > 0 ? 0 : n - 1] < 0 else { return nil }
        return (carried, run.count, fromStart > 0 ? firstSeen + 1 : lastSeen - 1)
    }

    /// Knots whose windows can straddle the point where the foil leaves the field, between the
    /// knots that show no foil and the first that shows its edge under the mesh: a window reaches
    /// one knot spacing either side of its knot, so one lies across that point, two when it falls
    /// near a window's end. Geometry of the windows, not a tunable.
    static let straddlingKnots = 2

    /// `rows` averaged over ``Parameters/smoothingRows`` (nil where a row in reach is nil); nil when
    /// the profile is too short to smooth.
    static func smoothedRows(_ rows: [Double?], parameters p: Parameters) -> [Double?]? {
        let last = rows.count - 1
        let reach = max(0, p.smoothingRows / 2)
        guard last > 2 * reach else { return nil }
        var smoothed = [Double?](repeating: nil, count: rows.count)
        for j in reach ... last - reach {
            var s = 0.0, complete = true
            for i in j - reach ... j + reach {
                guard let r = rows[i] else { complete = false; break }
                s += r
            }
            if complete { smoothed[j] = s / Double(2 * reach + 1) }
        }
        return smoothed
    }

    /// Columns read per window at most (every k-th beyond): a row's mean over 128 columns has
    /// a ninth of a pixel's noise, plenty to tell a mesh row from a foil row.
    static let maximumColumnsPerWindow = 128

    /// The solid layer's edge in one window's profile, as an offset from the interface (px,
    /// negative: toward the anode), or nil when the profile shows no solid layer ending below a
    /// mesh. `rows[j]` is the mean grey (phase orientation) of a row, nearest the anode first and
    /// the interface's own row last; nil where too few pixels of the row lie in the image.
    /// `spreads[j]` is the row's grey standard deviation, `positions[j]` its mean offset from the
    /// interface (pixel centres).
    static func edgeOffset(rows: [Double?], spreads: [Double?], positions: [Double], electrolyte: Double,
                           parameters p: Parameters) -> Double? {
        precondition(rows.count == positions.count && rows.count == spreads.count, "one position and spread per row")
        let last = rows.count - 1
        guard let smoothed = smoothedRows(rows, parameters: p) else { return nil }
        let seen = smoothed.compactMap { $0 }
        guard !seen.isEmpty else { return nil }
        let layer = quantile(seen, p.layerGreyQuantile)
        guard layer > electrolyte else { return nil }
        let solid = layer - p.solidTolerance * (layer - electrolyte)
        // The foil's own roughness: the median grey spread of the rows whose mean is solid (most
        // of the profile is foil). A row of mesh that holds only a few electrolyte particles keeps
        // a solid mean but spreads far more (the particles are much darker than the foil).
        let solidSpreads = rows.indices.compactMap { j -> Double? in
            guard let s = smoothed[j], s >= solid else { return nil }
            return spreads[j]
        }
        let foilRoughness = solidSpreads.isEmpty ? nil : quantile(solidSpreads, 0.5)
        // From the interface toward the anode: the first run of solid rows, and its outermost row;
        // solid by the mean alone, or also smooth like the foil.
        let layerRows = max(1, p.minimumLayerRows)
        func foilEnd(smooth: Bool) -> Int? {
            var run = 0
            for j in stride(from: last, through: 0, by: -1) {
                let meanSolid = smoothed[j].map { $0 >= solid } ?? false
                let rough = smooth && foilRoughness.map { r in spreads[j].map { $0 >= p.meshRoughnessRatio * r } ?? false } ?? false
                if meanSolid && !rough {
                    run += 1
                    if run >= layerRows { return j + layerRows - 1 }
                } else {
                    run = 0
                }
            }
            return nil
        }
        guard let byMean = foilEnd(smooth: false) else { return nil }
        // A sparse mesh: rows of solid mean but rough, at least `sparseMeshMinimumRows` of them
        // (fewer are the edge's own transition) between the smooth foil and the rows the mean
        // calls foil.
        var end = byMean, sparseMesh = false
        if let bySmoothness = foilEnd(smooth: true), byMean - bySmoothness >= max(1, p.sparseMeshMinimumRows) {
            end = bySmoothness
            sparseMesh = true
        }
        guard end < last else { return nil }
        // The rows between the foil and the interface must hold electrolyte: on average not solid,
        // or rough where the mesh is sparse (checked with the mesh's roughness below).
        let between = rows[(end + 1)...].compactMap { $0 }
        guard !between.isEmpty, sparseMesh || between.reduce(0, +) / Double(between.count) < solid else { return nil }
        // … and be rougher than the foil's rows (the median over its solid rows: those next to the
        // edge mix in the edge's own roughness): a mesh, not a uniform layer of another grey.
        let foilSpreads = (0 ... end).compactMap { j -> Double? in
            guard let s = smoothed[j], s >= solid else { return nil }
            return spreads[j]
        }
        let meshSpreads = spreads[(end + 1)...].compactMap { $0 }
        guard !foilSpreads.isEmpty, !meshSpreads.isEmpty,
              meshSpreads.reduce(0, +) / Double(meshSpreads.count) >= p.meshRoughnessRatio * quantile(foilSpreads, 0.5)
        else { return nil }
        // A sparse mesh's grey barely steps (its mean is solid): its edge is where the rows turn
        // rough, half a row beyond the smooth foil's last row.
        if sparseMesh { return positions[end] + 0.5 }
        let nextRows = rows[(end + 1) ... min(last, end + 2 * max(1, p.smoothingRows))].compactMap { $0 }
        guard !nextRows.isEmpty else { return nil }
        let midpoint = 0.5 * (layer + nextRows.reduce(0, +) / Double(nextRows.count))
        // The step's midpoint, between rows by linear interpolation (half a row beyond the last
        // row above it when the rows never cross it, half a row before a row already below it).
        var edge = positions[end] + 0.5
        var j = end
        while j < last, let a = rows[j], let b = rows[j + 1] {
            if a < midpoint { edge = positions[j] - 0.5; break }
            if b < midpoint { edge = positions[j] + (a - midpoint) / (a - b) * (positions[j + 1] - positions[j]); break }
            j += 1
        }
        return edge
    }
}
