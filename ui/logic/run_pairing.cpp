#include "logic/run_pairing.h"

#include <QCoreApplication>
#include <QMap>

namespace glr::ui {

namespace {

QString tr(const char* text) { return QCoreApplication::translate("RunPairing", text); }

QString runLabel(const RunSummary& run) { return QStringLiteral("#%1 %2").arg(run.id).arg(run.name); }

}  // namespace

RunPairing pairRunsForTest(const QVector<RunSummary>& runs) {
    RunPairing out;
    if (runs.size() < 2) {
        out.problem = tr("Select two runs evaluated on the same rows, or the runs of two experiments with the same "
                         "seeds.");
        return out;
    }
    if (runs.size() == 2) {
        out.pairs = {{runs[0].id, runs[1].id}};
        out.labelA = runLabel(runs[0]);
        out.labelB = runLabel(runs[1]);
        return out;
    }
    QVector<QString> groups;  // in order of first appearance
    QMap<QString, QMap<qint64, const RunSummary*>> bySeed;
    for (const RunSummary& run : runs) {
        if (!groups.contains(run.groupHash)) groups.push_back(run.groupHash);
        auto& seeds = bySeed[run.groupHash];
        if (seeds.contains(run.seed)) {
            out.problem = tr("Runs #%1 and #%2 are the same experiment with the same seed; keep one of them.")
                              .arg(seeds[run.seed]->id)
                              .arg(run.id);
            return out;
        }
        seeds[run.seed] = &run;
    }
    if (groups.size() != 2) {
        out.problem = tr("These %1 runs belong to %2 experiments; select the runs of exactly two, with the same seeds.")
                          .arg(runs.size())
                          .arg(groups.size());
        return out;
    }
    const auto& seedsA = bySeed[groups[0]];
    const auto& seedsB = bySeed[groups[1]];
    if (seedsA.keys() != seedsB.keys()) {
        out.problem = tr("The two experiments' seeds differ; select runs whose seeds match one to one.");
        return out;
    }
    for (auto it = seedsA.begin(); it != seedsA.end(); ++it) out.pairs.push_back({it.value()->id, seedsB[it.key()]->id});
    const RunSummary& firstA = *seedsA.first();
    const RunSummary& firstB = *seedsB.first();
    out.labelA = tr("%1 (%2 seeds)").arg(firstA.method).arg(seedsA.size());
    out.labelB = tr("%1 (%2 seeds)").arg(firstB.method).arg(seedsB.size());
    return out;
}

}  // namespace glr::ui
