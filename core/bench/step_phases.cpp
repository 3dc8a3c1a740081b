#include "bench/step_phases.h"

#include <algorithm>

#include "bench/bench_common.h"
#include "bench/bench_device.h"

namespace glr::bench {

PhaseTimer::PhaseTimer(c10::Device device) : device_(device) {}

void PhaseTimer::startStep() {
    synchronize(device_);
    phaseStart_ = nowSeconds();
}

void PhaseTimer::endPhase(const std::string& name) {
    synchronize(device_);
    const double now = nowSeconds();
    auto it = std::find_if(samples_.begin(), samples_.end(), [&](const auto& entry) { return entry.first == name; });
    if (it == samples_.end()) it = samples_.insert(samples_.end(), {name, {}});
    it->second.push_back(1e3 * (now - phaseStart_));
    phaseStart_ = now;
}

std::vector<std::pair<std::string, double>> PhaseTimer::medians() const {
    std::vector<std::pair<std::string, double>> out;
    for (const auto& [name, ms] : samples_) out.emplace_back(name, summarize(ms).medianMs);
    return out;
}

}  // namespace glr::bench
