#pragma once
// Counts, while it lives and on every thread, the operators that read a tensor's value back to
// the host: item(), nonzero(), equal() and the like. On a GPU each of them waits for everything
// queued before it, so code on a training step's path should run none; a CPU test can check that
// for the code a GPU would run.
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include <ATen/record_function.h>

namespace glr::test {

class HostReadCounter {
public:
    HostReadCounter() {
        std::lock_guard<std::mutex> lock(mutex());
        seen().clear();
        handle_ = at::addGlobalCallback(at::RecordFunctionCallback(&onStart).scopes({at::RecordScope::FUNCTION}));
    }
    ~HostReadCounter() { at::removeCallback(handle_); }
    HostReadCounter(const HostReadCounter&) = delete;
    HostReadCounter& operator=(const HostReadCounter&) = delete;

    int reads() const {
        std::lock_guard<std::mutex> lock(mutex());
        int n = 0;
        for (const auto& [name, count] : seen()) n += count;
        return n;
    }
    // "aten::_local_scalar_dense ×2, aten::nonzero ×1" (empty when none), for failure messages.
    std::string describe() const {
        std::lock_guard<std::mutex> lock(mutex());
        std::string out;
        for (const auto& [name, count] : seen()) out += (out.empty() ? "" : ", ") + name + " x" + std::to_string(count);
        return out;
    }

private:
    // item() dispatches _local_scalar_dense, so one read counts once.
    static bool readsHost(const std::string& name) {
        static const std::set<std::string> names = {"aten::_local_scalar_dense", "aten::nonzero", "aten::is_nonzero",
                                                    "aten::equal", "aten::masked_select", "aten::_unique2",
                                                    "aten::unique_consecutive", "aten::unique_dim"};
        return names.count(name) > 0;
    }
    static std::unique_ptr<at::ObserverContext> onStart(const at::RecordFunction& fn) {
        const std::string name = fn.name();
        if (readsHost(name)) {
            std::lock_guard<std::mutex> lock(mutex());
            ++seen()[name];
        }
        return nullptr;
    }
    static std::mutex& mutex() {
        static std::mutex m;
        return m;
    }
    static std::map<std::string, int>& seen() {
        static std::map<std::string, int> s;
        return s;
    }

    at::CallbackHandle handle_ = 0;
};

}  // namespace glr::test
