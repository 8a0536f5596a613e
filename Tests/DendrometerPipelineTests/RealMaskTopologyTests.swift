import Dendrometer
import DendrometerTestSupport
import Testing

/// Components, holes and Euler number of real label images, against
/// scikit-image 0.26 (`tools/reference/real_mask_topology.py`:
/// `label(mask, connectivity=2).max()`, `euler_number(mask, connectivity=2)`,
/// holes = components − Euler).
@Suite("Topology of real label images")
struct RealMaskTopologyTests {
    struct Case: Sendable, CustomStringConvertible {
        var path: String
        var rule: String
        var value: UInt8?          // nil: any non-zero value is phase
        var area: Int, components: Int, holes: Int, euler: Int
        var description: String { "\(path) \(rule)" }
    }

    static let cases: [Case] = [
        Case(path: "nasa_pretrained_microscopy_models/EBC_050317-3_S0440016_annot.tif", rule: "≠0", value: nil, area: 209_428, components: 1, holes: 0, euler: 1),
        Case(path: "nasa_pretrained_microscopy_models/EBC_050317-3_S0440016_annot.tif", rule: "==1", value: 1, area: 207_196, components: 2, holes: 21, euler: -19),
        Case(path: "nasa_pretrained_microscopy_models/EBC_050317-3_S0440016_annot.tif", rule: "==2", value: 2, area: 2232, components: 19, holes: 1, euler: 18),
        Case(path: "nasa_pretrained_microscopy_models/EBC_111418-4_1426_100Cyc0034_annot.tif", rule: "≠0", value: nil, area: 291_289, components: 1, holes: 0, euler: 1),
        Case(path: "nasa_pretrained_microscopy_models/EBC_111418-4_1426_100Cyc0034_annot.tif", rule: "==1", value: 1, area: 287_596, components: 3, holes: 2, euler: 1),
        Case(path: "nasa_pretrained_microscopy_models/EBC_111418-4_1426_100Cyc0034_annot.tif", rule: "==2", value: 2, area: 3693, components: 2, holes: 0, euler: 2),
        Case(path: "nist_grain_size_analysis_tools/sem_alpha_beta_ti_6al_4v_segmented.tif", rule: "≠0", value: nil, area: 37_611, components: 525, holes: 16, euler: 509),
    ]

    @Test("components, holes and Euler number match scikit-image", arguments: cases)
    func topology(_ c: Case) throws {
        guard let path = SharedData.path(c.path) else { print("note: \(SharedData.skipMessage)"); return }
        guard case .uint8(let image) = try ImageFile.read(path).image else { Issue.record("expected 8-bit labels"); return }
        let mask = BinaryMask(image) { pixel in c.value.map { pixel == $0 } ?? (pixel != 0) }
        #expect(mask.area == c.area)
        let summary = connectivitySummary(mask)
        #expect(summary.components == c.components)
        #expect(summary.holes == c.holes)
        #expect(summary.eulerNumber == c.euler)
    }
}
