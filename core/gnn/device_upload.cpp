#include "gnn/device_upload.h"

namespace glr::gnn {

at::Tensor uploadAsync(const at::Tensor& tensor, const at::Device& device) {
    if (device.is_cpu() || tensor.device() == device || !tensor.device().is_cpu()) return tensor.to(device);
    at::Tensor pinned = tensor.is_pinned() ? tensor
                                           : at::empty(tensor.sizes(), tensor.options().pinned_memory(true)).copy_(tensor);
    return pinned.to(device, /*non_blocking=*/true);
}

}  // namespace glr::gnn
