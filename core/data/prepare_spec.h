#pragma once
// The prepare spec: which raw files to read and how to cut them into CoLLM-protocol splits
// (SPEC §5). JSON, validated on load: unknown keys fail with a did-you-mean, wrong types name the
// key path and what was expected, relative paths resolve against the spec file's directory.
//
// { "interactions": { "path": "ratings.csv", "format": "delimited", "delimiter": ",",
//                     "quote": "\"", "header": true, "encoding": "utf-8",
//                     "columns": { "user": "userId", "item": "movieId",
//                                  "rating": "rating", "timestamp": "timestamp" } },
//   "items": { "path": "movies.csv", ..., "columns": { "item": "movieId", "title": "title",
//                                                     "genres": "genres", "year": "year" } },
//   "label": { "rating_at_least": 4 },
//   "split": { "train": ["2001-06-01", "2002-04-01"], "valid": [...], "test": [...] }
//         or { "quantiles": [0.8, 0.9] },
//   "min_user_interactions": 0, "min_item_interactions": 0,
//   "valid_small": { "fraction": 0.5, "seed": 2023 } }
//
// Columns are header names (strings) or 0-based indices (integers; required when header is
// false). items.columns.genres and .year are optional; with a year column the title becomes
// "Title (Year)". valid_small is optional (absent: no valid_small.tsv).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "data/delimited.h"

namespace glr::data {

struct TableSpec {
    std::string path;  // resolved (absolute, or relative to the working directory)
    DelimitedFormat format;
};

struct InteractionsSpec : TableSpec {
    ColumnRef user, item, rating, timestamp;
};

struct ItemsSpec : TableSpec {
    ColumnRef item, title, genres, year;  // genres, year optional
};

// [start, end) in Unix seconds (UTC); the texts are kept for messages.
struct TimeWindow {
    std::int64_t start = 0, end = 0;
    std::string startText, endText;
};

struct SplitSpec {
    enum class Mode { Dates, Quantiles };
    Mode mode = Mode::Dates;
    TimeWindow train, valid, test;         // Mode::Dates
    double trainEnd = 0.8, validEnd = 0.9;  // Mode::Quantiles: cut points of the time order
};

struct PrepareSpec {
    InteractionsSpec interactions;
    ItemsSpec items;
    double ratingAtLeast = 4;
    SplitSpec split;
    std::int64_t minUserInteractions = 0;
    std::int64_t minItemInteractions = 0;
    bool validSmall = false;
    double validSmallFraction = 0.5;
    std::uint64_t validSmallSeed = 2023;
    std::string sourceJson;  // the spec as given (compact), recorded next to the prepared split
};

// `source` names the spec in messages (usually its path); relative paths resolve against baseDir.
PrepareSpec parsePrepareSpec(const nlohmann::json& spec, const std::string& baseDir,
                             const std::string& source = "prepare spec");
PrepareSpec parsePrepareSpecText(const std::string& jsonText, const std::string& baseDir,
                                 const std::string& source = "prepare spec");
PrepareSpec loadPrepareSpec(const std::string& path);

}  // namespace glr::data
