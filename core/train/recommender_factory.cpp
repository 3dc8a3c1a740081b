#include "train/recommender_factory.h"

#include "config/experiment_config.h"
#include "train/collab_recommender.h"
#include "train/llm_recommender.h"

namespace glr {

std::unique_ptr<Recommender> makeRecommender(const config::ExperimentConfig& config,
                                             std::shared_ptr<const data::SplitDataset> dataset) {
    if (config::isLlmMethod(config.method.name)) return makeLlmRecommender(config, std::move(dataset));
    return makeCollabRecommender(config, std::move(dataset));
}

}  // namespace glr
