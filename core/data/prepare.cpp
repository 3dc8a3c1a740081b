// Raw interactions -> split directory; the algorithm is described in prepare.h.
#include "data/prepare.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <numeric>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "data/raw_input.h"
#include "data/rng.h"
#include "data/text.h"
#include "util/error.h"
#include "util/files.h"

namespace glr::data {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

class Progress {
public:
    explicit Progress(const DataProgress& callback) : callback_(callback) {}
    void operator()(double fraction, const std::string& message) const {
        if (callback_ && !callback_(std::clamp(fraction, 0.0, 1.0), message)) throw Cancelled();
    }

private:
    const DataProgress& callback_;
};

// Temporary output directory, removed unless committed.
class StagingDir {
public:
    explicit StagingDir(const fs::path& target) : target_(target) {
        static std::atomic<int> counter{0};
        const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
        std::error_code ec;
        fs::create_directories(parent, ec);
        path_ = parent / fmt::format(".{}.tmp-{}-{}", target.filename().string(), ::getpid(), counter++);
        fs::remove_all(path_, ec);
        if (!fs::create_directory(path_, ec) || ec)
            failInput("cannot create the temporary directory {}: {}", path_.string(), ec.message());
    }
    ~StagingDir() {
        if (!committed_) {
            std::error_code ec;
            fs::remove_all(path_, ec);
        }
    }
    const fs::path& path() const { return path_; }

    void commit(bool overwrite) {
        std::error_code ec;
        fs::path old;
        if (fs::exists(target_)) {
            // An empty directory (e.g. made by a file dialog) is replaced without asking.
            if (!overwrite && !(fs::is_directory(target_) && fs::is_empty(target_)))
                failInput("{} already exists (pass --force to replace it)", target_.string());
            old = target_.parent_path() / fmt::format(".{}.old-{}", target_.filename().string(), ::getpid());
            fs::remove_all(old, ec);
            fs::rename(target_, old, ec);
            if (ec) failInput("cannot move the old {} aside: {}", target_.string(), ec.message());
        }
        fs::rename(path_, target_, ec);
        if (ec) failInput("cannot rename {} to {}: {}", path_.string(), target_.string(), ec.message());
        committed_ = true;
        if (!old.empty()) fs::remove_all(old, ec);
    }

private:
    fs::path target_, path_;
    bool committed_ = false;
};

const char* const kSplitNames[] = {"train", "valid", "test"};

}  // namespace

double PrepareResult::seconds(const std::string& stage) const {
    for (const auto& [name, value] : timings)
        if (name == stage) return value;
    return 0;
}

PrepareResult prepareSplits(const PrepareSpec& spec, const std::string& outDir, const PrepareOptions& options) {
    const auto start = Clock::now();
    const Progress progress(options.progress);
    PrepareResult result;
    const fs::path target = fs::path(outDir).lexically_normal();
    result.outDir = target.string();
    if (fs::exists(target) && !options.overwrite && !(fs::is_directory(target) && fs::is_empty(target)))
        failInput("{} already exists (pass --force to replace it)", target.string());

    // 1. Raw files.
    auto stageStart = Clock::now();
    progress(0, "reading items");
    const raw::RawProgress report = [&progress](double f, const std::string& m) { progress(f, m); };
    const raw::Catalog catalog = raw::readCatalog(spec.items, report);
    result.timings.emplace_back("read_items", secondsSince(stageStart));
    stageStart = Clock::now();
    raw::Interactions data =
        raw::readInteractions(spec.interactions, catalog, spec.ratingAtLeast, spec.items.path, report);
    const std::size_t n = data.user.size();
    result.rawRows = static_cast<std::int64_t>(n);
    result.timings.emplace_back("read_interactions", secondsSince(stageStart));

    // 2–3. Windows, then the one-pass filter.
    stageStart = Clock::now();
    progress(0.5, "windowing");
    std::vector<std::int8_t> split(n, -1);
    if (spec.split.mode == SplitSpec::Mode::Dates) {
        const TimeWindow* windows[] = {&spec.split.train, &spec.split.valid, &spec.split.test};
        for (std::size_t r = 0; r < n; ++r) {
            const std::int64_t t = data.time[r];
            for (std::int8_t s = 0; s < 3; ++s)
                if (t >= windows[s]->start && t < windows[s]->end) {
                    split[r] = s;
                    break;
                }
        }
    } else {
        std::vector<std::uint32_t> order(n);
        std::iota(order.begin(), order.end(), 0u);
        std::stable_sort(order.begin(), order.end(),
                         [&](std::uint32_t a, std::uint32_t b) { return data.time[a] < data.time[b]; });
        const auto trainEnd = static_cast<std::size_t>(spec.split.trainEnd * double(n));
        const auto validEnd = static_cast<std::size_t>(spec.split.validEnd * double(n));
        for (std::size_t p = 0; p < n; ++p) split[order[p]] = p < trainEnd ? 0 : p < validEnd ? 1 : 2;
    }
    std::vector<std::int32_t> userCount(data.users.size(), 0), itemCount(catalog.entries.size(), 0);
    for (std::size_t r = 0; r < n; ++r)
        if (split[r] >= 0) {
            ++userCount[data.user[r]];
            ++itemCount[data.item[r]];
        }
    for (std::size_t r = 0; r < n; ++r) {
        if (split[r] < 0) {
            ++result.outsideWindows;
        } else if (userCount[data.user[r]] < spec.minUserInteractions ||
                   itemCount[data.item[r]] < spec.minItemInteractions) {
            split[r] = -1;
            ++result.filtered;
        }
    }
    result.timings.emplace_back("window_filter", secondsSince(stageStart));

    // 4. Order kept rows by (user key, time, source position): a counting sort by user rank
    // keeps source order, then each user's rows are stably sorted by time.
    stageStart = Clock::now();
    progress(0.55, "sorting");
    const std::vector<std::int32_t> userRank = data.users.ranks();
    std::vector<std::int64_t> bucketStart(data.users.size() + 1, 0);
    std::size_t kept = 0;
    for (std::size_t r = 0; r < n; ++r)
        if (split[r] >= 0) {
            ++bucketStart[userRank[data.user[r]] + 1];
            ++kept;
        }
    if (kept == 0) {
        const auto [lo, hi] = std::minmax_element(data.time.begin(), data.time.end());
        failInput("no interactions left after windowing and filtering (the data spans {} .. {})",
                  formatUtcDateTime(*lo), formatUtcDateTime(*hi));
    }
    std::partial_sum(bucketStart.begin(), bucketStart.end(), bucketStart.begin());
    std::vector<std::uint32_t> order(kept);
    {
        std::vector<std::int64_t> fill(bucketStart.begin(), bucketStart.end() - 1);
        for (std::size_t r = 0; r < n; ++r)
            if (split[r] >= 0) order[fill[userRank[data.user[r]]]++] = static_cast<std::uint32_t>(r);
    }
    std::int32_t numUsers = 0;
    std::vector<std::int32_t> newUser(kept);  // dense uid per position of `order`
    for (std::size_t b = 0; b + 1 < bucketStart.size(); ++b) {
        const auto lo = order.begin() + bucketStart[b], hi = order.begin() + bucketStart[b + 1];
        if (lo == hi) continue;
        std::stable_sort(lo, hi, [&](std::uint32_t a, std::uint32_t c) { return data.time[a] < data.time[c]; });
        ++numUsers;
        std::fill(newUser.begin() + bucketStart[b], newUser.begin() + bucketStart[b + 1], numUsers);
    }
    std::vector<std::int32_t> newItemOf(catalog.entries.size(), 0);
    std::vector<std::int32_t> catalogOf(1, -1);  // new iid -> catalog index
    std::vector<std::int32_t> newItem(kept);
    for (std::size_t p = 0; p < kept; ++p) {
        std::int32_t& id = newItemOf[data.item[order[p]]];
        if (id == 0) {
            id = static_cast<std::int32_t>(catalogOf.size());
            catalogOf.push_back(data.item[order[p]]);
        }
        newItem[p] = id;
    }
    const std::int32_t numItems = static_cast<std::int32_t>(catalogOf.size()) - 1;
    result.users = numUsers;
    result.items = numItems;
    result.timings.emplace_back("sort_remap", secondsSince(stageStart));

    // 5. Histories: a user's rows are contiguous and in time order, so the history of a row is
    // the prefix of that user's positive items before it; store its length only.
    stageStart = Clock::now();
    progress(0.6, "histories");
    std::vector<std::uint32_t> historyLength(kept);
    std::vector<std::uint32_t> historyStart(kept);  // offset of the user's positives in `positives`
    std::vector<std::int32_t> positives;
    positives.reserve(kept);
    std::vector<std::uint8_t> userInTrain(numUsers + 1, 0), itemInTrain(numItems + 1, 0);
    {
        std::int32_t currentUser = -1;
        std::uint32_t userStart = 0;
        for (std::size_t p = 0; p < kept; ++p) {
            if (newUser[p] != currentUser) {
                currentUser = newUser[p];
                userStart = static_cast<std::uint32_t>(positives.size());
            }
            historyStart[p] = userStart;
            historyLength[p] = static_cast<std::uint32_t>(positives.size()) - userStart;
            const std::uint32_t r = order[p];
            if (data.label[r]) positives.push_back(newItem[p]);
            if (split[r] == 0) {
                userInTrain[newUser[p]] = 1;
                itemInTrain[newItem[p]] = 1;
            }
        }
    }
    result.timings.emplace_back("histories", secondsSince(stageStart));

    // 6–7. Write.
    stageStart = Clock::now();
    progress(0.65, "writing");
    std::string text[3];
    std::vector<std::size_t> validLineStart;  // for valid_small
    PrepareResult::SplitCount counts[3];
    {
        // Size the buffers once: about 40 bytes of fixed fields per row, 7 per history id.
        std::size_t bytes[3] = {64, 64, 64};
        for (std::size_t p = 0; p < kept; ++p) bytes[split[order[p]]] += 40 + 7 * std::size_t(historyLength[p]);
        for (int s = 0; s < 3; ++s) {
            counts[s].name = kSplitNames[s];
            text[s].reserve(bytes[s]);
            text[s] = "uid\tiid\tlabel\ttimestamp\tnot_cold\thistory\n";
        }
    }
    for (std::size_t p = 0; p < kept; ++p) {
        const std::uint32_t r = order[p];
        const int s = split[r];
        std::string& out = text[s];
        if (s == 1) validLineStart.push_back(out.size());
        const bool notCold = userInTrain[newUser[p]] && itemInTrain[newItem[p]];
        appendInt(out, newUser[p]);
        out.push_back('\t');
        appendInt(out, newItem[p]);
        out.push_back('\t');
        out.push_back(data.label[r] ? '1' : '0');
        out.push_back('\t');
        appendInt(out, data.time[r]);
        out.push_back('\t');
        out.push_back(notCold ? '1' : '0');
        out.push_back('\t');
        const std::int32_t* h = positives.data() + historyStart[p];
        for (std::uint32_t k = 0; k < historyLength[p]; ++k) {
            if (k) out.push_back(' ');
            appendInt(out, h[k]);
        }
        out.push_back('\n');
        ++counts[s].rows;
        counts[s].positives += data.label[r];
        counts[s].warm += notCold;
        if ((p & 0x3FFFF) == 0) progress(0.65 + 0.2 * double(p) / double(kept), "formatting rows");
    }
    for (int s = 0; s < 3; ++s) {
        if (counts[s].rows > 0) continue;
        if (spec.split.mode == SplitSpec::Mode::Dates) {
            const TimeWindow* w[] = {&spec.split.train, &spec.split.valid, &spec.split.test};
            const auto [lo, hi] = std::minmax_element(data.time.begin(), data.time.end());
            failInput("split '{}' is empty: no interactions in [{}, {}) after filtering (the data spans {} .. {})",
                      kSplitNames[s], w[s]->startText, w[s]->endText, formatUtcDateTime(*lo), formatUtcDateTime(*hi));
        }
        failInput("split '{}' is empty after filtering", kSplitNames[s]);
    }
    for (int s = 0; s < 3; ++s) result.splits.push_back(counts[s]);

    StagingDir staging(target);
    for (int s = 0; s < 3; ++s) {
        progress(0.85 + 0.03 * s, fmt::format("writing {}.tsv", kSplitNames[s]));
        writeFileAtomic((staging.path() / (std::string(kSplitNames[s]) + ".tsv")).string(), text[s]);
    }
    if (spec.validSmall) {
        const std::size_t nValid = validLineStart.size();
        const auto take = static_cast<std::size_t>(spec.validSmallFraction * double(nValid));
        if (take == 0) failInput("valid_small is empty: fraction {} of {} valid rows", spec.validSmallFraction, nValid);
        std::vector<std::uint32_t> pick(nValid);
        std::iota(pick.begin(), pick.end(), 0u);
        SplitMix64 rng(spec.validSmallSeed);
        for (std::size_t i = 0; i < take; ++i) std::swap(pick[i], pick[i + rng.below(nValid - i)]);
        pick.resize(take);
        std::sort(pick.begin(), pick.end());
        std::string small = "uid\tiid\tlabel\ttimestamp\tnot_cold\thistory\n";
        PrepareResult::SplitCount sc;
        sc.name = "valid_small";
        const std::string& valid = text[1];
        for (std::uint32_t i : pick) {
            const std::size_t b = validLineStart[i];
            const std::size_t e = i + 1 < nValid ? validLineStart[i + 1] : valid.size();
            small.append(valid, b, e - b);
            // label and not_cold are the 3rd and 5th fields.
            std::size_t tab1 = valid.find('\t', b), tab2 = valid.find('\t', tab1 + 1);
            std::size_t tab3 = valid.find('\t', tab2 + 1), tab4 = valid.find('\t', tab3 + 1);
            sc.positives += valid[tab2 + 1] == '1';
            sc.warm += valid[tab4 + 1] == '1';
            ++sc.rows;
        }
        writeFileAtomic((staging.path() / "valid_small.tsv").string(), small);
        result.splits.push_back(sc);
    }
    {
        std::string items = catalog.hasGenres ? "iid\ttitle\tgenres\n" : "iid\ttitle\n";
        for (std::int32_t iid = 1; iid <= numItems; ++iid) {
            const raw::CatalogEntry& e = catalog.entries[catalogOf[iid]];
            appendInt(items, iid);
            items.push_back('\t');
            items += e.title;
            if (catalog.hasGenres) {
                items.push_back('\t');
                items += e.genres;
            }
            items.push_back('\n');
        }
        writeFileAtomic((staging.path() / "items.tsv").string(), items);
    }
    result.timings.emplace_back("write", secondsSince(stageStart));
    result.timings.emplace_back("total", secondsSince(start));
    {
        nlohmann::json meta;
        meta["spec"] = nlohmann::json::parse(spec.sourceJson.empty() ? "null" : spec.sourceJson);
        meta["raw_rows"] = result.rawRows;
        meta["outside_windows"] = result.outsideWindows;
        meta["filtered"] = result.filtered;
        meta["users"] = result.users;
        meta["items"] = result.items;
        for (const auto& sc : result.splits)
            meta["splits"][sc.name] = {{"rows", sc.rows}, {"positives", sc.positives}, {"warm", sc.warm}};
        writeFileAtomic((staging.path() / "prepare.json").string(), meta.dump(2) + "\n");
    }
    progress(0.99, "renaming into place");
    staging.commit(options.overwrite);
    progress(1.0, "done");
    return result;
}

}  // namespace glr::data
