#include "bench/op_counter.h"

#include <atomic>
#include <mutex>
#include <string_view>

#include <ATen/record_function.h>

#include "util/error.h"

namespace glr::bench {

namespace {

std::mutex countsMutex;
OpCounts activeCounts;
std::atomic<bool> active{false};

// The autograd engine also records a wrapper around every node it runs; the node itself is
// counted (scope BACKWARD_FUNCTION), the wrapper is not.
constexpr std::string_view kEngineWrapper = "autograd::engine::evaluate_function";

std::unique_ptr<at::ObserverContext> onOperatorStart(const at::RecordFunction& fn) {
    const std::string_view name = fn.name();
    if (name.substr(0, kEngineWrapper.size()) == kEngineWrapper) return nullptr;
    std::lock_guard<std::mutex> lock(countsMutex);
    ++activeCounts.total;
    if (fn.scope() == at::RecordScope::BACKWARD_FUNCTION) ++activeCounts.backwardNodes;
    ++activeCounts.byName[std::string(name)];
    return nullptr;
}

}  // namespace

OpCounter::OpCounter() {
    GLR_CHECK(!active.exchange(true), "an operator counter is already active");
    {
        std::lock_guard<std::mutex> lock(countsMutex);
        activeCounts = OpCounts{};
    }
    handle_ = at::addGlobalCallback(
        at::RecordFunctionCallback(onOperatorStart)
            .scopes({at::RecordScope::FUNCTION, at::RecordScope::BACKWARD_FUNCTION}));
}

OpCounter::~OpCounter() {
    at::removeCallback(handle_);
    active = false;
}

void OpCounter::endPhase(const std::string& name) {
    std::lock_guard<std::mutex> lock(countsMutex);
    activeCounts.phases.emplace_back(name, activeCounts.total - phaseStart_);
    phaseStart_ = activeCounts.total;
}

OpCounts OpCounter::counts() const {
    std::lock_guard<std::mutex> lock(countsMutex);
    return activeCounts;
}

}  // namespace glr::bench
