#pragma once
// Builds the method named by `method.name` over a loaded split (SPEC §3, §7).
#include <memory>

#include "train/recommender.h"

namespace glr::config {
struct ExperimentConfig;
}
namespace glr::data {
class SplitDataset;
}

namespace glr {

// `validSplit` is the split used for model selection ("valid" or "valid_small").
std::unique_ptr<Recommender> makeRecommender(const config::ExperimentConfig& config,
                                             std::shared_ptr<const data::SplitDataset> dataset);

}  // namespace glr
