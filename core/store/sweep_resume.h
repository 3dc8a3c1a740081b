#pragma once
// Completing a sweep that stopped part-way (`graphlora sweep --resume`, one Slurm array task per
// point, the workbench's "Complete sweep"): the sweep's grid points as written when it was
// launched, and what to do with each from the runs the store holds for it. The newest run of a
// point decides, except that a finished run anywhere means the point is done.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/run_store.h"

namespace glr::store {

enum class PointAction {
    Done,     // a run of the point finished
    Start,    // no run yet
    Resume,   // its newest run was interrupted (or queued, or failed with retryFailed): continue it
    Running,  // its newest run is running in a live process: leave it be
    Failed,   // its newest run failed and retryFailed is off
};

struct PointPlan {
    std::size_t index = 0;
    PointAction action = PointAction::Start;
    std::int64_t runId = 0;  // the run that decided (0 for Start)
};

// `points[i]` is grid point i's parameters as the sweep expanded them; `runs` are the sweep's
// runs in any order (a point's runs are those whose sweepParams equal its parameters).
std::vector<PointPlan> planSweepResume(const std::vector<nlohmann::json>& points, const std::vector<RunRecord>& runs,
                                       bool retryFailed);

const char* toString(PointAction action);

// One grid point as launched: its run name, varied parameters and canonical config file.
struct SweepPointFile {
    std::string name;
    nlohmann::json params;
    std::string configFile;
};

// artifactsRoot(store)/sweep-<id>: where a sweep's point configs and their list live.
std::string sweepDirectory(const std::string& storePath, std::int64_t sweepId);

// Writes each point's canonical config (`configJson`) as run-<i>.json in `dir`, then the list
// (points.json), so that the sweep can be completed without its sweep file or base config.
std::vector<SweepPointFile> writeSweepPoints(const std::string& dir,
                                             const std::vector<std::pair<SweepPointFile, std::string>>& pointsAndConfigs);

// The list written by writeSweepPoints; InputError naming the file when it is missing or damaged.
std::vector<SweepPointFile> readSweepPoints(const std::string& dir, std::int64_t sweepId);

}  // namespace glr::store
