#pragma once
// `graphlora bench kernels`: each fused CUDA kernel (model/fused_ops.h) against the op-by-op
// composition it replaces, on one model shape's activations, in one process:
//   rotary  q of a fused q/k/v projection [B,T,Hq,D] (a strided view), cos/sin [B,T,1,D]
//   swiglu  the fused gate/up projection [B,T,2F] -> [B,T,F]
// For each: forward + backward time (median, device-synchronised), the speed-up, and the largest
// difference of the output and of the input gradient relative to the composed result's largest
// magnitude (bf16: both sides round differently, ~1e-2; fp32: ~1e-6).
#include <cstdint>
#include <string>
#include <vector>

namespace glr::bench {

struct KernelBenchOptions {
    std::string shape = "llama-7b";
    std::int64_t batch = 32, seqLen = 256;
    std::string device = "cuda";
    std::string dtype = "bfloat16";
    int warmup = 3, repeats = 20;
    std::uint64_t seed = 5;
};

struct KernelCase {
    std::string name;
    std::int64_t elements = 0;  // of the output
    double fusedMs = 0, composedMs = 0, speedup = 0;
    double outputRelativeError = 0, gradientRelativeError = 0;
};

struct KernelBenchResult {
    std::string shape, device, dtype;
    std::int64_t batch = 0, seqLen = 0;
    std::vector<KernelCase> cases;
};

// Throws InputError where this build has no fused kernels or the device is not CUDA.
KernelBenchResult benchKernels(const KernelBenchOptions& options);
std::string toJson(const KernelBenchResult& result);

}  // namespace glr::bench
