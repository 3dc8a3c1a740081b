// Process defaults: which OpenBLAS kernels a CPU gets, and that the CLI really re-executes itself
// with them (its `bench sgemm` report names the kernels it ran with).
#include <QtTest>

#include <QProcess>
#include <QProcessEnvironment>

#include <nlohmann/json.hpp>

#include "util/process.h"

using glr::CpuFeatures;

class TestProcess : public QObject {
    Q_OBJECT
private slots:
    void coreTypeFollowsTheFeatures() {
        CpuFeatures none;
        QCOMPARE(glr::openBlasCoreType(none), std::string());
        CpuFeatures haswell;
        haswell.avx2 = haswell.fma = true;
        QCOMPARE(glr::openBlasCoreType(haswell), std::string("Haswell"));
        CpuFeatures avx2Only;
        avx2Only.avx2 = true;  // no FMA: OpenBLAS's Haswell kernels would fault
        QCOMPARE(glr::openBlasCoreType(avx2Only), std::string());
        CpuFeatures skylakeX = haswell;
        skylakeX.avx512f = skylakeX.avx512bw = skylakeX.avx512dq = skylakeX.avx512vl = skylakeX.avx512cd = true;
        QCOMPARE(glr::openBlasCoreType(skylakeX), std::string("SkylakeX"));
        CpuFeatures knightsLanding = haswell;  // AVX-512F and CD without BW/DQ/VL
        knightsLanding.avx512f = knightsLanding.avx512cd = true;
        QCOMPARE(glr::openBlasCoreType(knightsLanding), std::string("Haswell"));
    }

    void cliRunsWithTheDefaultsUnlessTheUserSetThem() {
        const std::string expected = glr::openBlasCoreType(glr::cpuFeatures());
        auto coreTypeOfARun = [](const QProcessEnvironment& env) {
            QProcess cli;
            cli.setProcessEnvironment(env);
            cli.start(GRAPHLORA_CLI_PATH, {"bench", "sgemm", "--shape", "tiny", "--rows", "8", "--peak-size", "64",
                                           "--threads", "1", "--json"});
            if (!cli.waitForFinished(120000) || cli.exitCode() != 0) return std::string("<failed: ") + cli.readAllStandardError().toStdString() + ">";
            const auto lines = QString::fromUtf8(cli.readAllStandardOutput()).trimmed().split('\n');
            return nlohmann::json::parse(lines.last().toStdString())["machine"]["openblas_coretype"].get<std::string>();
        };
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("OPENBLAS_CORETYPE");
        QCOMPARE(coreTypeOfARun(env), expected);
        env.insert("OPENBLAS_CORETYPE", "Prescott");  // the user's choice stays
        QCOMPARE(coreTypeOfARun(env), std::string("Prescott"));
    }
};

QTEST_APPLESS_MAIN(TestProcess)
#include "test_process_defaults.moc"
