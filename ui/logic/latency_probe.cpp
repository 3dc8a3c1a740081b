#include "logic/latency_probe.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <ctime>

namespace glr::ui {

namespace {

double threadCpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

}  // namespace

QString LatencyReport::summary() const {
    return QStringLiteral("event-loop lateness over %1 ticks of %2 ms: p50 %3 ms, p99 %4 ms, max %5 ms; "
                          "GUI thread busy %6% of the time")
        .arg(ticks)
        .arg(intervalMs, 0, 'f', 0)
        .arg(p50Ms, 0, 'f', 2)
        .arg(p99Ms, 0, 'f', 2)
        .arg(maxMs, 0, 'f', 2)
        .arg(100 * busyShare, 0, 'f', 1);
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * (values.size() - 1);
    const auto lower = static_cast<std::size_t>(std::floor(rank));
    const std::size_t upper = std::min(lower + 1, values.size() - 1);
    return values[lower] + (rank - lower) * (values[upper] - values[lower]);
}

LatencyReport measureEventLoopLatency(int durationMs, int intervalMs) {
    std::vector<double> lateness;
    lateness.reserve(static_cast<std::size_t>(durationMs / std::max(intervalMs, 1)) + 1);
    QElapsedTimer clock;
    qint64 lastTickNs = 0;

    QEventLoop loop;
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    ticker.setInterval(intervalMs);
    QObject::connect(&ticker, &QTimer::timeout, &loop, [&] {
        const qint64 now = clock.nsecsElapsed();
        lateness.push_back(std::max(0.0, (now - lastTickNs) / 1e6 - intervalMs));
        lastTickNs = now;
    });
    QTimer::singleShot(durationMs, &loop, &QEventLoop::quit);
    const double cpuBefore = threadCpuSeconds();
    clock.start();
    ticker.start();
    loop.exec();
    ticker.stop();
    const double wallSeconds = clock.nsecsElapsed() / 1e9;

    LatencyReport report;
    report.ticks = static_cast<int>(lateness.size());
    report.intervalMs = intervalMs;
    report.p50Ms = percentile(lateness, 50);
    report.p99Ms = percentile(lateness, 99);
    report.maxMs = lateness.empty() ? 0 : *std::max_element(lateness.begin(), lateness.end());
    report.busyShare = wallSeconds > 0 ? (threadCpuSeconds() - cpuBefore) / wallSeconds : 0;
    return report;
}

}  // namespace glr::ui
