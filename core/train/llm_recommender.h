#pragma once
// The LLM-based methods (SPEC §3, §7) over one frozen decoder:
//
//   tallrec    text prompt, LoRA                      icl   text prompt, no training (zero-shot)
//   collm      ID slots ← φ(e) (MF or LightGCN embeddings), LoRA
//   lora-only  ID slots ← φ(e_MF); MF frozen: plain LoRA; MF trainable: the injection path with
//              an identity encoder (g = P(e_node))
//   graphlora  ID slots ← φ(e_MF); at the injection layers the q/v adapters' bottleneck takes
//              z ← α·z + β·P(GNN(E, Â))[node] at each anchor ("middle"), or the adapter input
//              takes x + Q(GNN(E, Â))[node] ("pre", Q: Linear(d_g → H))
//   cora       text prompt; the adapters' A is replaced per row by W_gen = G([e_u; e_i]) [H, r]
//
//   φ: Linear(d → 10d) → ReLU → Linear(10d → H);  P: Linear(d_g → r);  G: Linear(2d → H·r)
//   score = h_last · w_yes   (h_last [B,H] final-normed hidden state at the last prompt token,
//                             w_yes the LM-head row of the score token) — no vocabulary GEMM;
//   with method.score = yes_no_softmax: h_last · (w_yes − w_no), the two-way log-odds.
//
// With eval.cuda_graphs / train.cuda_graphs the decoder (embeddings or ids → scores) runs from
// CUDA graphs captured per bucketed batch shape (train/graphed_scoring.h, graphed_training.h);
// φ, the graph path and G stay eager in front of it.
#include <memory>

#include "train/recommender.h"

namespace glr::config {
struct ExperimentConfig;
}
namespace glr::data {
class SplitDataset;
}

namespace glr {

std::unique_ptr<Recommender> makeLlmRecommender(const config::ExperimentConfig& config,
                                                std::shared_ptr<const data::SplitDataset> dataset);

}  // namespace glr
