#include "dist/communicator.h"

#include <chrono>
#include <filesystem>
#include <map>

#include "util/error.h"

#if GRAPHLORA_WITH_GLOO
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

namespace glr::dist {

bool Communicator::anyRank(bool flag) {
    if (worldSize() == 1) return flag;
    at::Tensor votes = at::full({1}, flag ? 1.0 : 0.0, at::kDouble);
    allReduceSum(votes);
    return votes.item<double>() > 0;
}

void Communicator::barrier() {
    if (worldSize() == 1) return;
    at::Tensor token = at::zeros({1}, at::kDouble);
    allReduceSum(token);
}

namespace {

class SingleProcess final : public Communicator {
public:
    int rank() const override { return 0; }
    int worldSize() const override { return 1; }
    void allReduceSum(at::Tensor&) override {}
    void broadcast(at::Tensor&, int) override {}
    std::vector<at::Tensor> allGather(const at::Tensor& tensor) override { return {tensor}; }
    void publish(const std::string& key, const std::string& value) override { values_[key] = value; }
    std::string await(const std::string& key) override {
        auto it = values_.find(key);
        GLR_CHECK(it != values_.end(), "single-process run: nothing was published under '{}'", key);
        return it->second;
    }

private:
    std::map<std::string, std::string> values_;
};

#if GRAPHLORA_WITH_GLOO

// Gloo reduces host memory; device tensors go through a host copy, so that the same code runs
// whether or not the LibTorch's Gloo was built with CUDA.
class GlooCommunicator final : public Communicator {
public:
    explicit GlooCommunicator(const DataParallelSpec& spec) : spec_(spec) {
        const auto timeout = std::chrono::milliseconds(std::int64_t(spec.timeoutSeconds) * 1000);
        const std::string& address = spec.rendezvous;
        try {
            if (address.rfind("file://", 0) == 0) {
                const std::string path = address.substr(7);
                std::filesystem::create_directories(std::filesystem::path(path).parent_path());
                store_ = c10::make_intrusive<c10d::FileStore>(path, spec.worldSize);
            } else {
                const auto colon = address.rfind(':');
                c10d::TCPStoreOptions options;
                options.port = static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1)));
                options.isServer = spec.rank == 0;
                options.numWorkers = static_cast<std::size_t>(spec.worldSize);
                options.waitWorkers = true;
                options.timeout = timeout;
                store_ = c10::make_intrusive<c10d::TCPStore>(address.substr(6, colon - 6), options);
            }
            store_->setTimeout(timeout);
            auto options = c10d::ProcessGroupGloo::Options::create(timeout);
            // As torch.distributed does: GLOO_SOCKET_IFNAME picks the network interface on
            // machines whose hostname does not resolve to the one the ranks share.
            const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
            options->devices.push_back(interface && *interface ? c10d::ProcessGroupGloo::createDeviceForInterface(interface)
                                                               : c10d::ProcessGroupGloo::createDefaultDevice());
            group_ = c10::make_intrusive<c10d::ProcessGroupGloo>(store_, spec.rank, spec.worldSize, options);
        } catch (const std::exception& e) {
            failInput("rank {} of {} could not join the others at {} within {} s: {}", spec.rank, spec.worldSize, address,
                      spec.timeoutSeconds, firstLine(e.what()));
        }
    }

    int rank() const override { return spec_.rank; }
    int worldSize() const override { return spec_.worldSize; }

    void allReduceSum(at::Tensor& tensor) override {
        onHost(tensor, "all-reduce", [&](std::vector<at::Tensor>& host) { group_->allreduce(host)->wait(); });
    }

    void broadcast(at::Tensor& tensor, int root) override {
        onHost(tensor, "broadcast", [&](std::vector<at::Tensor>& host) {
            c10d::BroadcastOptions options;
            options.rootRank = root;
            group_->broadcast(host, options)->wait();
        });
    }

    std::vector<at::Tensor> allGather(const at::Tensor& tensor) override {
        std::vector<at::Tensor> input{tensor.to(at::kCPU).contiguous()};
        std::vector<std::vector<at::Tensor>> output(1);
        for (int r = 0; r < spec_.worldSize; ++r) output[0].push_back(at::empty_like(input[0]));
        guarded("all-gather", [&] { group_->allgather(output, input)->wait(); });
        for (auto& t : output[0]) t = t.to(tensor.device());
        return output[0];
    }

    void publish(const std::string& key, const std::string& value) override {
        guarded("publish", [&] { store_->set(key, std::vector<std::uint8_t>(value.begin(), value.end())); });
    }

    std::string await(const std::string& key) override {
        std::vector<std::uint8_t> value;
        guarded("waiting for '" + key + "'", [&] { value = store_->get(key); });
        return std::string(value.begin(), value.end());
    }

private:
    static std::string firstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

    template <typename Fn>
    void guarded(const std::string& what, Fn&& fn) {
        try {
            fn();
        } catch (const std::exception& e) {
            fail("rank {} of {}: {} failed (another rank stopped, or none answered within {} s): {}", spec_.rank,
                 spec_.worldSize, what, spec_.timeoutSeconds, firstLine(e.what()));
        }
    }

    template <typename Fn>
    void onHost(at::Tensor& tensor, const char* what, Fn&& fn) {
        std::vector<at::Tensor> host{tensor.is_cpu() && tensor.is_contiguous() ? tensor : tensor.to(at::kCPU).contiguous()};
        guarded(what, [&] { fn(host); });
        if (!host[0].is_same(tensor)) tensor.copy_(host[0]);
    }

    DataParallelSpec spec_;
    c10::intrusive_ptr<c10d::Store> store_;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group_;
};

#endif

}  // namespace

std::unique_ptr<Communicator> singleProcess() { return std::make_unique<SingleProcess>(); }

bool dataParallelAvailable() { return GRAPHLORA_WITH_GLOO != 0; }

std::unique_ptr<Communicator> connect(const DataParallelSpec& spec) {
    validate(spec);
    if (!spec.enabled()) return singleProcess();
#if GRAPHLORA_WITH_GLOO
    return std::make_unique<GlooCommunicator>(spec);
#else
    failInput("this build cannot train over several processes: its LibTorch has no c10d Gloo backend "
              "(on Debian, install libgloo-dev and reconfigure)");
#endif
}

}  // namespace glr::dist
