#include "gnn/device_upload.h"

#include <chrono>
#include <thread>

#include <c10/core/Event.h>
#include <c10/core/impl/VirtualGuardImpl.h>

namespace glr::gnn {

at::Tensor uploadAsync(const at::Tensor& tensor, const at::Device& device) {
    if (device.is_cpu() || tensor.device() == device || !tensor.device().is_cpu()) return tensor.to(device);
    at::Tensor pinned = tensor.is_pinned() ? tensor
                                           : at::empty(tensor.sizes(), tensor.options().pinned_memory(true)).copy_(tensor);
    return pinned.to(device, /*non_blocking=*/true);
}

struct HostReadback::Pending {
    c10::Event copied;
    explicit Pending(const c10::Device& device) : copied(device.type()) {}
};

HostReadback::HostReadback(const at::Tensor& tensor) {
    if (tensor.device().is_cpu()) {
        host_ = tensor.clone();  // the caller may refill `tensor` before get()
        return;
    }
    host_ = at::empty(tensor.sizes(), tensor.options().device(at::kCPU).pinned_memory(true));
    host_.copy_(tensor, /*non_blocking=*/true);
    pending_ = std::make_unique<Pending>(tensor.device());
    const c10::impl::VirtualGuardImpl guard(tensor.device().type());
    pending_->copied.record(guard.getStream(tensor.device()));
}

HostReadback::~HostReadback() {
    // Never free the pinned buffer under a copy still in flight.
    if (pending_) (void)get();
}
HostReadback::HostReadback(HostReadback&&) noexcept = default;

const at::Tensor& HostReadback::get() {
    if (pending_) {
        // (LibTorch 1.13's Event has no blocking wait; the poll costs a few microseconds.)
        while (!pending_->copied.query()) std::this_thread::sleep_for(std::chrono::microseconds(20));
        pending_.reset();
    }
    return host_;
}

}  // namespace glr::gnn
