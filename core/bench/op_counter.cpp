#include "bench/op_counter.h"

#include <atomic>
#include <mutex>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <ATen/record_function.h>

#include "util/error.h"

namespace glr::bench {

namespace {

std::mutex countsMutex;
OpCounts activeCounts;
std::atomic<bool> active{false};
std::atomic<std::uint64_t> generation{0};  // one per counter: frames of an earlier one are stale

// The autograd engine also records a wrapper around every node it runs; the node itself is
// counted (scope BACKWARD_FUNCTION), the wrapper is not.
constexpr std::string_view kEngineWrapper = "autograd::engine::evaluate_function";

// Operators that only make views, allocate or describe tensors: no kernel on any device.
const std::unordered_set<std::string_view> kMetadataOperators = {
    "aten::as_strided", "aten::view", "aten::_reshape_alias", "aten::reshape", "aten::_unsafe_view",
    "aten::t", "aten::transpose", "aten::permute", "aten::select", "aten::slice", "aten::narrow",
    "aten::expand", "aten::expand_as", "aten::unsqueeze", "aten::squeeze", "aten::alias", "aten::unbind",
    "aten::split", "aten::split_with_sizes", "aten::chunk", "aten::unfold", "aten::view_as",
    "aten::detach", "aten::detach_", "detach", "aten::resolve_conj", "aten::resolve_neg",
    "aten::lift_fresh", "aten::contiguous", "aten::to", "aten::empty", "aten::empty_strided",
    "aten::empty_like", "aten::new_empty", "aten::new_empty_strided", "aten::set_", "aten::result_type",
    "aten::requires_grad_", "aten::_has_compatible_shallow_copy_type", "aten::is_same_size",
    "aten::size", "aten::stride", "aten::numel", "aten::dim"};

// The operators running on this thread, innermost last.
struct Frame {
    bool metadata = false;       // a kMetadataOperators name, an autograd node or the engine wrapper
    bool computedInside = false;  // a nested operator computed
    std::string name;
};
struct ThreadFrames {
    std::uint64_t generation = 0;
    std::vector<Frame> frames;
};
thread_local ThreadFrames threadFrames;

std::unique_ptr<at::ObserverContext> onOperatorStart(const at::RecordFunction& fn) {
    const std::string_view name = fn.name();
    const bool wrapper = name.substr(0, kEngineWrapper.size()) == kEngineWrapper;
    const bool node = fn.scope() == at::RecordScope::BACKWARD_FUNCTION;
    const std::uint64_t current = generation.load();
    if (threadFrames.generation != current) threadFrames = ThreadFrames{current, {}};
    threadFrames.frames.push_back(Frame{wrapper || node || kMetadataOperators.count(name) > 0, false, std::string(name)});
    if (wrapper) return nullptr;
    std::lock_guard<std::mutex> lock(countsMutex);
    ++activeCounts.total;
    if (node) ++activeCounts.backwardNodes;
    ++activeCounts.byName[std::string(name)];
    return nullptr;
}

// A launch is an operator that computes and in which no nested operator computed.
void onOperatorEnd(const at::RecordFunction&, at::ObserverContext*) {
    if (threadFrames.generation != generation.load() || threadFrames.frames.empty()) return;  // began before this counter
    Frame frame = std::move(threadFrames.frames.back());
    threadFrames.frames.pop_back();
    const bool launch = !frame.metadata && !frame.computedInside;
    if (!threadFrames.frames.empty() && (launch || frame.computedInside)) threadFrames.frames.back().computedInside = true;
    if (!launch) return;
    std::lock_guard<std::mutex> lock(countsMutex);
    ++activeCounts.launches;
    ++activeCounts.launchesByName[frame.name];
}

}  // namespace

OpCounter::OpCounter() {
    GLR_CHECK(!active.exchange(true), "an operator counter is already active");
    {
        std::lock_guard<std::mutex> lock(countsMutex);
        activeCounts = OpCounts{};
    }
    ++generation;
    handle_ = at::addGlobalCallback(
        at::RecordFunctionCallback(onOperatorStart, onOperatorEnd)
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
    activeCounts.launchPhases.emplace_back(name, activeCounts.launches - launchPhaseStart_);
    launchPhaseStart_ = activeCounts.launches;
}

OpCounts OpCounter::counts() const {
    std::lock_guard<std::mutex> lock(countsMutex);
    return activeCounts;
}

}  // namespace glr::bench
