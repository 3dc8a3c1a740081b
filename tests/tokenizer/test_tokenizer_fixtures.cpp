// Golden ids from the reference libraries (sentencepiece 0.2.2, HF tokenizers 0.23) in
// shared/fixtures/tokenizers/expected.json: our SentencePiece wrapper and our byte-level BPE
// must give exactly those ids, and decode them back to the text.
#include <QtTest>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/test_support.h"
#include "tokenizer/tokenizer.h"

namespace {

struct Case {
    std::string text;
    std::vector<int> spmIds, byteLevelIds;
};

std::vector<Case> loadCases() {
    std::ifstream in(glr::test::sharedPath("fixtures/tokenizers/expected.json"));
    nlohmann::json j = nlohmann::json::parse(in);
    std::vector<Case> cases;
    for (const auto& c : j)
        cases.push_back({c.at("text").get<std::string>(), c.at("spm_ids").get<std::vector<int>>(),
                         c.at("bytelevel_ids").get<std::vector<int>>()});
    return cases;
}

QString show(const std::vector<int>& ids) {
    QStringList parts;
    for (int id : ids) parts << QString::number(id);
    return parts.join(' ');
}

void compareIds(const std::vector<int>& got, const std::vector<int>& want, const std::string& text) {
    if (got != want)
        QFAIL(qPrintable(QString("text \"%1\"\n got  %2\n want %3")
                             .arg(QString::fromStdString(text), show(got), show(want))));
}

}  // namespace

class TestTokenizerFixtures : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { GLR_REQUIRE_SHARED("fixtures/tokenizers/expected.json"); }

    void sentencePieceIdsMatchLibrary() {
        auto tok = glr::loadTokenizer(glr::test::sharedPath("fixtures/tokenizers/spm_bpe.model"));
        QCOMPARE(QString::fromStdString(tok->kind()), QString("sentencepiece"));
        auto cases = loadCases();
        QVERIFY(cases.size() >= 4);
        for (const auto& c : cases) compareIds(tok->encode(c.text), c.spmIds, c.text);
    }

    void sentencePieceBosIsPrepended() {
        auto tok = glr::loadTokenizer(glr::test::sharedPath("fixtures/tokenizers/spm_bpe.model"));
        const auto cases = loadCases();
        const auto& c = cases.front();
        auto ids = tok->encode(c.text, true);
        QVERIFY(tok->bosId() >= 0);
        QCOMPARE(ids.front(), tok->bosId());
        QVERIFY(std::equal(c.spmIds.begin(), c.spmIds.end(), ids.begin() + 1));
        // BOS is dropped again by decode.
        QCOMPARE(tok->decode(ids), tok->decode(c.spmIds));
    }

    void byteLevelIdsMatchLibrary() {
        auto tok = glr::loadTokenizer(glr::test::sharedPath("fixtures/tokenizers/bytelevel_bpe.json"));
        QCOMPARE(QString::fromStdString(tok->kind()), QString("hf-bpe"));
        for (const auto& c : loadCases()) compareIds(tok->encode(c.text), c.byteLevelIds, c.text);
    }

    void byteLevelDecodesBackToText() {
        auto tok = glr::loadTokenizer(glr::test::sharedPath("fixtures/tokenizers/bytelevel_bpe.json"));
        for (const auto& c : loadCases()) QCOMPARE(tok->decode(c.byteLevelIds), c.text);
    }

    void sentencePieceDecodesGoldenIds() {
        // The fixture model normalises with nmt_nfkc and remove_extra_whitespaces (SentencePiece's
        // defaults): tabs and newlines become spaces, runs of spaces collapse, the ends are trimmed.
        // Decoding the golden ids must give exactly that normalised text.
        auto tok = glr::loadTokenizer(glr::test::sharedPath("fixtures/tokenizers/spm_bpe.model"));
        for (const auto& c : loadCases())
            QCOMPARE(QString::fromStdString(tok->decode(c.spmIds)), QString::fromStdString(c.text).simplified());
    }
};

QTEST_APPLESS_MAIN(TestTokenizerFixtures)
#include "test_tokenizer_fixtures.moc"
