#pragma once
// Adam / AdamW over named parameter groups, with state kept as plain named tensors so that a
// checkpoint (safetensors, bounds-checked on load) holds it exactly and a resumed run continues
// bit-identically. SPEC §4: AdamW for LoRA, projector and MF; Adam for the GNN and bottleneck,
// each group with its own learning rate and weight decay.
//
//   m ← β1 m + (1−β1) g,  v ← β2 v + (1−β2) g²,  m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ)
//   AdamW: θ ← θ − lr·(m̂/(√v̂+ε) + wd·θ)     Adam (L2): g ← g + wd·θ before the moments
#include <map>
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace glr {

struct ParamGroup {
    std::string name;                  // e.g. "lora", "gnn"; prefixes the parameter names
    std::vector<std::string> names;    // parameter names (unique within the group)
    std::vector<at::Tensor> params;
    bool decoupledWeightDecay = true;  // AdamW (true) or Adam with L2 (false)
    double lr = 1e-4;
    double weightDecay = 0;
};

// How AdamOptimizer::step updates: Auto = one pass per tensor on the CPU, multi-tensor _foreach
// ops elsewhere; Foreach = the _foreach ops everywhere (what CUDA runs; tests compare the two);
// Capturable = _foreach ops whose step-dependent scalars (learning rate × schedule, bias
// corrections) are read from device tensors, so that the update can be captured in a CUDA graph
// once and replayed for later steps (prepareStep / applyPreparedStep).
enum class AdamKernel { Auto, Foreach, Capturable };

class AdamOptimizer {
public:
    explicit AdamOptimizer(std::vector<ParamGroup> groups, double beta1 = 0.9, double beta2 = 0.999,
                           double eps = 1e-8);

    // lrScale multiplies every group's base learning rate (the schedule's factor).
    void step(double lrScale);
    // The Capturable kernel's step in two halves (step() runs both): prepareStep counts the step
    // and writes its scalars into device tensors (host work, outside any capture);
    // applyPreparedStep updates from them and reads nothing from the host.
    void prepareStep(double lrScale);
    void applyPreparedStep();
    void zeroGrad();
    std::int64_t stepCount() const { return step_; }

    // "<group>.<param>.exp_avg", ".exp_avg_sq" and "__step" — all tensors, for checkpoints.
    std::map<std::string, at::Tensor> state() const;
    void loadState(const std::map<std::string, at::Tensor>& state);

    const std::vector<ParamGroup>& groups() const { return groups_; }
    void setKernel(AdamKernel kernel) { kernel_ = kernel; }
    std::int64_t parameterCount() const;

private:
    std::vector<ParamGroup> groups_;
    std::vector<std::vector<at::Tensor>> expAvg_, expAvgSq_;
    double beta1_, beta2_, eps_;
    std::int64_t step_ = 0;
    AdamKernel kernel_ = AdamKernel::Auto;
    // Capturable kernel, per group (on its parameters' device): −lr/(1−β1ᵗ), AdamW's 1 − lr·wd and
    // 1/√(1−β2ᵗ), 0-d fp64.
    std::vector<at::Tensor> stepSizeOnDevice_, decayOnDevice_, invSqrtBias2OnDevice_;
};

// Gradient clipping by the global norm: when ‖g‖₂ over every defined gradient of `groups` exceeds
// maxNorm, each gradient is multiplied by maxNorm/(‖g‖₂ + 1e-6). The norm and the factor stay on
// the device and the factor is applied unconditionally (1 when within the limit): clipping reads
// nothing back to the host, so a training step with it still has no host synchronisation.
// Returns ‖g‖₂ before clipping (fp64 [] on the device; undefined when no gradient is defined),
// for the trainer to read once the step has run.
at::Tensor clipGradNorm(const std::vector<ParamGroup>& groups, double maxNorm);

// Linear warm-up then cosine (or linear, or constant) decay to zero at totalSteps.
double learningRateScale(const std::string& schedule, std::int64_t step, std::int64_t warmupSteps,
                         std::int64_t totalSteps);

}  // namespace glr
