#pragma once
// `graphlora bench sgemm`: the matrix-multiply peak of this device and how much of it the GEMMs of
// a model shape's decoder layer reach.
//
//   peak      at::mm of two [S,S] fp32 matrices (S = peakSize), 2·S³ FLOPs, best of the repeats
//   per case  at::linear(x [M,in], W [out,in]) as the model calls it, 2·M·in·out FLOPs;
//             fraction = best case FLOP/s / peak FLOP/s
//
// The cases of a shape (H width, I MLP width, M = rows): q/o [H→H], k/v [H→Hkv·D], fused q/k/v
// [H→(Hq+2Hkv)·D], gate/up [H→I], fused gate/up [H→2I], down [I→H]. The model computes the fused
// products; the unfused rows show what fusion buys.
#include <cstdint>
#include <string>
#include <vector>

namespace glr::bench {

struct SgemmOptions {
    std::string shape = "llama-1.1b";  // LlamaConfig::named
    std::int64_t rows = 1024;          // M = B·T tokens per GEMM
    std::int64_t peakSize = 2048;
    std::string device = "cpu";
    std::string dtype = "float32";     // the GEMM dtype (bf16 is what a GPU model uses)
    int warmup = 1;
    int repeats = 3;
};

struct SgemmCase {
    std::string name;          // "q_proj", "qkv (fused)", …
    std::int64_t m = 0, k = 0, n = 0;  // [m,k] x [k,n]
    double bestMs = 0, medianMs = 0;
    double gflops = 0;         // at the best time
    double fractionOfPeak = 0;
};

struct SgemmResult {
    std::string shape, device, dtype;
    std::int64_t peakSize = 0;
    double peakGflops = 0;        // best of the repeats
    double peakMedianGflops = 0;  // median of the repeats (spread = machine noise)
    int threads = 0;
    std::vector<SgemmCase> cases;
};

// Best-of-`repeats` FLOP/s of an [size,size] x [size,size] product (after `warmup` products).
// `device`/`dtype` as in SgemmOptions. Throws InputError for bad sizes.
double measureMatmulPeakFlops(std::int64_t size, int warmup, int repeats, const std::string& device = "cpu",
                              const std::string& dtype = "float32", double* medianFlops = nullptr);

SgemmResult benchSgemm(const SgemmOptions& options);

// {"benchmark":"sgemm", …}
std::string toJson(const SgemmResult& result);

}  // namespace glr::bench
