#pragma once
// Several runs of one experiment (the same config but the seed) drawn as one curve: the mean
// over seeds with a ± one standard deviation band, as experiment trackers group repeated runs.
//
// Runs are matched point by point on the training step, not on x: seeds of one config log at
// the same steps, while their wall times differ. The group's x at a step is the mean of its
// members' x there (the step itself, the epoch, or the mean elapsed time).
//
// Smoothing comes first, per run (the same debiased EMA as single curves), then the mean and
// the sample deviation (n - 1) across runs at each step: the band shows how far the seeds'
// trends lie apart, not each run's step-to-step noise.
#include <QVector>
#include <QtGlobal>

namespace glr::ui {

struct SeedGroupMember {
    QVector<qint64> steps;  // ascending; a repeated step keeps its last value (a resumed run)
    QVector<double> x, y;   // same length as steps
};

// Ordered by x, which is the steps' order unless a member's x steps back (a resumed run's epoch).
struct AlignedSeedGroup {
    QVector<qint64> steps;            // every step any member has
    QVector<double> x;                // mean x of the members present at each step
    QVector<double> rawMean;          // mean of the members' raw values at each step
    QVector<QVector<double>> members; // members[m][i]: member m's raw value at steps[i], NaN when absent
};

AlignedSeedGroup alignSeedGroup(const QVector<SeedGroupMember>& members);

struct SeedBand {
    QVector<double> mean, std;  // per step, of the members' smoothed values (NaN where none is finite)
    QVector<int> count;         // members with a finite value at the step
};

// members as AlignedSeedGroup::members; smoothing as debiasedEma's weight.
SeedBand seedBand(const QVector<QVector<double>>& members, double smoothing);

}  // namespace glr::ui
