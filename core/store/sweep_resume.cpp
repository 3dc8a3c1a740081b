#include "store/sweep_resume.h"

#include <filesystem>

#include <fmt/format.h>

#include "util/error.h"
#include "util/files.h"

namespace glr::store {

namespace fs = std::filesystem;

std::string sweepDirectory(const std::string& storePath, std::int64_t sweepId) {
    return (fs::path(artifactsRoot(storePath)) / ("sweep-" + std::to_string(sweepId))).string();
}

std::vector<SweepPointFile> writeSweepPoints(const std::string& dir,
                                             const std::vector<std::pair<SweepPointFile, std::string>>& pointsAndConfigs) {
    fs::create_directories(dir);
    std::vector<SweepPointFile> points;
    nlohmann::json list = nlohmann::json::array();
    for (std::size_t i = 0; i < pointsAndConfigs.size(); ++i) {
        SweepPointFile point = pointsAndConfigs[i].first;
        point.configFile = (fs::path(dir) / fmt::format("run-{}.json", i)).string();
        writeFileAtomic(point.configFile, pointsAndConfigs[i].second);
        list.push_back({{"index", i}, {"name", point.name}, {"params", point.params}, {"config", point.configFile}});
        points.push_back(std::move(point));
    }
    writeFileAtomic((fs::path(dir) / "points.json").string(), list.dump(2));
    return points;
}

std::vector<SweepPointFile> readSweepPoints(const std::string& dir, std::int64_t sweepId) {
    const fs::path file = fs::path(dir) / "points.json";
    if (!fs::exists(file))
        failInput("sweep {}: {} is missing, so its grid points are unknown (sweeps launched before this file existed "
                  "cannot be completed: launch the sweep again)", sweepId, file.string());
    std::vector<SweepPointFile> points;
    try {
        const auto list = nlohmann::json::parse(readFile(file.string()));
        for (const auto& entry : list)
            points.push_back({entry.at("name").get<std::string>(), entry.at("params"), entry.at("config").get<std::string>()});
    } catch (const nlohmann::json::exception& e) {
        failInput("{}: not a sweep's list of points ({})", file.string(), e.what());
    }
    return points;
}

std::vector<PointPlan> planSweepResume(const std::vector<nlohmann::json>& points, const std::vector<RunRecord>& runs,
                                       bool retryFailed) {
    std::vector<PointPlan> plans;
    plans.reserve(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
        PointPlan plan;
        plan.index = i;
        const RunRecord* newest = nullptr;
        const RunRecord* finished = nullptr;
        for (const auto& run : runs) {
            if (run.sweepParams != points[i]) continue;
            if (run.status == RunStatus::Finished && (!finished || run.id > finished->id)) finished = &run;
            if (!newest || run.id > newest->id) newest = &run;
        }
        if (finished) {
            plan.action = PointAction::Done;
            plan.runId = finished->id;
        } else if (newest) {
            plan.runId = newest->id;
            switch (newest->status) {
                case RunStatus::Running: plan.action = PointAction::Running; break;
                case RunStatus::Failed: plan.action = retryFailed ? PointAction::Resume : PointAction::Failed; break;
                default: plan.action = PointAction::Resume; break;  // interrupted, queued
            }
        }
        plans.push_back(plan);
    }
    return plans;
}

const char* toString(PointAction action) {
    switch (action) {
        case PointAction::Done: return "done";
        case PointAction::Start: return "start";
        case PointAction::Resume: return "resume";
        case PointAction::Running: return "running";
        case PointAction::Failed: return "failed";
    }
    return "?";
}

}  // namespace glr::store
