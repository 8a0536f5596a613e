import Dendrometer
import DendrometerTestSupport
import Testing

/// Skeletons of real label images. Expected counts come from
/// `tools/reference/skeleton_real_masks.py`, an independent NumPy
/// re-implementation of our conventions (skimage `thin` + corner clean-up,
/// junction clusters merged); lengths are also checked against skan 0.13 on
/// `skimage.morphology.skeletonize` (different thinning, so a tolerance).
/// The mask of a real label image in ../shared/data: pixels equal to `value`, or all non-zero
/// pixels when nil; nil (with the skip note printed) when the data folder is absent.
func realMask(_ relativePath: String, value: UInt8?) throws -> BinaryMask? {
    guard let path = SharedData.path(relativePath) else { print("note: \(SharedData.skipMessage)"); return nil }
    guard case .uint8(let image) = try ImageFile.read(path).image else { Issue.record("expected 8-bit labels"); return nil }
    return BinaryMask(image) { pixel in value.map { pixel == $0 } ?? (pixel != 0) }
}

@Suite("Skeletons of real label images")
struct RealSkeletonTests {
    struct Case: Sendable, CustomStringConvertible {
        var path: String
        var value: UInt8?
        var pixels: Int, types: [String: Int], lengthPx: Double, endpoints: Int, junctions: Int, components: Int, cycles: Int
        var skanLengthPx: Double, skanTolerance: Double
        var description: String { "\(path) \(value.map { "==\($0)" } ?? "≠0")" }
    }

    static let cases: [Case] = [
        Case(path: "nist_grain_size_analysis_tools/sem_alpha_beta_ti_6al_4v_segmented.tif", value: nil, pixels: 37354,
             types: ["0": 342, "1": 950, "2": 440, "3": 1], lengthPx: 41304.055, endpoints: 1634, junctions: 605,
             components: 525, cycles: 16, skanLengthPx: 41351.647, skanTolerance: 0.03),
        Case(path: "nasa_pretrained_microscopy_models/EBC_050317-3_S0440016_annot.tif", value: 2, pixels: 643,
             types: ["0": 11, "1": 23, "2": 5, "3": 0], lengthPx: 733.524, endpoints: 45, junctions: 11,
             components: 19, cycles: 1, skanLengthPx: 714.897, skanTolerance: 0.03),
        Case(path: "nasa_pretrained_microscopy_models/EBC_111418-4_1426_100Cyc0034_annot.tif", value: 2, pixels: 723,
             types: ["0": 0, "1": 9, "2": 3, "3": 0], lengthPx: 833.252, endpoints: 9, junctions: 5,
             components: 2, cycles: 0, skanLengthPx: 836.039, skanTolerance: 0.03),
        // Thick masks: Guo–Hall shortens tips that Zhang–Suen keeps as spurs (7–9 % shorter).
        Case(path: "nasa_pretrained_microscopy_models/EBC_050317-3_S0440016_annot.tif", value: nil, pixels: 2504,
             types: ["0": 0, "1": 19, "2": 16, "3": 0], lengthPx: 2772.239, endpoints: 19, junctions: 17,
             components: 1, cycles: 0, skanLengthPx: 3060.529, skanTolerance: 0.10),
    ]

    @Test("counts match the reference implementation; length close to skan's", arguments: cases)
    func skeleton(_ c: Case) throws {
        guard let mask = try realMask(c.path, value: c.value) else { return }
        let a = try MaskSkeletonAnalysis(mask: mask, calibration: .uncalibrated("test"), thinning: .guoHall)
        let s = a.graph.summary
        #expect(a.skeleton.area == c.pixels)
        #expect(s.branchTypes == c.types)
        #expect(abs(s.lengthPx - c.lengthPx) < 1e-3)
        #expect(s.endpoints == c.endpoints)
        #expect(s.junctions == c.junctions)
        #expect(a.topology.components == c.components)
        #expect(s.cycles == c.cycles)
        #expect(abs(s.lengthPx - c.skanLengthPx) / c.skanLengthPx <= c.skanTolerance)
    }
}

/// `--thinning zhang` on real label images: the skeleton must be bit for bit scikit-image's
/// `skeletonize` (pixel count and FNV-1a 64 of the row-major 0/1 bytes), and the graph's length
/// within 3 % of skan 0.13's on it. Literals from tools/reference/zhang_reference.py.
@Suite("Zhang thinning of real label images against scikit-image and skan")
struct RealZhangSkeletonTests {
    struct Case: Sendable, CustomStringConvertible {
        var path: String
        var value: UInt8?
        var pixels: Int, fnv1a64: UInt64, skanLengthPx: Double
        var description: String { "\(path) \(value.map { "==\($0)" } ?? "≠0")" }
    }

    static let cases: [Case] = [
        Case(path: "nist_grain_size_analysis_tools/sem_alpha_beta_ti_6al_4v_segmented.tif", value: nil, pixels: 37611,
             fnv1a64: 0x8d0d_99e9_7572_5300, skanLengthPx: 41351.647),
        Case(path: "nasa_pretrained_microscopy_models/EBC_050317-3_S0440016_annot.tif", value: 2, pixels: 631,
             fnv1a64: 0x61f8_45c1_0874_721a, skanLengthPx: 714.897),
        Case(path: "nasa_pretrained_microscopy_models/EBC_111418-4_1426_100Cyc0034_annot.tif", value: 2, pixels: 731,
             fnv1a64: 0x510a_6c3d_29f5_243a, skanLengthPx: 836.039),
        Case(path: "nasa_pretrained_microscopy_models/EBC_050317-3_S0440016_annot.tif", value: nil, pixels: 2574,
             fnv1a64: 0xd954_881f_eda5_244b, skanLengthPx: 3060.529),
        Case(path: "nasa_pretrained_microscopy_models/EBC_111418-4_1426_100Cyc0034_annot.tif", value: nil, pixels: 2921,
             fnv1a64: 0x80c7_ffe7_3029_1bc4, skanLengthPx: 3567.830),
    ]

    @Test("bit for bit skimage.morphology.skeletonize; length within 3 % of skan", arguments: cases)
    func zhang(_ c: Case) throws {
        guard let mask = try realMask(c.path, value: c.value) else { return }
        let a = try MaskSkeletonAnalysis(mask: mask, calibration: .uncalibrated("test"), thinning: .zhang)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in a.skeleton.bits { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        #expect(a.skeleton.area == c.pixels)
        #expect(hash == c.fnv1a64, "skeleton differs from scikit-image's")
        let length = a.graph.summary.lengthPx
        #expect(abs(length - c.skanLengthPx) / c.skanLengthPx <= 0.03, "length \(length) px vs skan \(c.skanLengthPx) px")
        // skan's own convention on the same skeleton: its total, to rounding.
        #expect(abs(a.graph.summary.skanLengthPx - c.skanLengthPx) < 1e-3)
    }
}
