#include "model/fused_ops.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

#if defined(GRAPHLORA_WITH_KERNELS)
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <torch/csrc/autograd/custom_function.h>

#include <optional>

#include "kernels/fused_kernels.h"
#include "util/error.h"
#endif

namespace glr {

namespace {

std::atomic<bool>& enabledFlag() {
    static std::atomic<bool> flag{[] {
        const char* value = std::getenv("GRAPHLORA_FUSED_KERNELS");
        return !(value && std::strcmp(value, "0") == 0);
    }()};
    return flag;
}

}  // namespace

#if defined(GRAPHLORA_WITH_KERNELS)

namespace {

std::optional<kernels::ElementType> elementType(at::ScalarType type) {
    switch (type) {
        case at::kFloat: return kernels::ElementType::Float32;
        case at::kBFloat16: return kernels::ElementType::BFloat16;
        case at::kHalf: return kernels::ElementType::Float16;
        default: return std::nullopt;
    }
}

void* currentStream(const at::Tensor& t) { return c10::cuda::getCurrentCUDAStream(t.device().index()).stream(); }

void check(const char* error, const char* kernel) {
    if (error) fail("CUDA kernel {} failed: {}", kernel, error);
}

at::Tensor unitInnerStride(const at::Tensor& t) { return t.stride(-1) == 1 ? t : t.contiguous(); }

// [..., 2F] -> [rows, 2F] with unit stride inside a row (a view where the layout allows).
at::Tensor asRows(const at::Tensor& gateUp) { return unitInnerStride(gateUp.reshape({-1, gateUp.size(-1)})); }

// x [B,T,h,D] -> rotated [B,T,h,D] contiguous; `backward` applies the transposed rotation.
at::Tensor launchRotary(const at::Tensor& input, const at::Tensor& cos, const at::Tensor& sin, bool backward) {
    const c10::cuda::CUDAGuard guard(input.device());
    at::Tensor x = unitInnerStride(input);
    const std::int64_t B = x.size(0), T = x.size(1), H = x.size(2), D = x.size(3);
    at::Tensor c = cos.expand({B, T, 1, D}), s = sin.expand({B, T, 1, D});
    if (c.strides() != s.strides() || c.stride(3) != 1) {  // the kernel reads both with one set of strides
        c = c.contiguous();
        s = s.contiguous();
    }
    at::Tensor out = at::empty({B, T, H, D}, x.options());
    const kernels::RotaryShape shape{B, T, H, D / 2, x.stride(0), x.stride(1), x.stride(2), c.stride(0), c.stride(1)};
    check(kernels::rotary(*elementType(x.scalar_type()), backward, x.data_ptr(), c.data_ptr(), s.data_ptr(),
                          out.data_ptr(), shape, currentStream(x)),
          "rotary");
    return out;
}

struct RotaryFunction : public torch::autograd::Function<RotaryFunction> {
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& cos,
                              const at::Tensor& sin) {
        ctx->save_for_backward({cos, sin});
        return launchRotary(x, cos, sin, /*backward=*/false);
    }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        if (!grads[0].defined()) return {at::Tensor(), at::Tensor(), at::Tensor()};
        const auto saved = ctx->get_saved_variables();
        return {launchRotary(grads[0], saved[0], saved[1], /*backward=*/true), at::Tensor(), at::Tensor()};
    }
};

struct SwigluFunction : public torch::autograd::Function<SwigluFunction> {
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& gateUp) {
        const c10::cuda::CUDAGuard guard(gateUp.device());
        const std::int64_t width = gateUp.size(-1) / 2;
        ctx->save_for_backward({gateUp});
        const at::Tensor rows = asRows(gateUp);
        at::Tensor out = at::empty({rows.size(0), width}, rows.options());
        check(kernels::swigluForward(*elementType(rows.scalar_type()), rows.data_ptr(), rows.stride(0), out.data_ptr(),
                                     rows.size(0), width, currentStream(rows)),
              "swiglu forward");
        std::vector<std::int64_t> shape = gateUp.sizes().vec();
        shape.back() = width;
        return out.view(shape);
    }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        if (!grads[0].defined()) return {at::Tensor()};
        const at::Tensor gateUp = ctx->get_saved_variables()[0];
        const c10::cuda::CUDAGuard guard(gateUp.device());
        const at::Tensor rows = asRows(gateUp);
        const std::int64_t width = rows.size(1) / 2;
        at::Tensor dy = unitInnerStride(grads[0].reshape({-1, width}));
        at::Tensor dGateUp = at::empty_like(rows, at::MemoryFormat::Contiguous);
        check(kernels::swigluBackward(*elementType(rows.scalar_type()), rows.data_ptr(), rows.stride(0), dy.data_ptr(),
                                      dy.stride(0), dGateUp.data_ptr(), rows.size(0), width, currentStream(rows)),
              "swiglu backward");
        return {dGateUp.view(gateUp.sizes())};
    }
};

bool usable(const at::Tensor& t) {
    return enabledFlag().load(std::memory_order_relaxed) && t.defined() && t.is_cuda() &&
           elementType(t.scalar_type()).has_value();
}

}  // namespace

at::Tensor fusedRotary(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
    if (!usable(x) || x.dim() != 4 || x.size(3) % 2 != 0 || cos.scalar_type() != x.scalar_type() ||
        sin.scalar_type() != x.scalar_type() || cos.device() != x.device() || sin.device() != x.device() ||
        cos.dim() != 4 || sin.sizes() != cos.sizes())
        return at::Tensor();
    return RotaryFunction::apply(x, cos, sin);
}

at::Tensor fusedSwiglu(const at::Tensor& gateUp) {
    if (!usable(gateUp) || gateUp.dim() < 1 || gateUp.size(-1) % 2 != 0) return at::Tensor();
    return SwigluFunction::apply(gateUp);
}

bool fusedKernelsBuilt() { return true; }

#else  // no kernels in this build: callers compose the formulas

at::Tensor fusedRotary(const at::Tensor&, const at::Tensor&, const at::Tensor&) { return at::Tensor(); }
at::Tensor fusedSwiglu(const at::Tensor&) { return at::Tensor(); }
bool fusedKernelsBuilt() { return false; }

#endif

at::Tensor composedRotary(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
    const std::int64_t half = x.size(-1) / 2;
    at::Tensor rotated = at::cat({x.narrow(-1, half, half).neg(), x.narrow(-1, 0, half)}, -1);
    return at::addcmul(x * cos, rotated, sin);
}

at::Tensor composedSwiglu(const at::Tensor& gate, const at::Tensor& up) { return at::silu(gate) * up; }

bool fusedKernelsEnabled() { return fusedKernelsBuilt() && enabledFlag().load(); }
void setFusedKernelsEnabled(bool enabled) { enabledFlag().store(enabled); }

}  // namespace glr
