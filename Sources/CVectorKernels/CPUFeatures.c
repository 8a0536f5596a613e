// Which vector instruction sets the processor and the operating system
// support, for the run-time choice of kernels (VectorKernels.swift): CPUID
// feature bits (Intel SDM vol. 2A, "CPUID"; leaf 1 ECX: OSXSAVE, AVX; leaf 7
// EBX: AVX2, AVX-512F, AVX-512BW) and the register state the OS saves, read
// from XCR0 with XGETBV (SDM vol. 1, 13.3: bits 1–2 XMM/YMM, 5–7 opmask/ZMM).
// A CPU flag alone is not enough: an OS that does not save the wider
// registers would corrupt them across context switches.

#include "CVectorKernels.h"

#if defined(__x86_64__)

#include <cpuid.h>

dm_isa dm_cpu_vector_isa(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return DM_ISA_BASELINE;
    const unsigned osxsave = 1u << 27, avx = 1u << 28;
    if ((c & (osxsave | avx)) != (osxsave | avx)) return DM_ISA_BASELINE;
    unsigned xcr0, xcr0High;
    __asm__ volatile("xgetbv" : "=a"(xcr0), "=d"(xcr0High) : "c"(0));
    if ((xcr0 & 0x6u) != 0x6u) return DM_ISA_BASELINE;   // the OS saves XMM and YMM
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return DM_ISA_BASELINE;
    const unsigned avx2 = 1u << 5, avx512f = 1u << 16, avx512bw = 1u << 30;
    if ((b & avx512f) && (b & avx512bw) && (xcr0 & 0xE0u) == 0xE0u) return DM_ISA_AVX512BW;  // + opmask, ZMM
    return (b & avx2) ? DM_ISA_AVX2 : DM_ISA_BASELINE;
}

size_t dm_lanes(dm_isa isa, size_t bytes) {
    return (isa == DM_ISA_AVX512BW ? 64 : 32) / bytes;
}

#else

dm_isa dm_cpu_vector_isa(void) { return DM_ISA_BASELINE; }
size_t dm_lanes(dm_isa isa, size_t bytes) { (void)isa; (void)bytes; return SIZE_MAX; }

#endif
