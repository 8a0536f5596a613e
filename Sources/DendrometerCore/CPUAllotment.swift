// The CPUs this process may run on: its affinity mask (taskset, Slurm's task binding)
// and its cgroup CPU quota (containers, Slurm with cgroups), whichever is smaller.
// `ProcessInfo.activeProcessorCount` counts the machine's cores, so a 2-CPU Slurm task
// on a 64-core node would otherwise start 64 threads.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How many CPUs this process may use, and the parsers behind it.
public enum CPUAllotment {
    /// CPUs this process may use: the minimum of the affinity mask's CPU count, the cgroup
    /// CPU quota (rounded up to whole CPUs) and the machine's active processors; at least 1.
    /// Read once per process.
    public static let count: Int = {
        var n = ProcessInfo.processInfo.activeProcessorCount
        if let a = affinityCount() { n = min(n, a) }
        if let q = cgroupQuota() { n = min(n, q) }
        return max(1, n)
    }()

    /// Where the allotment came from, for a start line: e.g. "2 of 64 cores (affinity)".
    public static var explanation: String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        var limits = [String]()
        if let a = affinityCount(), a < cores { limits.append("affinity \(a)") }
        if let q = cgroupQuota(), q < cores { limits.append("cgroup quota \(q)") }
        return "\(count) of \(cores) cores" + (limits.isEmpty ? "" : " (\(limits.joined(separator: ", ")))")
    }

    /// CPUs in this process's affinity mask (`sched_getaffinity(2)`), or nil when unknown.
    public static func affinityCount() -> Int? {
        #if os(Linux)
        // Swift's Glibc module does not export sched_getaffinity (it needs _GNU_SOURCE); look it up.
        typealias GetAffinity = @convention(c) (pid_t, Int, UnsafeMutableRawPointer) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_getaffinity") else { return nil }
        let getAffinity = unsafeBitCast(symbol, to: GetAffinity.self)
        var mask = [UInt64](repeating: 0, count: affinityMaskWords)
        let status = mask.withUnsafeMutableBytes { getAffinity(0, $0.count, $0.baseAddress!) }
        guard status == 0 else { return nil }
        let n = mask.reduce(0) { $0 + $1.nonzeroBitCount }
        return n > 0 ? n : nil
        #else
        return nil
        #endif
    }

    /// 64-bit words of the affinity mask passed to the kernel: 1024 CPUs, glibc's `cpu_set_t`.
    static let affinityMaskWords = 16

    /// The cgroup CPU quota of this process in whole CPUs (rounded up), or nil when unlimited
    /// or not readable. cgroup v2: the smallest `cpu.max` of the process's cgroup (from
    /// `/proc/self/cgroup`) and its ancestors; cgroup v1: `cpu.cfs_quota_us` / `cpu.cfs_period_us`.
    public static func cgroupQuota() -> Int? {
        func read(_ path: String) -> String? {
            FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        }
        let membership = read("/proc/self/cgroup") ?? ""
        let paths = cgroupPaths(membership)
        // v2: a quota on any ancestor (a Slurm job's cgroup above its task's) limits the process too.
        var v2Found = false, v2Quota: Int?
        for dir in cgroupAncestors(paths.unified ?? "/") {
            guard let text = read("/sys/fs/cgroup\(dir == "/" ? "" : dir)/cpu.max") else { continue }
            v2Found = true
            if let q = cgroupV2Quota(cpuMax: text) { v2Quota = min(v2Quota ?? q, q) }
        }
        if v2Found { return v2Quota }
        // v1
        var v1 = [String]()
        for mount in ["/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpu"] {
            if let p = paths.cpu, p != "/" { v1.append(mount + p) }
            v1.append(mount)
        }
        for dir in v1 {
            if let q = read(dir + "/cpu.cfs_quota_us"), let period = read(dir + "/cpu.cfs_period_us") {
                return cgroupV1Quota(quota: q, period: period)
            }
        }
        return nil
    }

    /// `path` and each folder above it up to `/`: `/a/b` → `["/a/b", "/a", "/"]`.
    public static func cgroupAncestors(_ path: String) -> [String] {
        var parts = path.split(separator: "/").map(String.init)
        var out = [String]()
        while !parts.isEmpty {
            out.append("/" + parts.joined(separator: "/"))
            parts.removeLast()
        }
        return out + ["/"]
    }

    /// The unified (v2, `0::PATH`) and v1 `cpu` controller paths in `/proc/self/cgroup` text.
    public static func cgroupPaths(_ text: String) -> (unified: String?, cpu: String?) {
        var unified: String?, cpu: String?
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[0] == "0" && parts[1].isEmpty { unified = String(parts[2]) }
            if parts[1].split(separator: ",").contains("cpu") { cpu = String(parts[2]) }
        }
        return (unified, cpu)
    }

    /// Whole CPUs (rounded up, at least 1) of a cgroup v2 `cpu.max` file: `"QUOTA PERIOD"` in µs,
    /// e.g. `"150000 100000"` → 2; nil for `"max …"` (no limit) or text that is not two numbers.
    public static func cgroupV2Quota(cpuMax text: String) -> Int? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        guard fields.count == 2, let quota = Int(fields[0]), let period = Int(fields[1]) else { return nil }
        return wholeCPUs(quota: quota, period: period)
    }

    /// Whole CPUs (rounded up, at least 1) of cgroup v1 `cpu.cfs_quota_us` and `cpu.cfs_period_us`
    /// contents (µs), e.g. `"200000"`, `"100000"` → 2; nil when the quota is `-1` (no limit).
    public static func cgroupV1Quota(quota: String, period: String) -> Int? {
        guard let q = Int(quota.trimmingCharacters(in: .whitespacesAndNewlines)),
              let p = Int(period.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        return wholeCPUs(quota: q, period: p)
    }

    static func wholeCPUs(quota: Int, period: Int) -> Int? {
        guard quota > 0, period > 0 else { return nil }
        return max(1, (quota + period - 1) / period)
    }
}
