// Greedy generation from the real stories260K checkpoint with its own tokenizer continues the
// prompt as the model is known to (llama2.c's run.c at temperature 0 gives the same text).
#include <QtTest>

#include "common/test_support.h"
#include "model/generate.h"
#include "model/loader.h"
#include "tokenizer/tokenizer.h"

class TestGenerateSlow : public QObject {
    Q_OBJECT

private slots:
    void storiesOnceUponATime() {
        GLR_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        const std::string bin = glr::test::sharedPath("models/stories260K/stories260K.bin");
        const std::string tokPath = glr::findTokenizerBeside(bin);
        QVERIFY2(!tokPath.empty(), "tok512.bin beside the checkpoint");
        auto model = glr::loadModel(bin);
        auto tokenizer = glr::loadTokenizer(tokPath);
        QVERIFY(tokenizer->vocabSize() <= model->config().vocabSize);
        std::vector<int> prompt = tokenizer->encode("Once upon a time", /*addBos=*/true);
        QCOMPARE(prompt.front(), 1);
        std::vector<std::int64_t> ids(prompt.begin(), prompt.end());
        auto generated = glr::generateGreedy(*model, ids, {40});
        std::vector<int> all(prompt);
        for (auto id : generated) all.push_back(static_cast<int>(id));
        const std::string text = tokenizer->decode(all);
        qInfo("%s", text.c_str());
        const std::string expected = "Once upon a time, there was a little girl named Lily";
        QVERIFY2(text.rfind(expected, 0) == 0, text.c_str());
    }
};

QTEST_APPLESS_MAIN(TestGenerateSlow)
#include "test_generate_slow.moc"
