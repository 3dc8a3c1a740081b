#pragma once
// Statistics of a prepared split directory, for `graphlora data stats` and the workbench's
// dataset panel: counts per split, warm/cold, history-length and user-degree distributions, and
// prompt lengths in tokens for a given tokenizer.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "data/prompt.h"
#include "data/split_dataset.h"

namespace glr {
class Tokenizer;
}

namespace glr::data {

// A distribution summarised for tables and drawn as a histogram: `counts[k]` values fall in
// [edges[k], edges[k+1]) (the last bin also holds the maximum).
struct Distribution {
    std::int64_t count = 0;
    double mean = 0, min = 0, p50 = 0, p95 = 0, max = 0;
    std::vector<double> edges;
    std::vector<std::int64_t> counts;
};
// Integer-valued data get integer-aligned bins; at most `bins` of them.
Distribution summarize(std::vector<double> values, int bins = 20);

struct SplitStats {
    std::string name;
    std::int64_t rows = 0, users = 0, items = 0, positives = 0, warm = 0, cold = 0;
    double positiveRate = 0;
    Distribution historyLength;  // full stored history per row
    Distribution promptTokens;   // only with a tokenizer
};

struct DatasetStats {
    std::string dir;
    std::vector<SplitStats> splits;  // train, valid, test[, valid_small]
    std::int64_t items = 0;          // catalog size
    std::int64_t users = 0;          // distinct users over all splits
    Distribution userDegree;         // training interactions per training user
    std::string tokenizer;           // kind of the tokenizer used for prompt lengths ("" none)
    std::int64_t truncatedPrompts = 0;  // prompts that lost history titles to max_length
};

struct StatsOptions {
    const Tokenizer* tokenizer = nullptr;  // prompt lengths when given
    PromptOptions prompt;                  // template and truncation used for prompt lengths
    std::string resourcesDir;              // prompt templates ("" = built-in)
    int bins = 20;
};

DatasetStats computeStats(const SplitDataset& dataset, const StatsOptions& options = {});

// {"dir", "splits": {"train": {"rows","users","items","positives","positive_rate","warm","cold",
//  "history_length": {...}, "prompt_tokens": {...}}, ...}, "items", "users", "user_degree",
//  "tokenizer", "truncated_prompts"}; a distribution is {"count","mean","min","p50","p95","max",
//  "edges","counts"}.
nlohmann::json statsToJson(const DatasetStats& stats);
// Human-readable tables.
std::string statsToText(const DatasetStats& stats);

}  // namespace glr::data
