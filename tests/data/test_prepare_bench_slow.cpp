// Issue 4's speed requirement: parsing and preparing 1M generated interactions takes seconds.
// Same code path as `graphlora bench data` (data::benchPrepare).
#include <QtTest>

#include "common/test_support.h"
#include "data/synthetic.h"

class TestPrepareBench : public QObject {
    Q_OBJECT

private slots:
    void millionInteractions() {
        const glr::data::BenchDataResult r = glr::data::benchPrepare(1000000);
        qInfo("generate %.2f s, prepare %.2f s (cpu %.2f s, %.0f rows/s), load %.2f s (cpu %.2f s), prepared rows %lld",
              r.generateSeconds, r.prepareSeconds, r.prepareCpuSeconds, r.rowsPerSecond, r.loadSeconds,
              r.loadCpuSeconds, static_cast<long long>(r.preparedRows));
        for (const auto& [stage, seconds] : r.stages) qInfo("  %-18s %.3f s", stage.c_str(), seconds);
        QCOMPARE(r.rows, std::int64_t(1000000));
        QVERIFY(r.preparedRows > 400000);  // ML-1M windows keep 20 of the 35 generated months
        QVERIFY2(r.prepareSeconds < 20.0, qPrintable(QString("prepare took %1 s").arg(r.prepareSeconds)));
        QVERIFY2(r.loadSeconds < 10.0, qPrintable(QString("load took %1 s").arg(r.loadSeconds)));
    }
};

QTEST_APPLESS_MAIN(TestPrepareBench)
#include "test_prepare_bench_slow.moc"
