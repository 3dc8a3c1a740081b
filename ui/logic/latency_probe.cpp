#include "logic/latency_probe.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>
#include <algorithm>
#include <cmath>

namespace glr::ui {

QString LatencyReport::summary() const {
    return QStringLiteral("event-loop lateness over %1 ticks of %2 ms: p50 %3 ms, p99 %4 ms, max %5 ms")
        .arg(ticks)
        .arg(intervalMs, 0, 'f', 0)
        .arg(p50Ms, 0, 'f', 2)
        .arg(p99Ms, 0, 'f', 2)
        .arg(maxMs, 0, 'f', 2);
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
    clock.start();
    ticker.start();
    loop.exec();
    ticker.stop();

    LatencyReport report;
    report.ticks = static_cast<int>(lateness.size());
    report.intervalMs = intervalMs;
    report.p50Ms = percentile(lateness, 50);
    report.p99Ms = percentile(lateness, 99);
    report.maxMs = lateness.empty() ? 0 : *std::max_element(lateness.begin(), lateness.end());
    return report;
}

}  // namespace glr::ui
