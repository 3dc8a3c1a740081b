#pragma once
// Item histories as SASRec input: [B, L] I64, left-padded with 0 (item 0 is SASRec's padding),
// most recent item last, at most maxLen items per row.
#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

#include "config/experiment_config.h"
#include "data/split_dataset.h"
#include "gnn/sasrec.h"

namespace glr {

at::Tensor historyTensor(const data::Split& split, const std::vector<std::int64_t>& rows, int maxLen);

// A SASRec over the dataset's items, sized from method.sasrec.
gnn::SasRec makeSasRec(const config::ExperimentConfig& cfg, const data::NodeIndex& nodes);

}  // namespace glr
