#pragma once
// Counts the ATen operators dispatched while it lives (every thread, autograd's backward
// included), through LibTorch's RecordFunction observers. On a GPU nearly every leaf operator is
// a kernel launch, so the count of a step is what a small model pays in launch overhead whatever
// the device: `bench overhead` reports it per method, and a difference between GraphLoRA and
// LoRA-only is launches the graph path adds.
#include <cstdint>
#include <map>
#include <string>

namespace glr::bench {

struct OpCounts {
    std::int64_t forward = 0;    // operators called from user code (including nested ones)
    std::int64_t backward = 0;   // autograd nodes run by backward()
    std::map<std::string, std::int64_t> byName;  // both kinds, by operator or node name
    std::int64_t total() const { return forward + backward; }
};

// Only one counter may be active at a time (it throws otherwise). Counting slows the step, so
// time steps without one.
class OpCounter {
public:
    OpCounter();
    ~OpCounter();
    OpCounter(const OpCounter&) = delete;
    OpCounter& operator=(const OpCounter&) = delete;
    OpCounts counts() const;  // so far

private:
    std::uint64_t handle_ = 0;
};

}  // namespace glr::bench
