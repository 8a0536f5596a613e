// Orientation of the dendrite structure relative to the local interface
// direction (docs/REFERENCE.md §4): the structure tensor of the dendrite mask
// (gradient scale σ, integration scale ρ, ``AnalysisParameters/Orientation``)
// gives a direction per pixel; subtracting the interface's local direction
// gives 0° lateral (parallel to the interface) … 90° vertical. Doubled angles
// average axial data. Example: a stripe running along a 5°-tilted interface at
// 5° on screen has relative angle 0° (lateral); a needle at 95° is vertical.

import DendrometerCore
import DendrometerFilters
import DendrometerGeometry
import Foundation

extension DendriteAnalysis {
    /// One dendrite pixel with a defined orientation.
    struct OrientedPixel {
        /// Field coordinates, px.
        var x: Int32, y: Int32
        /// Angle relative to the local interface direction, degrees in [0, 180).
        var degrees: Float
        var coherence: Float
        /// coherence × energy.
        var weight: Float
        /// cos 2θ and sin 2θ of `degrees` (doubled angles average axial data); Float, as the
        /// angle itself (28 bytes a pixel: a dense 4096² field has five million of them).
        var cos2: Float, sin2: Float
    }

    /// Orientation of the dendrite structure relative to the interface, per oriented pixel.
    struct RelativeAngles {
        /// The oriented pixels in raster order.
        var pixels: [OrientedPixel]
        var sigma: Double
        var rho: Double
        /// Lateral / vertical tolerance, degrees.
        var tolerance: Double

        /// Statistics over the oriented pixels, optionally only those of `region`.
        func statistics(in region: RegionMask?) -> OrientationStatistics {
            var hist = [Double](repeating: 0, count: 18)
            var n = 0, lateral = 0, vertical = 0
            var c2 = 0.0, s2 = 0.0, coh = 0.0, wsum = 0.0
            // Raster order: the region's rows are one contiguous run.
            var lo = 0, hi = pixels.count
            if let b = region?.bbox {
                lo = firstIndex(atOrBelowRow: b.y)
                hi = firstIndex(atOrBelowRow: b.y + b.height)
            }
            pixels.withUnsafeBufferPointer { px in
                for k in lo ..< max(lo, hi) {
                    let p = px[k]
                    if let region, !region.contains(x: Int(p.x), y: Int(p.y)) { continue }
                    n += 1
                    let d = Double(p.degrees)
                    hist[min(17, Int(saturating: d / 10))] += 1
                    if d <= tolerance || d >= 180 - tolerance { lateral += 1 }
                    if d >= 90 - tolerance && d <= 90 + tolerance { vertical += 1 }
                    let w = Double(p.weight)
                    c2 += w * Double(p.cos2)
                    s2 += w * Double(p.sin2)
                    coh += w * Double(p.coherence)
                    wsum += w
                }
            }
            var dominant = atan2(s2, c2) * 90 / .pi
            if dominant < 0 { dominant += 180 }
            return OrientationStatistics(
                dominantDegrees: n > 0 ? dominant : 0, coherence: wsum > 0 ? coh / wsum : 0,
                lateralFraction: n > 0 ? Double(lateral) / Double(n) : 0,
                verticalFraction: n > 0 ? Double(vertical) / Double(n) : 0,
                histogram: hist.map { n > 0 ? $0 / Double(n) : 0 }, sigmaPx: sigma, rhoPx: rho, pixels: n)
        }

        /// Index of the first oriented pixel on row `y` or below (`pixels.count` if none).
        func firstIndex(atOrBelowRow y: Int) -> Int {
            var lo = 0, hi = pixels.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if Int(pixels[mid].y) < y { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
    }

    /// Per-pixel relative orientation; the structure tensor is evaluated on `work`
    /// (a sub-rectangle holding every dendrite pixel with a ≥ 3ρ margin).
    static func relativeOrientation(_ dendrites: BinaryMask, interface: Interface?, parameters p: AnalysisParameters.Orientation,
                                    within work: PixelRect) throws(AnalysisError) -> RelativeAngles {
        let w = dendrites.width, h = dendrites.height
        let sub = dendrites.cropped(to: work)
        let tensor: StructureTensorField
        do {
            tensor = try structureTensor(Image<UInt8>(width: sub.width, height: sub.height, pixels: sub.bits, bitDepth: 1),
                                         sigma: p.sigmaPx, rho: p.rhoPx)
        } catch { throw .kernel(error.description) }
        // Interface direction per position along it.
        let side = interface?.side ?? .bottom
        let length = side.length(width: w, height: h)
        let direction: [Double] = (0 ..< length).map { u in interface?.localDirectionDegrees(atU: Double(u)) ?? 0 }
        let energyFloor = Float(p.energyFloor)
        let alongRows = side == .bottom || side == .top   // u = x; otherwise u = y
        let sw = work.width, rows = work.height
        // Two passes over row bands: count each band's oriented pixels, then fill each band's slice
        // of one exactly sized array in parallel (raster order, no growth, no joining copy).
        let bandCount = Concurrency.bandCount(for: rows, minimumPerBand: 16)
        func band(_ k: Int) -> Range<Int> { k * rows / bandCount ..< (k + 1) * rows / bandCount }
        var counts = [Int](repeating: 0, count: bandCount)
        sub.bits.withUnsafeBufferPointer { bits in
            tensor.energy.pixels.withUnsafeBufferPointer { energy in
                counts.withUnsafeMutableBufferPointer { c in
                    let out = SendablePointer(c.baseAddress!)
                    parallelBands(bandCount, minimumPerBand: 1) { ks in
                        for k in ks {
                            var n = 0
                            for j in band(k).lowerBound * sw ..< band(k).upperBound * sw where bits[j] != 0 && energy[j] > energyFloor { n += 1 }
                            out.base[k] = n
                        }
                    }
                }
            }
        }
        var starts = [0]
        for n in counts { starts.append(starts.last! + n) }
        let total = starts.last!
        let pixels = [OrientedPixel](unsafeUninitializedCapacity: total) { buffer, initialized in
            let dst = SendablePointer(buffer.baseAddress!)
            sub.bits.withUnsafeBufferPointer { bits in
                tensor.energy.pixels.withUnsafeBufferPointer { energy in
                    tensor.coherence.pixels.withUnsafeBufferPointer { coherence in
                        tensor.orientationDegrees.pixels.withUnsafeBufferPointer { orientation in
                            direction.withUnsafeBufferPointer { direction in
                                parallelBands(bandCount, minimumPerBand: 1) { ks in
                                    for k in ks {
                                        var o = starts[k]
                                        for sy in band(k) {
                                            let y = sy + work.y
                                            for sx in 0 ..< sw {
                                                let j = sy * sw + sx
                                                guard bits[j] != 0, energy[j] > energyFloor else { continue }
                                                let x = sx + work.x
                                                var rel = Double(orientation[j]) - direction[alongRows ? x : y]
                                                rel = rel.truncatingRemainder(dividingBy: 180)
                                                if rel < 0 { rel += 180 }
                                                let degrees = Float(rel)
                                                let doubled = 2 * degrees * .pi / 180
                                                (dst.base + o).initialize(to: OrientedPixel(
                                                    x: Int32(x), y: Int32(y), degrees: degrees, coherence: coherence[j],
                                                    weight: coherence[j] * energy[j], cos2: cos(doubled), sin2: sin(doubled)))
                                                o += 1
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            initialized = total
        }
        return RelativeAngles(pixels: pixels, sigma: p.sigmaPx, rho: p.rhoPx, tolerance: p.toleranceDegrees)
    }

}
