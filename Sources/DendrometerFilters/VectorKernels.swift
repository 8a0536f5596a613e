// Run-time choice between the portable Swift kernels and the wide-vector row
// kernels of the CVectorKernels C target (CPU dispatch, as NumPy and OpenCV
// do: the package is built for the x86-64 baseline, so one binary runs on any
// 64-bit x86 processor and still uses 256- or 512-bit vectors where the
// processor has them).
import CVectorKernels
import Foundation

/// Which implementation of the wide-vector filter kernels runs: the 3×3 and
/// 5×5 medians of UInt8 / UInt16 images, the line pass of the separable
/// Float filters (Gaussian, Gaussian derivative, structure tensor), the
/// structure tensor's eigen-analysis and the thinning scan of skeletonize.
/// All give bit-identical results.
public enum VectorKernels: String, Sendable, CaseIterable, Comparable {
    /// Swift kernels compiled for the build's baseline (SSE2 on x86-64, NEON on arm64).
    case portable
    /// C row kernels on 256-bit AVX2 vectors.
    case avx2
    /// C row kernels on 512-bit AVX-512 vectors (AVX-512BW, which implies AVX-512F).
    case avx512bw

    /// The widest kernels this processor runs.
    public static let widest: VectorKernels = {
        switch dm_cpu_vector_isa() {
        case DM_ISA_AVX512BW: .avx512bw
        case DM_ISA_AVX2: .avx2
        default: .portable
        }
    }()

    /// The kernels used by default: the widest, unless the environment
    /// variable `DENDROMETER_VECTORS` names narrower ones (`portable`, `avx2`),
    /// to compare them or to rule the C kernels out.
    public static let active: VectorKernels = {
        guard let asked = requested.flatMap(named) else { return widest }
        return min(asked, widest)
    }()

    /// Why `DENDROMETER_VECTORS` was not followed, when it is set to a name
    /// that is not one of the cases (nil otherwise); programs should say so.
    public static var ignoredRequest: String? { problem(withRequest: requested) }

    /// The message for a `DENDROMETER_VECTORS` value that names no kernels, nil for
    /// an absent or valid value (case-insensitive).
    static func problem(withRequest value: String?) -> String? {
        guard let value, named(value) == nil else { return nil }
        let names = allCases.map(\.rawValue).joined(separator: ", ")
        return "DENDROMETER_VECTORS=\(value) is not one of \(names); using \(active.rawValue)"
    }

    private static func named(_ value: String) -> VectorKernels? { VectorKernels(rawValue: value.lowercased()) }

    private static var requested: String? { ProcessInfo.processInfo.environment["DENDROMETER_VECTORS"] }

    /// Kernels this processor runs, narrowest first.
    public static var supported: [VectorKernels] { allCases.filter { $0 <= widest } }

    /// Narrower first: `portable < avx2 < avx512bw`.
    public static func < (a: VectorKernels, b: VectorKernels) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The C instruction-set code, nil for the Swift kernels (for the package's other C-kernel users).
    package var isa: dm_isa? {
        switch self {
        case .portable: nil
        case .avx2: DM_ISA_AVX2
        case .avx512bw: DM_ISA_AVX512BW
        }
    }
}
