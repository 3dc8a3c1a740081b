#include "data/synthetic.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include "data/prepare.h"
#include "data/rng.h"
#include "data/split_dataset.h"
#include "data/text.h"
#include "util/error.h"
#include "util/files.h"

namespace glr::data {

namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kMl1mStart = 954547200;  // 2000-04-01
constexpr std::int64_t kMl1mEnd = 1046476800;   // 2003-03-01

// Cumulative Zipf(s) weights over n ranks, for skewed user activity and item popularity.
std::vector<double> zipfCdf(std::int64_t n, double s) {
    std::vector<double> cdf(n);
    double total = 0;
    for (std::int64_t k = 0; k < n; ++k) cdf[k] = total += 1.0 / std::pow(double(k + 1), s);
    for (double& c : cdf) c /= total;
    return cdf;
}

std::int64_t sampleCdf(const std::vector<double>& cdf, SplitMix64& rng) {
    const double u = rng.uniform();
    return std::min<std::int64_t>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin(),
                                  static_cast<std::int64_t>(cdf.size()) - 1);
}

double cpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           1e-6 * double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

}  // namespace

int syntheticUserCluster(std::int32_t user, const SyntheticOptions& o) {
    return static_cast<int>(mixSeed(o.seed, static_cast<std::uint64_t>(user)) % static_cast<std::uint64_t>(o.clusters));
}

int syntheticItemCluster(std::int32_t item, const SyntheticOptions& o) { return (item - 1) % o.clusters; }

SyntheticFiles writeSyntheticDataset(const std::string& dir, const SyntheticOptions& o) {
    GLR_CHECK(o.rows > 0 && o.users > 0 && o.items >= o.clusters && o.clusters > 0, "bad synthetic options");
    GLR_CHECK(o.endTime > o.startTime, "bad synthetic time range");
    fs::create_directories(dir);
    SplitMix64 rng(o.seed);

    // Rows per user: each row picks its user with probability proportional to a log-normal
    // activity exp(0.9 z), z ~ N(0, 1) — ML-1M's users are similarly skewed (median 96 ratings,
    // mean 166, max 2,314).
    std::vector<double> userCdf(o.users);
    double total = 0;
    for (std::int32_t u = 0; u < o.users; ++u) {
        const double u1 = std::max(rng.uniform(), 1e-300), u2 = rng.uniform();
        const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);  // Box–Muller
        userCdf[u] = total += std::exp(0.9 * z);
    }
    for (double& c : userCdf) c /= total;
    std::vector<std::int64_t> perUser(o.users + 1, 0);
    for (std::int64_t r = 0; r < o.rows; ++r) ++perUser[1 + sampleCdf(userCdf, rng)];

    // Items of each cluster, with Zipf(0.8) popularity inside the cluster and overall.
    std::vector<std::vector<std::int32_t>> clusterItems(o.clusters);
    for (std::int32_t i = 1; i <= o.items; ++i) clusterItems[syntheticItemCluster(i, o)].push_back(i);
    std::vector<std::vector<double>> clusterCdf;
    for (const auto& items : clusterItems) clusterCdf.push_back(zipfCdf(static_cast<std::int64_t>(items.size()), 0.8));
    const std::vector<double> itemCdf = zipfCdf(o.items, 0.8);

    const bool dat = o.delimiter == "::";
    const std::string& d = o.delimiter;
    std::string ratings;
    ratings.reserve(static_cast<std::size_t>(o.rows) * 28);
    if (!dat) ratings += fmt::format("userId{0}movieId{0}rating{0}timestamp\n", d);
    std::vector<std::pair<std::int64_t, std::int32_t>> events;
    for (std::int32_t u = 1; u <= o.users; ++u) {
        const int cluster = syntheticUserCluster(u, o);
        events.clear();
        for (std::int64_t k = 0; k < perUser[u]; ++k) {
            std::int32_t item;
            if (rng.uniform() < o.inClusterShare && !clusterItems[cluster].empty())
                item = clusterItems[cluster][sampleCdf(clusterCdf[cluster], rng)];
            else
                item = static_cast<std::int32_t>(sampleCdf(itemCdf, rng)) + 1;
            const std::int64_t t = o.startTime + static_cast<std::int64_t>(rng.below(o.endTime - o.startTime));
            events.emplace_back(t, item);
        }
        std::sort(events.begin(), events.end());
        for (const auto& [t, item] : events) {
            // Own-cluster items are mostly liked (4–5), others mostly not (1–3).
            const bool own = syntheticItemCluster(item, o) == cluster;
            const double p = rng.uniform();
            const int rating = own ? (p < 0.8 ? 4 + int(rng.below(2)) : 1 + int(rng.below(3)))
                                   : (p < 0.8 ? 1 + int(rng.below(3)) : 4 + int(rng.below(2)));
            appendInt(ratings, u);
            ratings += d;
            appendInt(ratings, item);
            ratings += d;
            appendInt(ratings, rating);
            ratings += d;
            appendInt(ratings, t);
            ratings.push_back('\n');
        }
    }

    static const char* const kGenres[] = {"Action", "Comedy", "Drama", "Romance", "Thriller", "Sci-Fi", "Horror",
                                          "Animation"};
    std::string movies;
    if (!dat) movies += fmt::format("movieId{0}title{0}genres\n", d);
    SplitMix64 titleRng(mixSeed(o.seed, 0x7171));
    for (std::int32_t i = 1; i <= o.items; ++i) {
        // Titles and genres are independent of the clusters: only the interactions carry signal.
        const int year = 1950 + static_cast<int>(titleRng.below(50));
        const char* g1 = kGenres[titleRng.below(8)];
        const char* g2 = kGenres[titleRng.below(8)];
        movies += fmt::format("{1}{0}Movie {1} ({2}){0}{3}|{4}\n", d, i, year, g1, g2);
    }

    SyntheticFiles files;
    files.ratingsPath = (fs::path(dir) / (dat ? "ratings.dat" : "ratings.csv")).string();
    files.moviesPath = (fs::path(dir) / (dat ? "movies.dat" : "movies.csv")).string();
    writeFileAtomic(files.ratingsPath, ratings);
    writeFileAtomic(files.moviesPath, movies);

    nlohmann::json spec;
    auto table = [&](const std::string& path) {
        nlohmann::json t = {{"path", fs::path(path).filename().string()},
                            {"format", "delimited"},
                            {"delimiter", d},
                            {"header", !dat},
                            {"encoding", "utf-8"}};
        return t;
    };
    spec["interactions"] = table(files.ratingsPath);
    spec["items"] = table(files.moviesPath);
    if (dat) {
        spec["interactions"]["columns"] = {{"user", 0}, {"item", 1}, {"rating", 2}, {"timestamp", 3}};
        spec["items"]["columns"] = {{"item", 0}, {"title", 1}, {"genres", 2}};
    } else {
        spec["interactions"]["columns"] = {{"user", "userId"}, {"item", "movieId"}, {"rating", "rating"},
                                           {"timestamp", "timestamp"}};
        spec["items"]["columns"] = {{"item", "movieId"}, {"title", "title"}, {"genres", "genres"}};
    }
    spec["label"] = {{"rating_at_least", 4}};
    // ML-1M's CoLLM windows, months counted from 2000-04 as 0 (SPEC §5): train 14–23, valid 24–28,
    // test 29–33, i.e. test ends 2003-02-01 (ml1m-collm's last test row is 2003-01-31).
    if (o.startTime == kMl1mStart && o.endTime == kMl1mEnd)
        spec["split"] = {{"train", {"2001-06-01", "2002-04-01"}},
                         {"valid", {"2002-04-01", "2002-09-01"}},
                         {"test", {"2002-09-01", "2003-02-01"}}};  // SPEC §5: months 29–33
    else
        spec["split"] = {{"quantiles", {0.8, 0.9}}};
    spec["min_user_interactions"] = 0;
    spec["min_item_interactions"] = 0;
    spec["valid_small"] = {{"fraction", 0.5}, {"seed", 2023}};
    files.specJson = spec.dump(2);
    return files;
}

BenchDataResult benchPrepare(std::int64_t rows, std::uint64_t seed) {
    using Clock = std::chrono::steady_clock;
    auto seconds = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
    GLR_CHECK(rows > 0, "rows must be positive");
    const fs::path dir = fs::temp_directory_path() / fmt::format("graphlora-bench-data-{}", ::getpid());
    struct Cleanup {
        fs::path dir;
        ~Cleanup() {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    } cleanup{dir};
    fs::remove_all(dir);

    SyntheticOptions o;
    o.rows = rows;
    o.seed = seed;
    // MovieLens-1M proportions: 1,000,209 ratings, 6,040 users, 3,706 items.
    o.users = static_cast<std::int32_t>(std::max<std::int64_t>(50, rows * 6040 / 1000209));
    o.items = static_cast<std::int32_t>(std::max<std::int64_t>(40, rows * 3706 / 1000209));

    BenchDataResult result;
    result.rows = rows;
    auto t0 = Clock::now();
    const SyntheticFiles files = writeSyntheticDataset((dir / "raw").string(), o);
    result.generateSeconds = seconds(t0);

    const PrepareSpec spec = parsePrepareSpecText(files.specJson, (dir / "raw").string(), "bench spec");
    t0 = Clock::now();
    double cpu0 = cpuSeconds();
    const PrepareResult prepared = prepareSplits(spec, (dir / "split").string());
    result.prepareSeconds = seconds(t0);
    result.prepareCpuSeconds = cpuSeconds() - cpu0;
    result.stages = prepared.timings;
    for (const auto& s : prepared.splits)
        if (s.name != "valid_small") result.preparedRows += s.rows;

    t0 = Clock::now();
    cpu0 = cpuSeconds();
    const SplitDataset loaded = SplitDataset::load((dir / "split").string());
    result.loadSeconds = seconds(t0);
    result.loadCpuSeconds = cpuSeconds() - cpu0;
    GLR_CHECK(static_cast<std::int64_t>(loaded.train.size() + loaded.valid.size() + loaded.test.size()) ==
                  result.preparedRows,
              "bench: loaded rows differ from prepared rows");
    result.rowsPerSecond = result.prepareSeconds > 0 ? double(rows) / result.prepareSeconds : 0;
    return result;
}

}  // namespace glr::data
