#pragma once
// Sweeps: a grid over config keys expanded into one validated run config per grid point.
//
//   { "name": "inject-layer",
//     "base": "../demo.json"            // path (relative to the sweep file) or an inline config
//     "set":  { "train.max_steps": 200 },                      // optional fixed overrides
//     "grid": { "method.inject.layers": [[0], [1], [2]], "seed": [1, 2, 3] } }
//
// expands to the cartesian product (9 runs). Grid keys are taken in sorted order and the last key
// varies fastest. Each run's name is "<sweep>[<leaf>=<value>,...]" (e.g.
// "inject-layer[layers=[0],seed=1]") and its varied parameters are kept as a JSON object keyed by
// full path, for the store's sweep membership and the UI's sweep plots.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/experiment_config.h"

namespace glr::config {

struct SweepRun {
    std::string name;        // also written into config.name / canonical["name"]
    nlohmann::json params;   // {"method.inject.layers": [0], "seed": 1}
    ExperimentConfig config;
};

struct SweepSpec {
    std::string name;
    nlohmann::json grid;     // {"key.path": [values...]}, as given
    std::vector<SweepRun> runs;
};

// Expands a sweep file. Errors (InputError) name the sweep file, and for a failing grid point the
// point's parameters plus the config message.
SweepSpec loadSweep(const std::string& path, const std::vector<std::string>& overrides = {});

// Same for an in-memory sweep; `baseDir` resolves a "base" path and paths in an inline base.
// `overrides` ("k.p=v") are applied to every run after "set" and before the grid values.
SweepSpec expandSweep(const nlohmann::json& sweep, const std::string& baseDir = "",
                      const std::string& sourceName = "",
                      const std::vector<std::string>& overrides = {});

}  // namespace glr::config
