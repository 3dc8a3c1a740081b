#pragma once
// Data parallelism over micro-batches. The config fixes the arithmetic; the ranks only share it:
// each optimiser step's train.grad_accum micro-batches go round-robin to the ranks (micro-batch m
// to rank m mod W), each rank back-propagates its own, and one all-reduce sums the gradients
//   g = Σ_ranks Σ_{m owned} ∇ (BCE_m / grad_accum)      (every trainable tensor, flattened into one bucket)
// before every rank takes the same AdamW step. A W-rank run therefore equals the one-process run
// of the same config up to the order of the float sums; only dropout masks differ, each rank
// drawing from its own generator. Batches keep their composition, so the graph path's 1-hop
// subgraphs are those of the one-process run too.
#include <vector>

#include "train/optimizer.h"

namespace glr::config {
struct ExperimentConfig;
}
namespace glr::dist {
class Communicator;
}

namespace glr {

// g ← Σ_ranks g for every trainable tensor, in one all-reduce. A gradient that no rank produced
// stays undefined, as in a one-process step (AdamW then skips the tensor).
void allReduceGradients(const std::vector<ParamGroup>& groups, dist::Communicator& communicator);

// Throws InputError unless train.grad_accum is a multiple of the ranks, so that every rank has
// micro-batches to compute in every full step; says how to keep the global batch.
void checkDataParallelConfig(const config::ExperimentConfig& config, int worldSize);

// Every rank starts from rank 0's trainable values.
void broadcastParameters(const std::vector<ParamGroup>& groups, dist::Communicator& communicator);

}  // namespace glr
