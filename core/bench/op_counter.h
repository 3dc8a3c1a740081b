#pragma once
// Counts the ATen operators dispatched while it lives (every thread, autograd's backward
// included), through LibTorch's RecordFunction observers. On a GPU each computing leaf operator
// is a kernel launch, which a small model pays for whatever the device: `bench overhead` reports
// the counts per method and phase, and what GraphLoRA adds over its baseline is the graph path's.
//
// Every dispatched operator is counted, nested ones included (`clone` and the `copy_` it calls),
// so `total` over-counts launches. `launches` counts what a GPU would launch: operators that
// compute and dispatch no computing operator themselves. Views, allocations and other
// metadata-only operators (kMetadataOperators in the .cpp) and autograd nodes are not launches.
// It is an estimate: an operator that fills its output before computing counts once (as its fill),
// and how operators nest differs between the CPU and CUDA implementations.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "bench/step_phases.h"

namespace glr::bench {

struct OpCounts {
    std::int64_t total = 0;          // operators, nested ones included, and autograd nodes
    std::int64_t backwardNodes = 0;  // of which autograd nodes run by backward()
    std::map<std::string, std::int64_t> byName;  // operator or node name -> count
    // Operators between consecutive OpCounter::endPhase calls, in order ("forward", "backward", …).
    std::vector<std::pair<std::string, std::int64_t>> phases;

    std::int64_t launches = 0;                            // computing leaf operators
    std::map<std::string, std::int64_t> launchesByName;
    std::vector<std::pair<std::string, std::int64_t>> launchPhases;  // as phases
};

// Only one counter may be active at a time (a second throws). Counting slows the step, so time
// steps without one.
class OpCounter final : public PhaseObserver {
public:
    OpCounter();
    ~OpCounter() override;
    OpCounter(const OpCounter&) = delete;
    OpCounter& operator=(const OpCounter&) = delete;

    // Closes a phase: the operators since the previous call (or since construction) are its count.
    void endPhase(const std::string& name) override;
    OpCounts counts() const;  // so far

private:
    std::uint64_t handle_ = 0;
    std::int64_t phaseStart_ = 0, launchPhaseStart_ = 0;
};

}  // namespace glr::bench
