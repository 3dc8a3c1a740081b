#pragma once
// Generated MovieLens-like data for tests and benchmarks: users and items fall into latent
// clusters; a user rates items of their own cluster high more often, so the data carries a
// collaborative signal a graph can find while titles ("Movie 123 (1998)") carry none.
#include <cstdint>
#include <string>
#include <vector>

#include "data/prepare_spec.h"

namespace glr::data {

struct SyntheticOptions {
    std::int64_t rows = 100000;
    std::int32_t users = 6000;
    std::int32_t items = 3500;
    int clusters = 8;
    double inClusterShare = 0.6;  // share of a user's ratings drawn from their own cluster
    std::uint64_t seed = 7;
    std::int64_t startTime = 954547200;  // 2000-04-01 UTC
    std::int64_t endTime = 1046476800;   // 2003-03-01 UTC
    std::string delimiter = ",";         // "::" writes ML-1M style ratings.dat/movies.dat
};

struct SyntheticFiles {
    std::string ratingsPath;  // user,item,rating,timestamp (header "userId,movieId,rating,timestamp" for ",")
    std::string moviesPath;   // item,title,genres
    std::string specJson;     // a prepare spec reading both files with ML-1M's dated windows
};

// Writes the two files into `dir` (created if needed). Rows are in user order, then time order
// within a user, like ratings.dat. Deterministic for a given options.seed.
SyntheticFiles writeSyntheticDataset(const std::string& dir, const SyntheticOptions& options);

// Cluster of a synthetic user / item (tests of the signal): ids as written (1-based).
int syntheticUserCluster(std::int32_t user, const SyntheticOptions& options);
int syntheticItemCluster(std::int32_t item, const SyntheticOptions& options);

// `graphlora bench data`: generate `rows` interactions, prepare them (ML-1M windows over the
// generated time span), load the result, and time every stage. Works in a temporary directory
// that is removed afterwards.
struct BenchDataResult {
    std::int64_t rows = 0;
    std::int64_t preparedRows = 0;  // train + valid + test
    double generateSeconds = 0;
    double prepareSeconds = 0;  // parse + window + filter + remap + histories + write
    double loadSeconds = 0;     // SplitDataset::load of the result
    std::vector<std::pair<std::string, double>> stages;  // prepare's own stage timings
    double rowsPerSecond = 0;   // rows / prepareSeconds
    // Process CPU seconds (user + system) of prepare and load: on a shared machine the wall
    // times above include waiting for a core; these do not.
    double prepareCpuSeconds = 0;
    double loadCpuSeconds = 0;
};
BenchDataResult benchPrepare(std::int64_t rows, std::uint64_t seed = 7);

}  // namespace glr::data
