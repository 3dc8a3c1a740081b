#pragma once
// Which runs the Significance tab tests against which. Two selected runs are one pair, in the
// order given. More pair up when they fall into exactly two experiments (group hash: the config
// except the seed) whose seeds match one to one: run A of each seed against run B of that seed,
// the experiment of the first run given being A.
#include <QPair>
#include <QString>
#include <QVector>

#include "session/snapshots.h"

namespace glr::ui {

struct RunPairing {
    QVector<QPair<qint64, qint64>> pairs;  // (A, B) by ascending seed; empty when `problem` is set
    QString labelA, labelB;                // "graphlora (3 seeds)", or "#12 name" for a single pair
    QString problem;                       // why the selection cannot be paired
};

RunPairing pairRunsForTest(const QVector<RunSummary>& runs);

}  // namespace glr::ui
