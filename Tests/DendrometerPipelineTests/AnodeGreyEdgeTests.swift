import Dendrometer
import Foundation
import Testing

/// The whole analysis on a foil under a fine mesh of the same phase (a network seen at low
/// magnification): the threshold's layer runs up through the mesh, the foil's grey edge does not.
@Suite("Anode edge under a dense mesh, end to end")
struct AnodeGreyEdgeTests {
    /// A 240 × 200 field, anode at the bottom: foil (220) for v < 30; from v 30 to 49 a mesh of
    /// the phase holding 2 × 2 px electrolyte holes at random in a third of its cells (holes
    /// narrower than the layer walk's gap tolerance; random, as in a real network, so no row of
    /// the scan-line correction sees a regular pattern); a flame 6 px wide from the mesh up to
    /// v = 100 at u 100 … 105.
    static func scene() -> Scene {
        var s = Scene(width: 240, height: 200, side: .bottom, interface: { _ in 30 })
        var rng = SplitMix64(seed: 5)
        for v in stride(from: 30, through: 48, by: 2) {
            for u in stride(from: 0, to: 240, by: 2) where rng.next() % 3 != 0 {
                for dv in 0 ... 1 { for du in 0 ... 1 { s.paint(u: u + du, v: v + dv) } }
            }
        }
        for u in 100 ... 105 { for v in 50 ... 100 { s.paint(u: u, v: v) } }
        return s
    }

    @Test("the interface lies at the foil's edge (v 29.5), every knot moved and reported; off, it lies on the mesh")
    func meshOnFoil() throws {
        let r = try DendriteAnalysis.run(Self.scene().micrograph())
        let interface = try #require(r.interface)
        // The step's midpoint between the foil (220) and the mesh's mean grey (about 180) lies at
        // the edge within the blur of the denoising: 1.5 px.
        for v in interface.knotsV { #expect(abs(v - 29.5) <= 1.5, "knots \(interface.knotsV)") }
        #expect(r.interfaceGreyEdgeKnots == interface.knotsU.count)
        #expect(r.warnings.contains { $0.contains("placed by its grey") }, "\(r.warnings)")
        // Depth is measured from the foil: the flame's tip (pixel centre v = 100; the blurred last
        // row may fall below the threshold) lies 70.5 px beyond the foil's edge, 20 px more than
        // beyond the mesh's top.
        let p = try #require(r.penetration)
        #expect(p.maxPx >= 70.5 - 2.5 && p.maxPx <= 70.5 + 1.5, "max \(p.maxPx), knots \(interface.knotsV)")

        var options = AnalysisOptions()
        options.parameters.anodeLayer.greyEdge.enabled = false
        let off = try DendriteAnalysis.run(Self.scene().micrograph(), options: options)
        let mesh = try #require(off.interface)
        #expect(mesh.knotsV.allSatisfy { $0 > 45 }, "knots \(mesh.knotsV)")
        #expect(off.interfaceGreyEdgeKnots == nil)
        let q = try #require(off.penetration)
        #expect(p.maxPx - q.maxPx >= 15, "with \(p.maxPx), without \(q.maxPx)")
    }

    @Test("a user's mask of the exact phase marks foil and mesh as one layer too: the foil's grey edge is found the same way")
    func meshOnFoilFromAMask() throws {
        let scene = Self.scene()
        var drawn = BinaryMask(width: scene.width, height: scene.height)
        for i in scene.pixels.indices where scene.pixels[i] == scene.phaseValue { drawn.bits[i] = 1 }
        var options = AnalysisOptions()
        options.segmentation = .mask(ExternalMask(mask: drawn, path: "drawn.png"))
        let r = try DendriteAnalysis.run(scene.micrograph(), options: options)
        #expect(r.segmentation.method == .mask("drawn.png", labels: []))
        let interface = try #require(r.interface)
        // The drawn mesh keeps its 2 × 2 holes (the threshold path fills them), so the layer the
        // refinement starts from differs, and some knots land up to 2.5 px from the
        // edge (the threshold path: 1.5 px); without the refinement they lie 15-20 px higher.
        for v in interface.knotsV { #expect(abs(v - 29.5) <= 2.5, "knots \(interface.knotsV)") }
        #expect(r.interfaceGreyEdgeKnots == interface.knotsU.count)
        // The mask's own layer, with the grey edge off, ends inside the mesh (v 30 … 49).
        options.parameters.anodeLayer.greyEdge.enabled = false
        let off = try DendriteAnalysis.run(scene.micrograph(), options: options)
        let meshTop = try #require(off.interface)
        #expect(meshTop.knotsV.allSatisfy { $0 > 40 }, "knots \(meshTop.knotsV)")
        #expect(off.interfaceGreyEdgeKnots == nil)
    }
}
