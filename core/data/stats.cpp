#include "data/stats.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tokenizer/tokenizer.h"

namespace glr::data {

namespace {

double quantile(const std::vector<double>& sorted, double q) {
    if (sorted.empty()) return 0;
    // Linear interpolation between closest ranks (numpy's default).
    const double pos = q * double(sorted.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (pos - double(lo)) * (sorted[hi] - sorted[lo]);
}

nlohmann::json distributionJson(const Distribution& d) {
    return {{"count", d.count}, {"mean", d.mean}, {"min", d.min}, {"p50", d.p50}, {"p95", d.p95},
            {"max", d.max},     {"edges", d.edges}, {"counts", d.counts}};
}

}  // namespace

Distribution summarize(std::vector<double> values, int bins) {
    Distribution d;
    d.count = static_cast<std::int64_t>(values.size());
    if (values.empty()) return d;
    std::sort(values.begin(), values.end());
    double sum = 0;
    for (double v : values) sum += v;
    d.mean = sum / double(values.size());
    d.min = values.front();
    d.max = values.back();
    d.p50 = quantile(values, 0.5);
    d.p95 = quantile(values, 0.95);
    bins = std::max(1, bins);
    const bool integral = std::all_of(values.begin(), values.end(), [](double v) { return v == std::floor(v); });
    double width = (d.max - d.min) / bins;
    if (integral) width = std::max(1.0, std::ceil((d.max - d.min + 1) / bins));
    if (width <= 0) width = 1;
    const int used = std::max(1, static_cast<int>(std::ceil((d.max - d.min + (integral ? 1 : 0)) / width)));
    for (int k = 0; k <= used; ++k) d.edges.push_back(d.min + k * width);
    d.counts.assign(used, 0);
    for (double v : values) {
        int k = static_cast<int>((v - d.min) / width);
        d.counts[std::clamp(k, 0, used - 1)]++;
    }
    return d;
}

DatasetStats computeStats(const SplitDataset& dataset, const StatsOptions& options) {
    DatasetStats stats;
    stats.dir = dataset.dir;
    stats.items = static_cast<std::int64_t>(dataset.items.count());
    std::unique_ptr<PromptEncoder> encoder;
    if (options.tokenizer) {
        PromptOptions prompt = options.prompt;
        encoder = std::make_unique<PromptEncoder>(*options.tokenizer, dataset.items, dataset.nodeIndex(), prompt,
                                                  options.resourcesDir);
        stats.tokenizer = options.tokenizer->kind();
    }
    std::unordered_set<std::int32_t> allUsers;
    std::vector<const Split*> splits = {&dataset.train, &dataset.valid, &dataset.test};
    if (dataset.hasValidSmall()) splits.push_back(&dataset.validSmall);
    for (const Split* split : splits) {
        SplitStats s;
        s.name = split->name;
        s.rows = static_cast<std::int64_t>(split->size());
        std::unordered_set<std::int32_t> users, items;
        std::vector<double> historyLengths, promptLengths;
        historyLengths.reserve(split->size());
        for (std::size_t r = 0; r < split->size(); ++r) {
            const InteractionRow& row = split->rows[r];
            users.insert(row.uid);
            items.insert(row.iid);
            allUsers.insert(row.uid);
            s.positives += row.label;
            s.warm += row.notCold ? 1 : 0;
            historyLengths.push_back(row.historyLength);
            if (encoder) {
                const EncodedPrompt prompt = encoder->encode(*split, r);
                promptLengths.push_back(static_cast<double>(prompt.ids.size()));
                if (prompt.historyDropped > 0 && split->name != "valid_small") ++stats.truncatedPrompts;
            }
        }
        s.users = static_cast<std::int64_t>(users.size());
        s.items = static_cast<std::int64_t>(items.size());
        s.cold = s.rows - s.warm;
        s.positiveRate = s.rows ? double(s.positives) / double(s.rows) : 0;
        s.historyLength = summarize(std::move(historyLengths), options.bins);
        if (encoder) s.promptTokens = summarize(std::move(promptLengths), options.bins);
        stats.splits.push_back(std::move(s));
    }
    stats.users = static_cast<std::int64_t>(allUsers.size());
    std::unordered_map<std::int32_t, std::int64_t> degree;
    for (const auto& row : dataset.train.rows) ++degree[row.uid];
    std::vector<double> degrees;
    degrees.reserve(degree.size());
    for (const auto& [user, d] : degree) degrees.push_back(double(d));
    stats.userDegree = summarize(std::move(degrees), options.bins);
    return stats;
}

nlohmann::json statsToJson(const DatasetStats& stats) {
    nlohmann::json j;
    j["dir"] = stats.dir;
    j["splits"] = nlohmann::json::object();
    for (const SplitStats& s : stats.splits) {
        nlohmann::json o = {{"rows", s.rows},       {"users", s.users}, {"items", s.items},
                            {"positives", s.positives}, {"positive_rate", s.positiveRate},
                            {"warm", s.warm},       {"cold", s.cold}};
        o["history_length"] = distributionJson(s.historyLength);
        if (!stats.tokenizer.empty()) o["prompt_tokens"] = distributionJson(s.promptTokens);
        j["splits"][s.name] = std::move(o);
    }
    j["items"] = stats.items;
    j["users"] = stats.users;
    j["user_degree"] = distributionJson(stats.userDegree);
    if (!stats.tokenizer.empty()) {
        j["tokenizer"] = stats.tokenizer;
        j["truncated_prompts"] = stats.truncatedPrompts;
    }
    return j;
}

std::string statsToText(const DatasetStats& stats) {
    std::string out = fmt::format("{}: {} users, {} items\n\n", stats.dir, stats.users, stats.items);
    out += fmt::format("{:<12} {:>9} {:>7} {:>7} {:>9} {:>8} {:>9} {:>9}  {:>20}\n", "split", "rows", "users",
                       "items", "positives", "pos.rate", "warm", "cold", "history mean/p50/max");
    for (const SplitStats& s : stats.splits)
        out += fmt::format("{:<12} {:>9} {:>7} {:>7} {:>9} {:>8.3f} {:>9} {:>9}  {:>20}\n", s.name, s.rows, s.users,
                           s.items, s.positives, s.positiveRate, s.warm, s.cold,
                           fmt::format("{:.1f}/{:.0f}/{:.0f}", s.historyLength.mean, s.historyLength.p50,
                                       s.historyLength.max));
    const Distribution& d = stats.userDegree;
    out += fmt::format("\ntraining interactions per user: mean {:.1f}, median {:.0f}, p95 {:.0f}, max {:.0f} ({} users)\n",
                       d.mean, d.p50, d.p95, d.max, d.count);
    if (!stats.tokenizer.empty()) {
        out += fmt::format("\nprompt tokens ({} tokenizer):\n", stats.tokenizer);
        for (const SplitStats& s : stats.splits)
            out += fmt::format("  {:<12} mean {:>7.1f}  p50 {:>6.0f}  p95 {:>6.0f}  max {:>6.0f}\n", s.name,
                               s.promptTokens.mean, s.promptTokens.p50, s.promptTokens.p95, s.promptTokens.max);
        out += fmt::format("  prompts that dropped history titles to fit max_length: {}\n", stats.truncatedPrompts);
    }
    return out;
}

}  // namespace glr::data
