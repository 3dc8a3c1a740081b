// The command line as a user meets it: --help lists verbs, every verb has --help, malformed
// checkpoints give one line on stderr and a non-zero exit code below 128, and the binary does not
// link Qt (it is what runs on GPU machines).
#include <QtTest>

#include <fstream>

#include "common/cli_runner.h"
#include "common/test_support.h"

namespace {

using glr::test::CliResult;
using glr::test::runCli;

void writeBytes(const QString& path, const std::string& bytes) {
    std::ofstream(path.toStdString(), std::ios::binary) << bytes;
}

std::string header(const std::string& json, std::uint64_t len) {
    std::string out;
    for (int i = 0; i < 8; ++i) out.push_back(char((len >> (8 * i)) & 0xff));
    return out + json;
}

}  // namespace

class TestCliBasics : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void helpListsVerbs() {
        auto r = runCli({"--help"});
        QCOMPARE(r.code, 0);
        for (const char* verb : {"inspect", "runs", "results", "predictions", "run", "sweep", "data", "logits",
                                 "generate", "tokenize", "bench"})
            QVERIFY2(r.outText().contains(verb), verb);
    }

    void everyVerbHasHelp() {
        for (const char* verb : {"inspect", "runs", "results", "predictions", "run", "sweep", "data", "logits",
                                 "generate", "tokenize", "bench"}) {
            auto r = runCli({verb, "--help"});
            QVERIFY2(r.code == 0, verb);
            QVERIFY2(r.outText().contains("Usage") || r.outText().contains("usage"), verb);
        }
    }

    void malformedSafetensorsFailCleanly_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("needle");
        QTest::newRow("truncated") << QByteArray("abc") << "truncated";
        std::string past = header("{}", 1u << 30);
        QTest::newRow("header past end") << QByteArray(past.data(), int(past.size())) << "past the end";
        std::string bad = header("{\"a\":", 5);
        QTest::newRow("bad json") << QByteArray(bad.data(), int(bad.size())) << "not valid JSON";
        std::string dtype = R"({"w":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}})";
        std::string unknown = header(dtype, dtype.size()) + std::string(1, '\0');
        QTest::newRow("unknown dtype") << QByteArray(unknown.data(), int(unknown.size())) << "unknown dtype";
        std::string range = R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})";
        std::string outOfRange = header(range, range.size()) + std::string(4, '\0');
        QTest::newRow("offsets out of range") << QByteArray(outOfRange.data(), int(outOfRange.size())) << "outside the data section";
    }

    void malformedSafetensorsFailCleanly() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, needle);
        const QString path = dir_.filePath("bad.safetensors");
        writeBytes(path, bytes.toStdString());
        auto r = runCli({"inspect", path});
        QVERIFY2(r.code > 0 && r.code < 128, qPrintable(QString("exit code %1").arg(r.code)));
        QCOMPARE(r.errText().trimmed().count('\n'), 0);
        QVERIFY2(r.errText().contains(needle), r.err.c_str());
    }

    void inspectFixture() {
        GLR_REQUIRE_SHARED("fixtures/llama_dev/model/model.safetensors");
        auto r = runCli({"inspect", QString::fromStdString(glr::test::sharedPath("fixtures/llama_dev/model/model.safetensors"))});
        QCOMPARE(r.code, 0);
        QVERIFY(r.outText().contains("model.layers.0.self_attn.q_proj.weight"));
    }

    void badConfigNamesTheKey() {
        const QString path = dir_.filePath("bad.json");
        writeBytes(path, R"({"train": {"lrr": 0.1}})");
        auto r = runCli({"run", path, "--db", dir_.filePath("runs.sqlite")});
        QVERIFY(r.code > 0 && r.code < 128);
        QVERIFY2(r.errText().contains("train.lr"), r.err.c_str());
    }

    // Our binary must not depend on Qt: no Qt among its own NEEDED entries, and no Qt 6 (the
    // workbench's) anywhere in its closure. Debian's LibTorch itself pulls in Qt 5 through its
    // dependencies, which we cannot change and which GPU builds (Python's LibTorch) do not have.
    void cliDoesNotLinkQt() {
        QProcess readelf;
        readelf.start("readelf", {"-d", GRAPHLORA_CLI_PATH});
        if (!readelf.waitForFinished(30000)) QSKIP("readelf not available");
        const QString needed = QString::fromUtf8(readelf.readAllStandardOutput());
        QVERIFY(needed.contains("NEEDED"));
        QVERIFY2(!needed.contains("libQt"), qPrintable(needed));
        QProcess ldd;
        ldd.start("ldd", {GRAPHLORA_CLI_PATH});
        if (!ldd.waitForFinished(30000)) QSKIP("ldd not available");
        const QString libs = QString::fromUtf8(ldd.readAllStandardOutput());
        QVERIFY(libs.contains("libtorch") || libs.contains("libc10"));
        QVERIFY2(!libs.contains("libQt6"), qPrintable(libs));
    }
};

QTEST_APPLESS_MAIN(TestCliBasics)
#include "test_cli_basics.moc"
