// The fixed accuracy-benchmark set: ≥ 30 scenes covering all four anode
// sides, tilts −10…10°, curved interfaces, pixel sizes 0.05–2 µm (each vendor
// convention at least once), Li-In Fig.-3 layouts, single-morphology scenes
// (stripe, network, flame, Li vertical), scenes without dendrites, short
// circuits, 8/12/16-bit, with and without EDX, 512–1536 px. Changing an entry
// changes the benchmark: add scenes at the end and keep names stable.

/// A named benchmark scene.
public struct BenchmarkScene: Sendable, Equatable {
    /// File stem, e.g. `b01_fig3_fei_bottom`.
    public var name: String
    /// The scene.
    public var spec: SceneSpec
}

/// The fixed benchmark list.
public enum BenchmarkSet {
    private static func s(_ seed: UInt64, _ w: Int, _ h: Int, _ px: Double, _ side: AnodeSide, tilt: Double = 0, curv: Double = 0,
                          anode: Double, layout: MorphologyLayout, dark: Bool = false, zone: Double, vendor: VendorConvention,
                          bits: Int = 8, format: SyntheticFileFormat? = nil, electrolyte: Double? = nil, edx: [EDXSpec] = [],
                          noise: Double = 8, blur: Double = 0.8, scan: Double = 2, charging: Double = 10, shot: Double? = nil) -> SceneSpec {
        SceneSpec(seed: seed, width: w, height: h, pixelSizeMicrometres: px, anodeSide: side, tiltDegrees: tilt, curvature: curv,
                  anodeThicknessMicrometres: anode, electrolyteThicknessMicrometres: electrolyte, polarity: dark ? .dark : .bright,
                  layout: layout, zoneDepthMicrometres: zone, noiseSigma: noise, shotElectronsPerLevel: shot, blurSigmaPixels: blur,
                  scanLineSigma: scan, chargingAmplitude: charging, bitDepth: bits, vendor: vendor, fileFormat: format, edx: edx)
    }

    private static let inS = [EDXSpec(element: "In", factor: 4, countsPerPixel: 6), EDXSpec(element: "S", factor: 4, countsPerPixel: 5)]

    /// The benchmark scenes, in a fixed order.
    public static let scenes: [BenchmarkScene] = [
        // Li-In, paper Fig. 3 (network | stripe | flame).
        .init(name: "b01_fig3_fei_bottom", spec: s(1001, 1024, 768, 0.05, .bottom, anode: 4, layout: .fig3, zone: 30, vendor: .fei, edx: inS)),
        .init(name: "b02_fig3_fei_tilt6", spec: s(1002, 1024, 1024, 0.05, .bottom, tilt: 6, curv: 0.01, anode: 3, layout: .fig3, zone: 35, vendor: .fei, noise: 10)),
        .init(name: "b03_fig3_zeiss_top16", spec: s(1003, 1280, 1024, 0.1, .top, tilt: -4, anode: 8, layout: .fig3, zone: 60, vendor: .zeiss, bits: 16, shot: 4)),
        .init(name: "b04_fig3_jeol_left", spec: s(1004, 1024, 1024, 0.2, .left, tilt: 3, anode: 16, layout: .fig3, zone: 120, vendor: .jeol, charging: 20)),
        .init(name: "b05_fig3_imagej_right16", spec: s(1005, 1536, 1024, 0.1, .right, anode: 10, layout: .fig3, zone: 100, vendor: .imagej, bits: 16)),
        .init(name: "b06_fig3_tescan_tilt8", spec: s(1006, 1024, 768, 0.5, .bottom, tilt: 8, anode: 20, layout: .fig3, zone: 200, vendor: .tescan, scan: 4)),
        .init(name: "b07_fig3_hitachi_top_curved", spec: s(1007, 768, 768, 0.25, .top, tilt: -9, curv: -0.02, anode: 12, layout: .fig3, zone: 100, vendor: .hitachi)),
        .init(name: "b08_fig3_uncalibrated_right_tilt10", spec: s(1008, 1024, 1024, 0.08, .right, tilt: 10, anode: 6, layout: .fig3, zone: 50, vendor: .none)),
        .init(name: "b09_fig3_fei_2um_edx", spec: s(1009, 1024, 1024, 2.0, .bottom, anode: 60, layout: .fig3, zone: 500, vendor: .fei,
                                                  edx: [EDXSpec(element: "In", factor: 8, countsPerPixel: 8)], blur: 0.6)),
        .init(name: "b10_fig3_jeol_bmp_1um_left", spec: s(1010, 1024, 768, 1.0, .left, tilt: -6, anode: 30, layout: .fig3, zone: 300, vendor: .jeol, format: .bmp)),
        .init(name: "b11_fig3_fei_curved_edx", spec: s(1011, 1536, 1024, 0.15, .bottom, curv: 0.03, anode: 10, layout: .fig3, zone: 90, vendor: .fei,
                                                     edx: [EDXSpec(element: "In", factor: 2, countsPerPixel: 4), EDXSpec(element: "S", factor: 2, countsPerPixel: 4),
                                                           EDXSpec(element: "Cl", factor: 2, countsPerPixel: 3)])),
        .init(name: "b12_fig3_fei_small_top16", spec: s(1012, 512, 512, 0.05, .top, anode: 2, layout: .fig3, zone: 15, vendor: .fei, bits: 16)),
        .init(name: "b13_fig3_tescan_100cycles", spec: s(1013, 1024, 768, 0.1, .bottom, tilt: 2, anode: 8, layout: .fig3, zone: 30, vendor: .tescan)),
        // Pure stripes.
        .init(name: "b14_stripe_fei", spec: s(1014, 1024, 768, 0.05, .bottom, anode: 4, layout: .stripe, zone: 25, vendor: .fei)),
        .init(name: "b15_stripe_zeiss_left_tilt5", spec: s(1015, 768, 1024, 0.1, .left, tilt: 5, anode: 8, layout: .stripe, zone: 40, vendor: .zeiss)),
        .init(name: "b16_stripe_imagej_top_tilt-10", spec: s(1016, 1024, 1024, 0.2, .top, tilt: -10, anode: 40, layout: .stripe, zone: 100, vendor: .imagej)),
        .init(name: "b17_stripe_hitachi_right_1um", spec: s(1017, 1024, 768, 1.0, .right, anode: 40, layout: .stripe, zone: 300, vendor: .hitachi, noise: 12)),
        // Pure networks.
        .init(name: "b18_network_fei", spec: s(1018, 1024, 768, 0.05, .bottom, anode: 4, layout: .network, zone: 20, vendor: .fei)),
        .init(name: "b19_network_jeol_right_tilt7", spec: s(1019, 1024, 1024, 0.1, .right, tilt: 7, anode: 8, layout: .network, zone: 50, vendor: .jeol)),
        .init(name: "b20_network_tescan_top16", spec: s(1020, 768, 768, 0.25, .top, anode: 15, layout: .network, zone: 100, vendor: .tescan, bits: 16)),
        .init(name: "b21_network_zeiss_left_curved", spec: s(1021, 1024, 1024, 0.08, .left, curv: -0.03, anode: 8, layout: .network, zone: 40, vendor: .zeiss)),
        // Pure flames.
        .init(name: "b22_flame_fei", spec: s(1022, 1024, 768, 0.1, .bottom, anode: 8, layout: .flame, zone: 50, vendor: .fei)),
        .init(name: "b23_flame_imagej_left_tilt-7", spec: s(1023, 1024, 1024, 0.2, .left, tilt: -7, anode: 20, layout: .flame, zone: 120, vendor: .imagej)),
        .init(name: "b24_flame_hitachi_top12", spec: s(1024, 768, 1024, 0.5, .top, anode: 40, layout: .flame, zone: 300, vendor: .hitachi, bits: 12)),
        .init(name: "b25_flame_tescan_right_2um", spec: s(1025, 1024, 1024, 2.0, .right, tilt: 4, anode: 100, layout: .flame, zone: 800, vendor: .tescan)),
        // Li vertical whiskers (dark phase).
        .init(name: "b26_li_vertical_imagej12", spec: s(1026, 1024, 1024, 0.1, .bottom, anode: 10, layout: .vertical, dark: true, zone: 60, vendor: .imagej, bits: 12)),
        .init(name: "b27_li_vertical_fei_top_edx", spec: s(1027, 1024, 768, 0.25, .top, tilt: 5, anode: 20, layout: .vertical, dark: true, zone: 120, vendor: .fei,
                                                         edx: [EDXSpec(element: "S", factor: 4, countsPerPixel: 6)])),
        .init(name: "b28_li_vertical_jeol_left", spec: s(1028, 1024, 1024, 0.5, .left, anode: 40, layout: .vertical, dark: true, zone: 300, vendor: .jeol)),
        .init(name: "b29_li_vertical_zeiss_right_tilt-8", spec: s(1029, 768, 768, 1.0, .right, tilt: -8, anode: 60, layout: .vertical, dark: true, zone: 400, vendor: .zeiss)),
        // No dendrites.
        .init(name: "b30_none_fei_edx", spec: s(1030, 1024, 768, 0.1, .bottom, anode: 8, layout: .none, zone: 0, vendor: .fei, edx: inS)),
        .init(name: "b31_none_dark_tescan_left", spec: s(1031, 768, 768, 0.5, .left, anode: 40, layout: .none, dark: true, zone: 0, vendor: .tescan)),
        // Short circuits (dendrites reach the cathode) and a cathode in view without short.
        .init(name: "b32_short_fig3_fei", spec: s(1032, 1024, 1024, 0.5, .bottom, anode: 20, layout: .fig3, zone: 360, vendor: .fei, electrolyte: 350)),
        .init(name: "b33_short_li_vertical_hitachi_top", spec: s(1033, 1024, 768, 2.0, .top, anode: 100, layout: .vertical, dark: true, zone: 1250,
                                                               vendor: .hitachi, electrolyte: 1200)),
        .init(name: "b34_cathode_fig3_imagej_right", spec: s(1034, 1024, 1024, 0.5, .right, tilt: -3, anode: 20, layout: .fig3, zone: 200, vendor: .imagej,
                                                           electrolyte: 400)),
    ]
}

/// Small representative scenes for the repository's `samples/` folder (each file ≤ 1 MB).
public enum SampleSet {
    /// Li-In Fig. 3 FEI TIFF with In + S EDX maps; Li vertical ImageJ 16-bit TIFF;
    /// JEOL PNG + `.txt` with the anode on the left; Zeiss stripe scene.
    public static let scenes: [BenchmarkScene] = [
        .init(name: "li-in_fig3_fei", spec: SceneSpec(seed: 7001, width: 768, height: 576, pixelSizeMicrometres: 0.05, tiltDegrees: 3,
                                                      anodeThicknessMicrometres: 3, layout: .fig3, zoneDepthMicrometres: 22, vendor: .fei,
                                                      edx: [EDXSpec(element: "In", factor: 4, countsPerPixel: 6),
                                                            EDXSpec(element: "S", factor: 4, countsPerPixel: 5)])),
        .init(name: "li_vertical_imagej16", spec: SceneSpec(seed: 7002, width: 640, height: 512, pixelSizeMicrometres: 0.25,
                                                            anodeThicknessMicrometres: 10, polarity: .dark, layout: .vertical,
                                                            zoneDepthMicrometres: 80, bitDepth: 16, vendor: .imagej)),
        .init(name: "li-in_fig3_jeol_left", spec: SceneSpec(seed: 7003, width: 640, height: 512, pixelSizeMicrometres: 0.2, anodeSide: .left,
                                                            tiltDegrees: -4, anodeThicknessMicrometres: 10, layout: .fig3,
                                                            zoneDepthMicrometres: 80, vendor: .jeol)),
        .init(name: "li-in_stripe_zeiss", spec: SceneSpec(seed: 7004, width: 640, height: 512, pixelSizeMicrometres: 0.1, tiltDegrees: -2,
                                                          anodeThicknessMicrometres: 6, layout: .stripe, zoneDepthMicrometres: 30, vendor: .zeiss)),
    ]
}
