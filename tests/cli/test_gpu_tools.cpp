// The GPU session's own tools, checked here so that a session with a device does not lose its
// minutes to a typo: the shell scripts parse, and the Python summaries read what `graphlora
// bench` writes today (and the reports of earlier sessions, whose keys differ).
#include <QtTest>

#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>

#include "common/cli_runner.h"
#include "common/test_support.h"

namespace {

glr::test::CliResult runTool(const QString& program, const QStringList& args) {
    return glr::test::runProgram(program, args, 60000, GRAPHLORA_SOURCE_DIR);
}

QString script(const char* relative) { return QString::fromStdString(glr::test::sourcePath(relative)); }

void writeLines(const QString& path, const QStringList& lines) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    for (const auto& line : lines) f.write((line + "\n").toUtf8());
}

QString readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

}  // namespace

class TestGpuTools : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString python_;

    // `graphlora bench …` on the tiny shape with a small graph, its JSON lines appended to `out`.
    void bench(const QStringList& args, const QString& out) {
        QStringList all = QStringList{"bench"} + args +
                          QStringList{"--model", "tiny", "--batch", "2", "--seq-len", "16", "--steps", "1", "--warmup",
                                      "0", "--phase-steps", "1", "--users", "20", "--items", "30", "--interactions",
                                      "100", "--mf-dim", "8", "--gnn-dim", "8", "--peak-tflops", "1", "--json", "--out", out};
        const auto r = glr::test::runCli(all);
        QVERIFY2(r.code == 0, r.err.c_str());
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        python_ = QStandardPaths::findExecutable("python3");
    }

    void shellScriptsParse() {
        for (const char* s : {"scripts/gpu-session.sh", "scripts/prepare-gpu-carry.sh", "experiments/benchmarks/compare.sh",
                              "experiments/benchmarks/cpu_suite.sh"}) {
            const auto r = runTool("bash", {"-n", script(s)});
            QVERIFY2(r.code == 0, qPrintable(QString("%1: %2").arg(s).arg(r.errText())));
        }
    }

    // The scripts that need the GPU machine's packages (torch, transformers, numpy) at least compile.
    void pythonScriptsCompile() {
        if (python_.isEmpty()) QSKIP("python3 not found: the GPU session's scripts are Python");
        for (const char* s : {"experiments/benchmarks/hf_peft_peer.py", "experiments/benchmarks/fixture_check.py",
                              "experiments/benchmarks/gpu_ratios.py", "experiments/benchmarks/gpu_summaries.py",
                              "experiments/benchmarks/cpu_ratios.py"}) {
            const auto r = runTool(python_, {"-c", "import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])",
                                             script(s)});
            QVERIFY2(r.code == 0, qPrintable(QString("%1: %2").arg(s).arg(r.errText())));
        }
    }

    void overheadSummaryReadsTodaysAndOlderReports() {
        if (python_.isEmpty()) QSKIP("python3 not found: the GPU session's summaries are Python");
        const QString jsonl = dir_.filePath("overhead.jsonl");
        bench({"overhead"}, jsonl);
        auto r = runTool(python_, {script("experiments/benchmarks/gpu_summaries.py"), "overhead", jsonl, "variant "});
        QVERIFY2(r.code == 0, r.err.c_str());
        for (const char* needle : {"variant tiny train vs lora-only: ratio", "variant tiny score vs lora-only: ratio",
                                   "(one step in flight: ", "launches", "phase ms: forward"})
            QVERIFY2(r.outText().contains(needle), qPrintable(r.outText()));

        // A report from before the launch counter and the "baseline" key: operators, views left out.
        const QString line = readAll(jsonl).trimmed();
        QString old = line;
        old.replace("\"graph_path_launches\"", "\"unused_launches\"").replace("\"baseline\":", "\"lora_only\":");
        writeLines(dir_.filePath("old.jsonl"), {old});
        r = runTool(python_, {script("experiments/benchmarks/gpu_summaries.py"), "overhead", dir_.filePath("old.jsonl")});
        QVERIFY2(r.code == 0, r.err.c_str());
        QVERIFY2(r.outText().contains("operators") && !r.outText().contains("aten::as_strided"), qPrintable(r.outText()));

        writeLines(dir_.filePath("bad.jsonl"), {line, "{not json"});
        r = runTool(python_, {script("experiments/benchmarks/gpu_summaries.py"), "overhead", dir_.filePath("bad.jsonl")});
        QVERIFY(r.code != 0);
        QVERIFY2(r.errText().contains("bad.jsonl:2"), qPrintable(r.errText()));
    }

    void graphSummaryAndRatiosRead() {
        if (python_.isEmpty()) QSKIP("python3 not found: the GPU session's summaries are Python");
        // bench score --cuda-graph only runs on CUDA builds; its record, as timeGraphReplay writes it.
        const QString graphs = dir_.filePath("graphs.jsonl");
        writeLines(graphs, {R"({"benchmark":"score","model":"stories260K","method":"tallrec","batch":8,"seq_len":430,)"
                            R"("cuda_graph":{"status":"replayed","eager_ms":4.5,"graph_ms":1.5,"steps":10,"speedup":3.0,)"
                            R"("max_abs_difference":0.0}})"});
        auto r = runTool(python_, {script("experiments/benchmarks/gpu_summaries.py"), "graphs", graphs});
        QVERIFY2(r.code == 0, r.err.c_str());
        QVERIFY2(r.outText().contains("stories260K tallrec score B=8 T=430: replayed") && r.outText().contains("speed-up 3.00"),
                 qPrintable(r.outText()));

        // gpu_ratios.py: our tallrec steps against a peer line, other methods' steps (clipped
        // ones marked) and the overhead lines.
        const QString ours = dir_.filePath("ours.jsonl"), peer = dir_.filePath("peer.jsonl");
        bench({"train", "--method", "tallrec"}, ours);
        bench({"train", "--method", "graphlora", "--max-grad-norm", "1"}, ours);
        bench({"overhead"}, ours);
        writeLines(peer, {R"({"model":"tiny","benchmark":"train","batch":2,"seq_len":16,"tokens_per_s":100.0,)"
                          R"("mfu":0.1,"peak_memory_mib":10.0})"});
        r = runTool(python_, {script("experiments/benchmarks/gpu_ratios.py"), peer, ours});
        QVERIFY2(r.code == 0, r.err.c_str());
        for (const char* needle : {"tiny graphlora train B=2 T=16, clip 1:", "overhead tiny vs lora-only",
                                   "train with one step in flight"})
            QVERIFY2(r.outText().contains(needle), qPrintable(r.outText()));
    }
};

QTEST_APPLESS_MAIN(TestGpuTools)
#include "test_gpu_tools.moc"
