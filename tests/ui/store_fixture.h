#pragma once
// A store filled through RunStore with runs whose numbers the tests know by construction:
//   graphlora seeds 1,2,3 (test AUC 0.70, 0.72, 0.74 → mean 0.72 ± 0.02), lora-only seeds 1,2
//   (0.65, 0.67), one mf run (0.60), one interrupted and one failed graphlora run, and a sweep
//   over method.inject.layers [[0],[1],[2]] × seed [1,2] whose best validation AUC is
//   0.60 + 0.05·layer + 0.01·seed.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/config_schema.h"
#include "config/experiment_config.h"
#include "store/run_store.h"

namespace glr::test {

struct FilledStore {
    std::vector<std::int64_t> graphlora, loraOnly;
    std::int64_t mf = 0, interrupted = 0, failed = 0, sweepId = 0;
    std::vector<std::int64_t> sweepRuns;
};

inline store::NewRun newRun(const std::string& method, std::int64_t seed, const std::string& name,
                            const std::vector<std::pair<std::string, nlohmann::json>>& keys = {}) {
    nlohmann::json config = config::defaultConfigJson();
    config["name"] = name;
    config["seed"] = seed;
    config["method"]["name"] = method;
    config["data"]["dir"] = "/data/ml1m-collm";
    for (const auto& [path, value] : keys) config::setKey(config, path, value);
    auto run = store::NewRun::fromConfig(config::parseExperimentConfig(config, "/", "fixture"), "1.13.1");
    return run;
}

inline void addFinished(store::RunStore& s, std::int64_t id, double auc, double uaucOffset = -0.05) {
    s.setStatus(id, store::RunStatus::Running);
    std::vector<store::MetricPoint> points;
    for (int step = 1; step <= 50; ++step)
        points.push_back({step, step / 50.0, "train", "loss", 0.7 - 0.004 * step + 0.01 * ((step * 7) % 5), 0});
    for (int k = 1; k <= 5; ++k) points.push_back({k * 10, k / 5.0, "valid", "auc", auc - 0.05 + 0.01 * k, 0});
    s.appendMetrics(id, points);
    std::vector<store::ResultRow> rows;
    rows.push_back({0, "test", "all", "auc", auc, 7331});
    rows.push_back({0, "test", "warm", "auc", auc + 0.03, 4153});
    rows.push_back({0, "test", "cold", "auc", auc - 0.08, 3178});
    rows.push_back({0, "test", "all", "uauc", auc + uaucOffset, 7331});
    rows.push_back({0, "test", "warm", "uauc", auc + uaucOffset + 0.02, 4153});
    rows.push_back({0, "test", "cold", "uauc", auc + uaucOffset - 0.04, 3178});
    rows.push_back({0, "test", "degree_0", "auc", auc - 0.1, 500});
    rows.push_back({0, "test", "degree_1-4", "auc", auc - 0.02, 2000});
    s.writeResults(id, rows);
    s.setStatus(id, store::RunStatus::Finished);
}

inline FilledStore fillStore(const std::string& path) {
    store::RunStore s(path);
    FilledStore out;
    const double gl[] = {0.70, 0.72, 0.74};
    for (int seed = 1; seed <= 3; ++seed) {
        const auto id = s.createRun(newRun("graphlora", seed, "graphlora-s" + std::to_string(seed)));
        addFinished(s, id, gl[seed - 1]);
        out.graphlora.push_back(id);
    }
    s.setTags(out.graphlora[0], {"paper", "table3"});
    const double lo[] = {0.65, 0.67};
    for (int seed = 1; seed <= 2; ++seed) {
        const auto id = s.createRun(newRun("lora-only", seed, "lora-only-s" + std::to_string(seed),
                                           {{"method.mf.trainable", false}}));
        addFinished(s, id, lo[seed - 1]);
        out.loraOnly.push_back(id);
    }
    out.mf = s.createRun(newRun("mf", 1, "mf-s1", {{"train.lr", 1e-3}}));
    addFinished(s, out.mf, 0.60);
    out.interrupted = s.createRun(newRun("graphlora", 4, "graphlora-interrupted"));
    s.setStatus(out.interrupted, store::RunStatus::Running);
    s.appendMetrics(out.interrupted, {{1, 0.1, "train", "loss", 0.69, 0}, {2, 0.2, "train", "loss", 0.68, 0}});
    s.setStatus(out.interrupted, store::RunStatus::Interrupted, "stopped by the user");
    out.failed = s.createRun(newRun("graphlora", 5, "graphlora-failed"));
    s.setStatus(out.failed, store::RunStatus::Failed, "loss is NaN at step 3");

    nlohmann::json grid = {{"method.inject.layers", {{0}, {1}, {2}}}, {"seed", {1, 2}}};
    out.sweepId = s.createSweep("inject-layer", grid);
    for (int layer = 0; layer < 3; ++layer) {
        for (int seed = 1; seed <= 2; ++seed) {
            auto run = newRun("graphlora", seed, "inject-layer[layers=[" + std::to_string(layer) + "],seed=" + std::to_string(seed) + "]",
                              {{"method.inject.layers", nlohmann::json::array({layer})}});
            run.sweepId = out.sweepId;
            run.sweepParams = {{"method.inject.layers", {layer}}, {"seed", seed}};
            const auto id = s.createRun(run);
            s.setStatus(id, store::RunStatus::Running);
            const double best = 0.60 + 0.05 * layer + 0.01 * seed;
            s.appendMetrics(id, {{10, 0.5, "valid", "auc", best - 0.02, 0}, {20, 1.0, "valid", "auc", best, 0}});
            s.setStatus(id, store::RunStatus::Finished);
            out.sweepRuns.push_back(id);
        }
    }
    return out;
}

}  // namespace glr::test
