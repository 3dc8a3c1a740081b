#pragma once
// A benchmarked step announces where each of its phases ends ("forward", "loss+backward",
// "optimizer"). Observers either count the operators of each phase (OpCounter) or time them
// (PhaseTimer). Both see the same announcements, so their phases pair up in order.
#include <string>
#include <utility>
#include <vector>

#include <c10/core/Device.h>

namespace glr::bench {

class PhaseObserver {
public:
    virtual ~PhaseObserver() = default;
    // Closes the phase that began at the previous call (or at the observer's start of step).
    virtual void endPhase(const std::string& name) = 0;
};

// Device-synchronised phase times over several steps. Each phase end waits for the device, so
// on a GPU the phases cannot overlap; steps timed with a PhaseTimer are not the headline step
// times. On the CPU, where operators are synchronous, waiting costs nothing.
class PhaseTimer final : public PhaseObserver {
public:
    explicit PhaseTimer(c10::Device device);
    void startStep();  // waits for the device, then starts the first phase's clock
    void endPhase(const std::string& name) override;
    // Median milliseconds per phase over the steps so far, in the order the phases first ended.
    std::vector<std::pair<std::string, double>> medians() const;

private:
    c10::Device device_;
    double phaseStart_ = 0;
    std::vector<std::pair<std::string, std::vector<double>>> samples_;
};

}  // namespace glr::bench
