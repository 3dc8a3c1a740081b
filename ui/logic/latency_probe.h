#pragma once
// Event-loop responsiveness probe: a precise repeating timer on the calling thread, and how late
// each tick fires (observed gap minus the interval). A window that never freezes keeps the 99th
// percentile of that lateness small (target: < 50 ms while a run trains).
//
// Usage (GUI thread, while the session trains):
//   auto report = glr::ui::measureEventLoopLatency(10'000);
//   qInfo() << report.summary();
#include <QString>
#include <vector>

namespace glr::ui {

struct LatencyReport {
    int ticks = 0;
    double intervalMs = 0;
    double p50Ms = 0;
    double p99Ms = 0;
    double maxMs = 0;
    // CPU time the measuring (GUI) thread itself used, over the wall time measured. Unlike the
    // lateness, it hardly depends on what else the machine runs, so tests bound this one.
    double busyShare = 0;
    QString summary() const;  // one line for docs/ and logs
    // A window that stops answering for a second is frozen, whatever the machine's load; the
    // lateness percentiles are reported, not asserted (they follow the scheduler).
    bool froze() const { return maxMs >= 1000; }
};

// Linear interpolation between closest ranks (numpy's default); p in [0, 100]. Empty -> 0.
double percentile(std::vector<double> values, double p);

// Runs a nested event loop for durationMs (the caller's events keep being processed) and
// returns the lateness statistics of a timer firing every intervalMs.
LatencyReport measureEventLoopLatency(int durationMs, int intervalMs = 20);

}  // namespace glr::ui
