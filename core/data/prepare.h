#pragma once
// Raw interactions -> CoLLM-protocol splits (SPEC §5), written as a split directory that
// SplitDataset::load reads (train/valid/test[/valid_small].tsv, items.tsv, prepare.json).
//
// The algorithm, in order:
//  1. Read the item catalog (raw key -> title [, genres]); read every interaction, each row
//     checked (field count, numbers, dates, UTF-8, item present in the catalog).
//  2. Windowing: each row goes to the split whose [start, end) UTC window holds its timestamp;
//     rows outside every window are dropped and never enter a history. With quantiles, rows are
//     stably sorted by time and cut at floor(q·n).
//  3. Filtering, one pass over the windowed rows: drop rows whose user has fewer than
//     min_user_interactions rows or whose item has fewer than min_item_interactions rows (the
//     counts are taken once, before dropping; not iterated to a k-core).
//  4. Stable sort by timestamp (ties keep the source file's order); dense ids 1..N for users and
//     for items in order of first appearance in that order.
//  5. label = rating >= rating_at_least. history = the user's earlier positive items over
//     train+valid+test in that order (rows at the same timestamp that come earlier in the file
//     count as earlier, as in the ml1m-collm split). not_cold = user and item both in train.
//  6. valid_small = floor(fraction·|valid|) rows drawn without replacement from valid with the
//     seed, kept in valid's order.
//  7. Files are written into a temporary sibling directory, then renamed into place.
//
// An empty split is an error. progress(fraction, message) returning false throws glr::Cancelled
// (the temporary directory is removed).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/prepare_spec.h"

namespace glr::data {

using DataProgress = std::function<bool(double fraction, const std::string& message)>;

struct PrepareOptions {
    bool overwrite = false;  // replace an existing output directory (an empty one is always replaced)
    DataProgress progress;   // may be empty
};

struct PrepareResult {
    std::string outDir;
    std::int64_t rawRows = 0;           // interactions read
    std::int64_t outsideWindows = 0;    // dropped by the split windows
    std::int64_t filtered = 0;          // dropped by the minimum-interaction filters
    std::int64_t users = 0, items = 0;  // after remapping (ids 1..users, 1..items)
    struct SplitCount {
        std::string name;
        std::int64_t rows = 0, positives = 0, warm = 0;
    };
    std::vector<SplitCount> splits;  // train, valid, test[, valid_small]
    // Wall seconds per stage: "read_items", "read_interactions", "window_filter", "sort_remap",
    // "histories", "write", "total".
    std::vector<std::pair<std::string, double>> timings;
    double seconds(const std::string& stage) const;
};

PrepareResult prepareSplits(const PrepareSpec& spec, const std::string& outDir,
                            const PrepareOptions& options = {});

// The first rows of both raw files exactly as prepare parses them, for the CLI `data preview`
// and the workbench's form. Errors in those rows are thrown as prepare would throw them.
struct PreviewTable {
    std::string title;  // "interactions: PATH"
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;
};
std::vector<PreviewTable> previewSpec(const PrepareSpec& spec, int rows = 10);

}  // namespace glr::data
