// Encode speed on an ML-1M prompt of ~430 stories260K tokens (SPEC §4/§5 template, 10 titles),
// for every tokenizer in shared/models. Prints tokens/s; fails only far below the expected speed
// (the data pipeline and trainer encode such prompts thousands of times).
#include <QtTest>

#include <chrono>
#include <fstream>

#include "common/test_support.h"
#include "tokenizer/tokenizer.h"

namespace {

std::string ml1mPrompt() {
    std::ifstream in(glr::test::sharedPath("data/ml1m-collm/items.tsv"));
    std::string line;
    std::getline(in, line);  // header
    std::vector<std::string> titles;
    while (std::getline(in, line)) titles.push_back(line.substr(line.find('\t') + 1));
    std::string list;
    for (int i = 0; i < 10; ++i) list += (i ? ", " : "") + std::string("\"") + titles[100 + 37 * i] + "\"";
    return "#Question: A user has given high ratings to the following movies: " + list +
           ". Additionally, we have information about the user's preferences encoded in the feature <UserID>. "
           "Using all available information, make a prediction about whether the user would enjoy the movie titled \"" +
           titles[5] + "\" with the feature <TargetItemID>? Answer with \"Yes\" or \"No\". \n#Answer:";
}

}  // namespace

class TestTokenizerSpeed : public QObject {
    Q_OBJECT

private slots:
    void encodeSpeed() {
        GLR_REQUIRE_SHARED("data/ml1m-collm/items.tsv");
        GLR_REQUIRE_SHARED("models/stories260K/tok512.bin");
        const std::string prompt = ml1mPrompt();
        for (const char* rel : {"models/stories260K/tok512.bin", "models/llama2-tokenizer/tokenizer.bin",
                                "models/llama2-tokenizer/tokenizer.model", "models/gpt2-tokenizer"}) {
            auto tok = glr::loadTokenizer(glr::test::sharedPath(rel));
            const std::size_t tokens = tok->encode(prompt).size();
            std::size_t total = 0, calls = 0;
            auto start = std::chrono::steady_clock::now();
            double seconds = 0;
            while (seconds < 1.0) {
                for (int i = 0; i < 50; ++i) total += tok->encode(prompt).size();
                calls += 50;
                seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            }
            const double tokensPerSecond = total / seconds;
            qInfo("%-40s %zu bytes -> %zu tokens: %.1f us/encode, %.2f M tokens/s", rel, prompt.size(), tokens,
                  seconds / calls * 1e6, tokensPerSecond / 1e6);
            QVERIFY2(tokensPerSecond > 1e5, rel);
        }
    }
};

QTEST_APPLESS_MAIN(TestTokenizerSpeed)
#include "test_tokenizer_speed_slow.moc"
