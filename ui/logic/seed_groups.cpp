#include "logic/seed_groups.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "logic/aggregate.h"
#include "logic/ordering.h"
#include "logic/smoothing.h"

namespace glr::ui {

namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

// A member's points in ascending step order, a repeated step keeping its last point. Stored
// series come ordered by step, so this is one pass; anything else is sorted first.
struct OrderedPoint {
    qint64 step;
    double x, y;
};

std::vector<OrderedPoint> orderedByStep(const SeedGroupMember& member) {
    std::vector<OrderedPoint> points;
    points.reserve(member.steps.size());
    for (int i = 0; i < member.steps.size(); ++i) points.push_back({member.steps[i], member.x[i], member.y[i]});
    const auto byStep = [](const OrderedPoint& a, const OrderedPoint& b) { return a.step < b.step; };
    if (!std::is_sorted(points.begin(), points.end(), byStep)) std::stable_sort(points.begin(), points.end(), byStep);
    std::vector<OrderedPoint> unique;
    unique.reserve(points.size());
    for (const OrderedPoint& p : points) {
        if (!unique.empty() && unique.back().step == p.step) unique.back() = p;
        else unique.push_back(p);
    }
    return unique;
}

}  // namespace

AlignedSeedGroup alignSeedGroup(const QVector<SeedGroupMember>& members) {
    std::vector<std::vector<OrderedPoint>> ordered;
    for (const SeedGroupMember& member : members) ordered.push_back(orderedByStep(member));
    std::vector<std::size_t> next(ordered.size(), 0);  // each member's first point not yet merged
    AlignedSeedGroup out;
    out.members.resize(members.size());
    std::vector<double> finite;
    while (true) {
        // The smallest step any member has left: merged across members in one pass each.
        std::optional<qint64> step;
        for (std::size_t m = 0; m < ordered.size(); ++m)
            if (next[m] < ordered[m].size() && (!step || ordered[m][next[m]].step < *step)) step = ordered[m][next[m]].step;
        if (!step) break;
        out.steps << *step;
        double xSum = 0;
        int xCount = 0;
        finite.clear();
        for (std::size_t m = 0; m < ordered.size(); ++m) {
            if (next[m] >= ordered[m].size() || ordered[m][next[m]].step != *step) {
                out.members[int(m)] << kMissing;
                continue;
            }
            const OrderedPoint& p = ordered[m][next[m]++];
            xSum += p.x;
            ++xCount;
            out.members[int(m)] << p.y;
            if (std::isfinite(p.y)) finite.push_back(p.y);
        }
        out.x << xSum / xCount;
        out.rawMean << meanStd(finite).mean;
    }
    const QVector<int> order = ascendingOrder(out.x);
    out.steps = permuted(out.steps, order);
    out.x = permuted(out.x, order);
    out.rawMean = permuted(out.rawMean, order);
    for (auto& member : out.members) member = permuted(member, order);
    return out;
}

SeedBand seedBand(const QVector<QVector<double>>& members, double smoothing) {
    std::vector<std::vector<double>> smoothed;
    int length = 0;
    for (const QVector<double>& member : members) {
        smoothed.push_back(debiasedEma(std::vector<double>(member.begin(), member.end()), smoothing));
        length = std::max(length, int(member.size()));
    }
    SeedBand band;
    for (int i = 0; i < length; ++i) {
        std::vector<double> values;
        for (const auto& member : smoothed)
            if (i < int(member.size()) && std::isfinite(member[i])) values.push_back(member[i]);
        const MeanStd stats = meanStd(values);
        band.mean << stats.mean;
        band.std << (stats.count > 0 ? stats.std : kMissing);
        band.count << stats.count;
    }
    return band;
}

}  // namespace glr::ui
