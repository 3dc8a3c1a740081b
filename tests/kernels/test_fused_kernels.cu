// The fused CUDA kernels (core/kernels/fused_kernels.h) against a double-precision host reference
// computed from the same rounded inputs: RoPE forward and backward on contiguous and on strided
// (fused-QKV-slice) inputs with broadcast angles, SwiGLU forward and backward on packed and padded
// rows, in fp32, bf16 and fp16, on the 16-byte vector path and the one-element path.
// Tolerances: the output's rounding (fp32 2e-6, fp16 1e-3, bf16 8e-3 relative) plus 1e-6 absolute.
// Exit code 77 (ctest: skipped) where no CUDA device is usable.
#include "kernels/fused_kernels.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

using glr::kernels::ElementType;

namespace {

int failures = 0;

template <typename T>
struct Traits;
template <>
struct Traits<float> {
    static constexpr ElementType type = ElementType::Float32;
    static constexpr double rtol = 2e-6;
    static const char* name() { return "fp32"; }
    static float from(double x) { return static_cast<float>(x); }
    static double to(float x) { return x; }
};
template <>
struct Traits<__nv_bfloat16> {
    static constexpr ElementType type = ElementType::BFloat16;
    static constexpr double rtol = 8e-3;
    static const char* name() { return "bf16"; }
    static __nv_bfloat16 from(double x) { return __float2bfloat16(static_cast<float>(x)); }
    static double to(__nv_bfloat16 x) { return __bfloat162float(x); }
};
template <>
struct Traits<__half> {
    static constexpr ElementType type = ElementType::Float16;
    static constexpr double rtol = 1e-3;
    static const char* name() { return "fp16"; }
    static __half from(double x) { return __float2half(static_cast<float>(x)); }
    static double to(__half x) { return __half2float(x); }
};

template <typename T>
std::vector<T> randomValues(std::size_t n, std::mt19937& rng, double scale) {
    std::normal_distribution<double> normal(0.0, scale);
    std::vector<T> out(n);
    for (auto& v : out) v = Traits<T>::from(normal(rng));
    return out;
}

template <typename T>
struct DeviceBuffer {
    T* ptr = nullptr;
    std::size_t n = 0;
    explicit DeviceBuffer(const std::vector<T>& host) : n(host.size()) {
        cudaMalloc(&ptr, n * sizeof(T));
        cudaMemcpy(ptr, host.data(), n * sizeof(T), cudaMemcpyHostToDevice);
    }
    explicit DeviceBuffer(std::size_t count) : n(count) { cudaMalloc(&ptr, n * sizeof(T)); }
    ~DeviceBuffer() { cudaFree(ptr); }
    std::vector<T> download() const {
        std::vector<T> host(n);
        cudaMemcpy(host.data(), ptr, n * sizeof(T), cudaMemcpyDeviceToHost);
        return host;
    }
};

template <typename T>
void compare(const std::string& what, const std::vector<T>& got, const std::vector<double>& want) {
    double worst = 0;
    std::size_t worstAt = 0, bad = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const double err = std::fabs(Traits<T>::to(got[i]) - want[i]);
        const double allowed = 1e-6 + Traits<T>::rtol * std::fabs(want[i]);
        if (!(err <= allowed)) ++bad;
        if (err / allowed > worst) worst = err / allowed, worstAt = i;
    }
    std::printf("%-4s %s %-44s %zu values, worst error %.2f of tolerance (at %zu)\n", bad ? "FAIL" : "ok",
                Traits<T>::name(), what.c_str(), want.size(), worst, worstAt);
    if (bad) ++failures;
}

void check(const char* error, const std::string& what) {
    if (error) {
        std::printf("FAIL %s: %s\n", what.c_str(), error);
        ++failures;
    }
    if (cudaDeviceSynchronize() != cudaSuccess) {
        std::printf("FAIL %s: %s\n", what.c_str(), cudaGetErrorString(cudaGetLastError()));
        ++failures;
    }
}

// Input rows hold `lead` unused heads before the H rotated ones and `trail` after (the layout of
// the q/k slices of a fused [B,T,(Hq+2Hkv)·D] projection); angles broadcast over the batch.
template <typename T>
void rotaryCase(std::int64_t B, std::int64_t tokens, std::int64_t H, std::int64_t half, std::int64_t lead,
                std::int64_t trail, std::mt19937& rng) {
    const std::int64_t D = 2 * half, rowWidth = (lead + H + trail) * D;
    const auto input = randomValues<T>(B * tokens * rowWidth, rng, 1.0);
    std::vector<T> cosT(tokens * D), sinT(tokens * D);
    for (std::int64_t t = 0; t < tokens; ++t)
        for (std::int64_t d = 0; d < D; ++d) {
            const double angle = (t + 1) * std::pow(10000.0, -2.0 * (d % half) / D) + 0.1 * d;  // cos₁ ≠ cos₂
            cosT[t * D + d] = Traits<T>::from(std::cos(angle));
            sinT[t * D + d] = Traits<T>::from(std::sin(angle));
        }
    glr::kernels::RotaryShape shape{B, tokens, H, half, tokens * rowWidth, rowWidth, D, 0, D};
    DeviceBuffer<T> dIn(input), dCos(cosT), dSin(sinT), dOut(static_cast<std::size_t>(B * tokens * H * D));
    const std::string label = "rotary B" + std::to_string(B) + " T" + std::to_string(tokens) + " H" +
                              std::to_string(H) + " D" + std::to_string(D) + (lead + trail ? " strided" : "");
    for (bool backward : {false, true}) {
        check(glr::kernels::rotary(Traits<T>::type, backward, dIn.ptr + lead * D, dCos.ptr, dSin.ptr, dOut.ptr, shape,
                                   nullptr),
              label);
        std::vector<double> want(dOut.n);
        for (std::int64_t b = 0; b < B; ++b)
            for (std::int64_t t = 0; t < tokens; ++t)
                for (std::int64_t h = 0; h < H; ++h)
                    for (std::int64_t d = 0; d < half; ++d) {
                        const std::int64_t x = b * tokens * rowWidth + t * rowWidth + (lead + h) * D + d;
                        const double a1 = Traits<T>::to(input[x]), a2 = Traits<T>::to(input[x + half]);
                        const double c1 = Traits<T>::to(cosT[t * D + d]), c2 = Traits<T>::to(cosT[t * D + d + half]);
                        const double s1 = Traits<T>::to(sinT[t * D + d]), s2 = Traits<T>::to(sinT[t * D + d + half]);
                        const std::int64_t y = ((b * tokens + t) * H + h) * D + d;
                        want[y] = backward ? a1 * c1 + a2 * s2 : a1 * c1 - a2 * s1;
                        want[y + half] = backward ? a2 * c2 - a1 * s1 : a2 * c2 + a1 * s2;
                    }
        compare(label + (backward ? " backward" : " forward"), dOut.download(), want);
    }
}

template <typename T>
void swigluCase(std::int64_t rows, std::int64_t width, std::int64_t padding, std::mt19937& rng) {
    const std::int64_t stride = 2 * width + padding;
    const auto gateUp = randomValues<T>(rows * stride, rng, 3.0);
    const auto grad = randomValues<T>(rows * width, rng, 1.0);
    DeviceBuffer<T> dGateUp(gateUp), dGrad(grad), dOut(static_cast<std::size_t>(rows * width)),
        dGradGateUp(static_cast<std::size_t>(rows * 2 * width));
    const std::string label = "swiglu " + std::to_string(rows) + "x" + std::to_string(width) +
                              (padding ? " padded rows" : "");
    check(glr::kernels::swigluForward(Traits<T>::type, dGateUp.ptr, stride, dOut.ptr, rows, width, nullptr), label);
    check(glr::kernels::swigluBackward(Traits<T>::type, dGateUp.ptr, stride, dGrad.ptr, width, dGradGateUp.ptr, rows,
                                       width, nullptr),
          label);
    std::vector<double> y(rows * width), dgu(rows * 2 * width);
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t c = 0; c < width; ++c) {
            const double g = Traits<T>::to(gateUp[r * stride + c]), u = Traits<T>::to(gateUp[r * stride + width + c]);
            const double dy = Traits<T>::to(grad[r * width + c]);
            const double sig = 1.0 / (1.0 + std::exp(-g));
            y[r * width + c] = g * sig * u;
            dgu[r * 2 * width + c] = dy * u * sig * (1.0 + g * (1.0 - sig));
            dgu[r * 2 * width + width + c] = dy * g * sig;
        }
    compare(label + " forward", dOut.download(), y);
    compare(label + " backward", dGradGateUp.download(), dgu);
}

template <typename T>
void allCases(std::mt19937& rng) {
    rotaryCase<T>(2, 5, 3, 64, 0, 0, rng);   // vector path
    rotaryCase<T>(2, 7, 4, 64, 4, 4, rng);   // q/k slices of a fused projection, vector path
    rotaryCase<T>(3, 4, 2, 3, 1, 0, rng);    // odd half width: one element per thread
    swigluCase<T>(9, 64, 0, rng);            // vector path
    swigluCase<T>(5, 13, 3, rng);            // unaligned width and padded rows
}

}  // namespace

int main() {
    int devices = 0;
    if (const cudaError_t status = cudaGetDeviceCount(&devices); status != cudaSuccess || devices == 0) {
        std::printf("SKIP: no usable CUDA device (%s)\n",
                    status != cudaSuccess ? cudaGetErrorString(status) : "none found");
        return 77;
    }
    std::mt19937 rng(7);
    allCases<float>(rng);
    allCases<__nv_bfloat16>(rng);
    allCases<__half>(rng);
    std::printf("%s: %d failed checks\n", failures ? "FAILED" : "PASSED", failures);
    return failures ? 1 : 0;
}
