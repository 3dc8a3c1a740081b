#include "store/sweep_resume.h"

namespace glr::store {

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
