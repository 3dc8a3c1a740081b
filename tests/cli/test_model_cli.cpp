// `graphlora logits`, `generate` and `inspect` on llama2.c files, as a user runs them: outputs
// against the golden fixtures, exit codes and one-line errors.
#include <QtTest>

#include <QProcess>

#include <cmath>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/cli_runner.h"
#include "common/test_support.h"

namespace {

using glr::test::CliResult;
using glr::test::runCli;

// Minimal safetensors reading (this test links no torch): F32 and I64 tensors as doubles.
std::map<std::string, std::vector<double>> readSafetensors(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::map<std::string, std::vector<double>> out;
    if (bytes.size() < 8) return out;
    std::uint64_t n = 0;
    std::memcpy(&n, bytes.data(), 8);
    const auto header = nlohmann::json::parse(bytes.substr(8, n));
    const char* data = bytes.data() + 8 + n;
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == "__metadata__") continue;
        const auto begin = (*it)["data_offsets"][0].get<std::size_t>(), end = (*it)["data_offsets"][1].get<std::size_t>();
        auto& v = out[it.key()];
        if ((*it)["dtype"] == "F32") {
            for (std::size_t o = begin; o < end; o += 4) {
                float f;
                std::memcpy(&f, data + o, 4);
                v.push_back(f);
            }
        } else if ((*it)["dtype"] == "I64") {
            for (std::size_t o = begin; o < end; o += 8) {
                std::int64_t i;
                std::memcpy(&i, data + o, 8);
                v.push_back(static_cast<double>(i));
            }
        }
    }
    return out;
}

// ‖out−ref‖/‖ref‖ over non-padded positions where the reference is finite (see test_llama.cpp).
double logitsError(const std::vector<double>& out, const std::vector<double>& ref, const std::vector<double>& mask) {
    double num = 0, den = 0;
    if (out.size() != ref.size() || mask.empty()) return 1e9;
    const std::size_t vocab = ref.size() / mask.size();
    for (std::size_t i = 0; i < ref.size(); ++i) {
        if (mask[i / vocab] == 0 || !std::isfinite(ref[i])) continue;
        if (!std::isfinite(out[i])) return 1e9;
        num += (out[i] - ref[i]) * (out[i] - ref[i]);
        den += ref[i] * ref[i];
    }
    return den > 0 ? std::sqrt(num / den) : 1e9;
}

}  // namespace

class TestModelCli : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    QString shared(const char* relative) { return QString::fromStdString(glr::test::sharedPath(relative)); }

private slots:
    void logitsMatchFixtures() {
        GLR_REQUIRE_SHARED("fixtures/llama_dev/graphlora_io.safetensors");
        const QString out = dir_.filePath("plain.safetensors"), injected = dir_.filePath("inject.safetensors");
        const QString io = shared("fixtures/llama_dev/io.safetensors");
        CliResult r = runCli({"logits", "--model", shared("fixtures/llama_dev/model"), "--input", io, "--output", out});
        QVERIFY2(r.code == 0, r.err.c_str());
        auto ref = readSafetensors(io.toStdString());
        auto got = readSafetensors(out.toStdString());
        double err = logitsError(got["logits"], ref["logits"], ref["attention_mask"]);
        QVERIFY2(err < 1e-4, qPrintable(QString::number(err)));

        r = runCli({"logits", "--model", shared("fixtures/llama_dev/model"), "--adapter", shared("fixtures/llama_dev/lora"),
                    "--inject", shared("fixtures/llama_dev/graphlora_io.safetensors"), "--input", io, "--output", injected});
        QVERIFY2(r.code == 0, r.err.c_str());
        auto gref = readSafetensors(glr::test::sharedPath("fixtures/llama_dev/graphlora_io.safetensors"));
        err = logitsError(readSafetensors(injected.toStdString())["logits"], gref["logits"], ref["attention_mask"]);
        QVERIFY2(err < 1e-4, qPrintable(QString::number(err)));
    }

    void inspectLlama2c() {
        GLR_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        CliResult r = runCli({"inspect", shared("models/stories260K/stories260K.bin")});
        QVERIFY2(r.code == 0, r.err.c_str());
        for (const char* needle : {"llama2.c", "dim 64", "n_layers 5", "n_kv_heads 4", "vocab_size 512", "parameters: 260032"})
            QVERIFY2(r.out.find(needle) != std::string::npos, r.out.c_str());
    }

    void generateStories() {
        GLR_REQUIRE_SHARED("models/stories260K/tok512.bin");
        CliResult r = runCli({"generate", "--model", shared("models/stories260K/stories260K.bin"), "--prompt",
                           "Once upon a time", "--max-new-tokens", "24"});
        QVERIFY2(r.code == 0, r.err.c_str());
        QVERIFY2(r.out.rfind("Once upon a time, there was a little girl named Lily", 0) == 0, r.out.c_str());
    }

    void errorsAreOneLine() {
        GLR_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        const QString io = shared("fixtures/llama_dev/io.safetensors");
        CliResult r = runCli({"logits", "--model", shared("fixtures/llama_dev/model"), "--inject",
                           shared("fixtures/llama_dev/graphlora_io.safetensors"), "--input", io, "--output",
                           dir_.filePath("x.safetensors")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.find("--adapter") != std::string::npos, r.err.c_str());

        std::ifstream in(glr::test::sharedPath("models/stories260K/stories260K.bin"), std::ios::binary);
        std::string bytes(100000, '\0');
        in.read(&bytes[0], 100000);
        const std::string truncated = dir_.filePath("cut.bin").toStdString();
        std::ofstream(truncated, std::ios::binary) << bytes;
        for (const char* verb : {"inspect", "logits"}) {
            QStringList args{verb};
            if (std::strcmp(verb, "inspect") == 0) args << QString::fromStdString(truncated);
            else args << "--model" << QString::fromStdString(truncated) << "--input" << io << "--output" << dir_.filePath("y");
            r = runCli(args);
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.find("truncated") != std::string::npos, r.err.c_str());
            QCOMPARE(std::count(r.err.begin(), r.err.end(), '\n'), std::ptrdiff_t(1));
        }
    }
};

QTEST_APPLESS_MAIN(TestModelCli)
#include "test_model_cli.moc"
