#pragma once
// Collaborative baselines on the same rows and metrics as the LLM methods (SPEC §7):
//   mf        score = e_u · e_i                       (E_u [U,d], E_i [I,d])
//   lightgcn  score = h_u · h_i,  H = mean_k Â^k E      (full graph)
//   ngcf      score = h_u · h_i,  H = NGCF(E, Â)        (full graph)
// trained with BCE on the labels. An MF run's best checkpoint (mf.user_embedding,
// mf.item_embedding) can initialise the MF tables of GraphLoRA / LoRA-only / CoLLM
// (method.mf.init).
#include <memory>

#include "train/recommender.h"

namespace glr::config {
struct ExperimentConfig;
}
namespace glr::data {
class SplitDataset;
}

namespace glr {

std::unique_ptr<Recommender> makeCollabRecommender(const config::ExperimentConfig& config,
                                                   std::shared_ptr<const data::SplitDataset> dataset);

}  // namespace glr
