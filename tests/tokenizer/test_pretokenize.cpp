// The hand-written GPT-2 / LLaMA-3 / Qwen2 split matchers against Python's regex engine running
// the real patterns (split_cases.inc, from gen_split_cases.py), the Unicode classifier, UTF-8
// decoding of invalid bytes, and GPT-2's byte <-> unicode map.
#include <QtTest>

#include <string>
#include <vector>

#include "tokenizer/pretokenize.h"

namespace {

struct SplitCase {
    glr::tok::SplitPattern pattern;
    std::string text;
    std::vector<std::string> pieces;
};

const std::vector<SplitCase>& splitCases() {
    static const std::vector<SplitCase> cases = {
#include "split_cases.inc"
    };
    return cases;
}

std::vector<std::string> split(const std::string& text, glr::tok::SplitPattern pattern) {
    std::vector<std::pair<std::size_t, std::size_t>> ranges;
    glr::tok::splitPretokens(text, 0, text.size(), pattern, ranges);
    std::vector<std::string> pieces;
    for (auto [b, e] : ranges) pieces.push_back(text.substr(b, e - b));
    return pieces;
}

QString show(const std::vector<std::string>& pieces) {
    QStringList out;
    for (const auto& p : pieces) out << "[" + QString::fromUtf8(p.data(), int(p.size())) + "]";
    return out.join(' ');
}

}  // namespace

class TestPretokenize : public QObject {
    Q_OBJECT

private slots:
    void splitsMatchRegexEngine() {
        QVERIFY(splitCases().size() >= 60);
        int failures = 0;
        for (const auto& c : splitCases()) {
            auto got = split(c.text, c.pattern);
            if (got != c.pieces) {
                ++failures;
                qWarning("%s %s\n got  %s\n want %s", glr::tok::splitPatternName(c.pattern), c.text.c_str(),
                         qPrintable(show(got)), qPrintable(show(c.pieces)));
            }
        }
        QCOMPARE(failures, 0);
    }

    void splitOfSubrangeKeepsOffsets() {
        const std::string text = "xx Hello world!! yy";
        std::vector<std::pair<std::size_t, std::size_t>> ranges;
        glr::tok::splitPretokens(text, 3, 16, glr::tok::SplitPattern::Gpt2, ranges);
        QCOMPARE(int(ranges.size()), 3);
        QCOMPARE(text.substr(ranges[0].first, ranges[0].second - ranges[0].first), std::string("Hello"));
        QCOMPARE(text.substr(ranges[2].first, ranges[2].second - ranges[2].first), std::string("!!"));
    }

    void invalidUtf8BytesStayWhole() {
        // Each stray byte is one "other" character: nothing is lost or merged into a letter run.
        const std::string text = "ab\xff\xfe cd\xc3";
        auto pieces = split(text, glr::tok::SplitPattern::Gpt2);
        std::string joined;
        for (const auto& p : pieces) joined += p;
        QCOMPARE(joined, text);
        QCOMPARE(pieces, (std::vector<std::string>{"ab", "\xff\xfe", " cd", "\xc3"}));
    }

    void classifierKnowsScripts() {
        using glr::tok::CharClass;
        using glr::tok::classify;
        QCOMPARE(classify('a'), CharClass::Letter);
        QCOMPARE(classify(0x00E9), CharClass::Letter);   // é
        QCOMPARE(classify(0x03A9), CharClass::Letter);   // Ω
        QCOMPARE(classify(0x0416), CharClass::Letter);   // Ж
        QCOMPARE(classify(0x65E5), CharClass::Letter);   // 日
        QCOMPARE(classify(0xAC00), CharClass::Letter);   // 가
        QCOMPARE(classify(0x0627), CharClass::Letter);   // ا
        QCOMPARE(classify('7'), CharClass::Number);
        QCOMPARE(classify(0x0663), CharClass::Number);   // Arabic-Indic 3
        QCOMPARE(classify(0x2460), CharClass::Number);   // ①
        QCOMPARE(classify(0x00BD), CharClass::Number);   // ½
        QCOMPARE(classify(' '), CharClass::Space);
        QCOMPARE(classify(0x3000), CharClass::Space);
        QCOMPARE(classify(0x00A0), CharClass::Space);
        QCOMPARE(classify(0x2014), CharClass::Other);    // em dash
        QCOMPARE(classify(0x1F3AC), CharClass::Other);   // 🎬
        QCOMPARE(classify(0x0301), CharClass::Other);    // combining acute (Mn)
    }

    void byteMapIsGpt2s() {
        const auto& map = glr::tok::byteToUnicode();
        QCOMPARE(map[' '], std::string("\xc4\xa0"));   // Ġ U+0120
        QCOMPARE(map['\n'], std::string("\xc4\x8a"));  // Ċ U+010A
        QCOMPARE(map['A'], std::string("A"));
        QCOMPARE(map[0xAD], std::string("\xc5\x83"));  // Ń U+0143
        QCOMPARE(map[0xE9], std::string("\xc3\xa9"));  // é maps to itself
        for (int b = 0; b < 256; ++b) {
            std::vector<glr::tok::Utf8Char> chars;
            glr::tok::decodeUtf8(map[b], chars);
            QCOMPARE(int(chars.size()), 1);
            QCOMPARE(glr::tok::unicodeToByte(chars[0].codepoint), b);
        }
        QCOMPARE(glr::tok::unicodeToByte(' '), -1);
    }
};

QTEST_APPLESS_MAIN(TestPretokenize)
#include "test_pretokenize.moc"
