import DendrometerCore
import Foundation
import Testing

/// The cgroup files behind ``CPUAllotment``, parsed from their literal contents
/// (as the kernel writes them: cgroup-v2.rst "cpu.max", sched-bwc.rst for v1).
@Suite("CPU allotment")
struct CPUAllotmentTests {
    @Test("cgroup v2 cpu.max: quota/period rounded up to whole CPUs; 'max' is no limit")
    func cgroupV2() {
        #expect(CPUAllotment.cgroupV2Quota(cpuMax: "200000 100000\n") == 2)
        #expect(CPUAllotment.cgroupV2Quota(cpuMax: "150000 100000\n") == 2)   // 1.5 CPUs → 2 threads
        #expect(CPUAllotment.cgroupV2Quota(cpuMax: "50000 100000\n") == 1)    // half a CPU → 1
        #expect(CPUAllotment.cgroupV2Quota(cpuMax: "max 100000\n") == nil)
        #expect(CPUAllotment.cgroupV2Quota(cpuMax: "") == nil)
        #expect(CPUAllotment.cgroupV2Quota(cpuMax: "garbage") == nil)
    }

    @Test("cgroup v1 cfs quota and period: -1 is no limit")
    func cgroupV1() {
        #expect(CPUAllotment.cgroupV1Quota(quota: "400000\n", period: "100000\n") == 4)
        #expect(CPUAllotment.cgroupV1Quota(quota: "250000\n", period: "100000\n") == 3)
        #expect(CPUAllotment.cgroupV1Quota(quota: "-1\n", period: "100000\n") == nil)
        #expect(CPUAllotment.cgroupV1Quota(quota: "x", period: "100000") == nil)
    }

    @Test("/proc/self/cgroup: the unified path and the v1 cpu controller's path")
    func membership() {
        let v2 = CPUAllotment.cgroupPaths("0::/system.slice/slurmstepd.scope/job_42/step_0/user/task_0\n")
        #expect(v2.unified == "/system.slice/slurmstepd.scope/job_42/step_0/user/task_0")
        #expect(v2.cpu == nil)
        let v1 = CPUAllotment.cgroupPaths("""
            9:name=systemd:/
            4:memory:/slurm/uid_0/job_7
            2:cpu,cpuacct:/slurm/uid_0/job_7/step_batch
            0::/
            """)
        #expect(v1.cpu == "/slurm/uid_0/job_7/step_batch")
        #expect(v1.unified == "/")
    }

    @Test("a cgroup and every folder above it, for quotas set on a job above its task")
    func ancestors() {
        #expect(CPUAllotment.cgroupAncestors("/system.slice/job_42/task_0") == ["/system.slice/job_42/task_0", "/system.slice/job_42", "/system.slice", "/"])
        #expect(CPUAllotment.cgroupAncestors("/") == ["/"])
    }

    @Test("the allotment is at least 1 and at most the machine's cores")
    func bounds() {
        #expect(CPUAllotment.count >= 1)
        #expect(CPUAllotment.count <= ProcessInfo.processInfo.activeProcessorCount)
    }
}
