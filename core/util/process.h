#pragma once
// Process-level settings that must be in place before any library starts its threads or picks
// its kernels. Both libraries read their variables once, when they are loaded, so the only
// reliable way to give them defaults is to re-execute the program with the variables set.
#include <string>

namespace glr {

// Sets, where the user has not, and re-executes the program once if it set anything (returns
// normally if exec fails):
//  - OMP_WAIT_POLICY=PASSIVE. OpenMP (LibTorch's intra-op pool) spin-waits at barriers by
//    default; on a machine where other processes compete for the cores, a descheduled worker then
//    stalls every parallel region: a LoRA training step measured 25x slower (18 s vs 0.7 s) at
//    two threads on the 2-core machine under load.
//  - OPENBLAS_CORETYPE=<what this CPU runs> (openBlasCoreType). Debian's OpenBLAS 0.3.21 does not
//    know newer Xeons (family 6 model 207 here) and falls back to its Prescott (SSE3) kernels:
//    the fp32 [2048,2048] product ran at 35 GFLOP/s on one thread instead of 260 with SkylakeX.
void applyProcessDefaults(int argc, char** argv);

struct CpuFeatures {
    bool avx2 = false, fma = false;
    bool avx512f = false, avx512bw = false, avx512dq = false, avx512vl = false, avx512cd = false;
};
// This CPU's features, as far as the OS saves their registers (GCC's __builtin_cpu_supports).
CpuFeatures cpuFeatures();
// The OpenBLAS kernel family every such CPU runs: "SkylakeX" (AVX-512 F/CD/BW/DQ/VL), "Haswell"
// (AVX2 + FMA), or "" (leave OpenBLAS's own choice).
std::string openBlasCoreType(const CpuFeatures& features);

}  // namespace glr
