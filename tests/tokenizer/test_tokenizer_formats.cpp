// Small hand-made tokenizers whose ids can be worked out on paper (tokenizer.json with LLaMA-3
// style splitting, added tokens, ignore_merges, add_prefix_space; a llama2.c vocabulary with tied
// scores), the byte tokenizer, and every class of bad file giving one clear line.
#include <QtTest>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/test_support.h"
#include "tokenizer/pretokenize.h"
#include "tokenizer/tokenizer.h"
#include "util/error.h"

using nlohmann::json;

namespace {

// Byte b is id b (its GPT-2 character); then a few merges:
//   rank 0: Ġ t -> Ġt (256)   rank 1: h e -> he (257)   rank 2: Ġt he -> Ġthe (258)   rank 3: 1 2 -> 12 (259)
// plus "abc" (260), reachable only through ignore_merges, and <|begin_of_text|> (300, special).
json byteLevelJson(json preTokenizer) {
    json vocab = json::object();
    for (int b = 0; b < 256; ++b) vocab[glr::tok::byteToUnicode()[b]] = b;
    const std::string G = "\xc4\xa0";  // Ġ
    vocab[G + "t"] = 256;
    vocab["he"] = 257;
    vocab[G + "the"] = 258;
    vocab["12"] = 259;
    vocab["abc"] = 260;
    json j;
    j["version"] = "1.0";
    j["added_tokens"] = json::array({{{"id", 300}, {"content", "<|begin_of_text|>"}, {"special", true},
                                      {"lstrip", false}, {"rstrip", false}, {"normalized", false}, {"single_word", false}}});
    j["normalizer"] = nullptr;
    j["pre_tokenizer"] = std::move(preTokenizer);
    j["decoder"] = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}};
    j["model"] = {{"type", "BPE"}, {"vocab", vocab}, {"merges", json::array({json::array({G, "t"}), json::array({"h", "e"}),
                                                                            json::array({G + "t", "he"}), "1 2"})}};
    return j;
}

json llama3PreTokenizer() {
    return {{"type", "Sequence"},
            {"pretokenizers",
             json::array({{{"type", "Split"},
                           {"pattern",
                            {{"Regex",
                              R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"}}},
                           {"behavior", "Isolated"},
                           {"invert", false}},
                          {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", false}}})}};
}

json gpt2PreTokenizer(bool addPrefixSpace) {
    return {{"type", "ByteLevel"}, {"add_prefix_space", addPrefixSpace}, {"trim_offsets", true}, {"use_regex", true}};
}

void appendI32(std::string& s, std::int32_t v) { s.append(reinterpret_cast<const char*>(&v), 4); }
void appendF32(std::string& s, float v) { s.append(reinterpret_cast<const char*>(&v), 4); }

// A llama2.c tokenizer.bin from (piece, score) pairs.
std::string llama2cBin(const std::vector<std::pair<std::string, float>>& tokens, std::int32_t maxLen = 16) {
    std::string s;
    appendI32(s, maxLen);
    for (const auto& [piece, score] : tokens) {
        appendF32(s, score);
        appendI32(s, std::int32_t(piece.size()));
        s += piece;
    }
    return s;
}

}  // namespace

class TestTokenizerFormats : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    std::string write(const std::string& name, const std::string& bytes) { return glr::test::writeFileIn(dir_, name, bytes); }

    template <typename Fn>
    void expectInputError(Fn&& fn, const char* needle) {
        glr::test::expectInputError(fn, {needle});
    }

    void expectLoadError(const std::string& name, const std::string& bytes, const char* needle) {
        std::string path = write(name, bytes);
        expectInputError([&] { glr::loadTokenizer(path); }, needle);
    }

private slots:
    void llama3StyleJson() {
        auto tok = glr::loadTokenizer(write("llama3.json", byteLevelJson(llama3PreTokenizer()).dump()));
        QCOMPARE(QString::fromStdString(tok->kind()), QString("hf-bpe"));
        // " the 1234" splits as " the" | " " | "123" | "4" (digits in threes):
        //   Ġ t h e -> Ġt h e -> Ġt he -> Ġthe ; Ġ ; 1 2 3 -> 12 3 ; 4
        QCOMPARE(tok->encode(" the 1234"), (std::vector<int>{258, 32, 259, '3', '4'}));
        // The special token is matched in the text; BOS comes from its conventional name.
        QCOMPARE(tok->bosId(), 300);
        QCOMPARE(tok->encode("<|begin_of_text|> the"), (std::vector<int>{300, 258}));
        QCOMPARE(tok->encode("the", true), (std::vector<int>{300, 't', 257}));
        QCOMPARE(tok->decode({300, 258, 32, 259, '3', '4'}), std::string(" the 1234"));
        QCOMPARE(tok->vocabSize(), 301);
    }

    void gpt2StyleJsonAndPrefixSpace() {
        auto plain = glr::loadTokenizer(write("gpt2.json", byteLevelJson(gpt2PreTokenizer(false)).dump()));
        // GPT-2 splitting keeps " 1234" whole: Ġ 1 2 3 4 -> Ġ 12 3 4
        QCOMPARE(plain->encode(" the 1234"), (std::vector<int>{258, 32, 259, '3', '4'}));
        QCOMPARE(plain->encode("the"), (std::vector<int>{'t', 257}));
        auto prefixed = glr::loadTokenizer(write("gpt2p.json", byteLevelJson(gpt2PreTokenizer(true)).dump()));
        QCOMPARE(prefixed->encode("the"), (std::vector<int>{258}));
        QCOMPARE(prefixed->decode(prefixed->encode("the")), std::string(" the"));
    }

    void ignoreMergesTakesWholeWords() {
        json j = byteLevelJson(llama3PreTokenizer());
        QCOMPARE(glr::loadTokenizer(write("merge.json", j.dump()))->encode("abc"), (std::vector<int>{'a', 'b', 'c'}));
        j["model"]["ignore_merges"] = true;
        QCOMPARE(glr::loadTokenizer(write("ignore.json", j.dump()))->encode("abc"), (std::vector<int>{260}));
    }

    void tokenizerConfigNamesBosEos() {
        QDir(dir_.path()).mkdir("withconfig");
        write("withconfig/tokenizer.json", byteLevelJson(llama3PreTokenizer()).dump());
        write("withconfig/tokenizer_config.json",
              json{{"bos_token", {{"content", "<|begin_of_text|>"}}}, {"eos_token", "abc"}}.dump());
        auto tok = glr::loadTokenizer(dir_.filePath("withconfig").toStdString());
        QCOMPARE(tok->bosId(), 300);
        QCOMPARE(tok->eosId(), 260);
    }

    void llama2cTiesMergeLeftmost() {
        // Vocabulary: <unk> <s> </s>, bytes, " ", "a", "aa" (score 0), "ab" (5), "b". For "aaa" run.c merges the
        // leftmost "aa" first (strictly-greater comparison): ' ', 'aa', 'a'. Also: " " + "a" is
        // not a piece, and a character without a piece falls back to byte id 3 + byte.
        std::vector<std::pair<std::string, float>> tokens = {{"<unk>", 0}, {"\n<s>\n", 0}, {"\n</s>\n", 0}};
        for (int b = 0; b < 256; ++b) tokens.push_back({fmt::format("<0x{:02X}>", b), 0});
        tokens.push_back({" ", -1});  // 259
        tokens.push_back({"a", -2});  // 260
        tokens.push_back({"aa", 0});  // 261
        tokens.push_back({"ab", 5});  // 262
        tokens.push_back({"b", -3});  // 263
        auto tok = glr::loadTokenizer(write("ties.bin", llama2cBin(tokens)));
        QCOMPARE(tok->encode("aaa"), (std::vector<int>{259, 261, 260}));
        QCOMPARE(tok->encode("aaaa"), (std::vector<int>{259, 261, 261}));
        // A higher score wins over position: "aab" -> a + ab beats aa + b.
        QCOMPARE(tok->encode("aab"), (std::vector<int>{259, 260, 262}));
        QCOMPARE(tok->encode("a\n"), (std::vector<int>{259, 260, 3 + '\n'}));
        QCOMPARE(tok->decode({259, 261, 260, 3 + '\n'}), std::string("aaa\n"));
        QCOMPARE(tok->piece(3 + '\n'), std::string("<0x0A>"));
    }

    void llama2cVocabSizeFromCheckpoint() {
        GLR_REQUIRE_SHARED("models/stories260K/tok512.bin");
        const std::string path = glr::test::sharedPath("models/stories260K/tok512.bin");
        QCOMPARE(glr::loadLlama2cTokenizer(path, 512)->vocabSize(), 512);
        QCOMPARE(glr::loadLlama2cTokenizer(path, 300)->vocabSize(), 300);
        expectInputError([&] { glr::loadLlama2cTokenizer(path, 513); }, "holds 512 tokens but the checkpoint's vocabulary has 513");
        expectInputError([&] { glr::loadLlama2cTokenizer(path, 0); }, "vocabulary size 0");
        // A vocabulary cut below the byte pieces cannot encode every byte: a clear error, not a bad id.
        auto small = glr::loadLlama2cTokenizer(path, 100);
        try {
            small->encode("a");
            QFAIL("no error for a byte without a token");
        } catch (const glr::Error& e) {
            QVERIFY2(std::strstr(e.what(), "byte 0x61 at offset 0 of the text has no token") != nullptr, e.what());
        }
    }

    void byteTokenizer() {
        auto tok = glr::makeByteTokenizer();
        QCOMPARE(tok->vocabSize(), 259);
        QCOMPARE(tok->encode("Hi\xff", true), (std::vector<int>{1, 3 + 'H', 3 + 'i', 3 + 0xff}));
        QCOMPARE(tok->decode({1, 3 + 'H', 3 + 'i', 2}), std::string("Hi"));
        QCOMPARE(tok->piece(3 + 'H'), std::string("H"));
        QCOMPARE(tok->piece(3 + '\n'), std::string("<0x0A>"));
        QCOMPARE(tok->piece(1), std::string("<s>"));
        QCOMPARE(QString::fromStdString(tok->kind()), QString("bytes"));
        expectInputError([&] { tok->decode({259}); }, "token id 259 is out of range");
    }

    void idsOutOfRange() {
        GLR_REQUIRE_SHARED("models/gpt2-tokenizer/vocab.json");
        for (const char* rel : {"models/gpt2-tokenizer", "models/stories260K/tok512.bin", "models/llama2-tokenizer/tokenizer.model"}) {
            auto tok = glr::loadTokenizer(glr::test::sharedPath(rel));
            expectInputError([&] { tok->decode({5, -1}); }, "token id -1 is out of range");
            expectInputError([&] { tok->piece(tok->vocabSize()); }, "is out of range");
        }
    }

    void badLlama2cFiles() {
        expectLoadError("empty.bin", "", "shorter than its 4-byte header");
        std::string header;
        appendI32(header, -3);
        expectLoadError("negative.bin", header, "max_token_length -3");
        std::string good = llama2cBin({{"<unk>", 0}, {"ab", 0}}, 8);
        expectLoadError("cut_header.bin", good.substr(0, good.size() - 5), "truncated in the header of token 1");
        expectLoadError("cut_piece.bin", good.substr(0, good.size() - 1), "truncated in token 1: 2 bytes announced, 1 left");
        expectLoadError("toolong.bin", llama2cBin({{"<unk>", 0}, {"abcdef", 0}}, 5), "token 1 has length 6");
        std::string huge;
        appendI32(huge, 16);
        appendF32(huge, 0);
        appendI32(huge, 0x7fffffff);
        expectLoadError("huge.bin", huge, "token 0 has length 2147483647");
    }

    void badJsonFiles() {
        expectLoadError("broken.json", "{\"model\": ", "invalid JSON");
        expectLoadError("nomodel.json", "{}", "has no \"model\"");
        json j = byteLevelJson(llama3PreTokenizer());
        j["model"]["merges"].push_back("x zz");
        expectLoadError("badmerge.json", j.dump(), "merges[4] \"x zz\": \"zz\" is not in the vocabulary");
        j = byteLevelJson({{"type", "Metaspace"}, {"replacement", "\xe2\x96\x81"}});
        expectLoadError("metaspace.json", j.dump(), "pre_tokenizer.type \"Metaspace\" is not supported");
        j = byteLevelJson(llama3PreTokenizer());
        j["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "\\w+";
        expectLoadError("regex.json", j.dump(), "pre_tokenizer.pretokenizers[0].pattern.Regex \"\\\\w+\" is not one of");
        j = byteLevelJson(llama3PreTokenizer());
        j["model"]["type"] = "WordPiece";
        expectLoadError("wordpiece.json", j.dump(), "model.type \"WordPiece\" is not supported");
        j = byteLevelJson(llama3PreTokenizer());
        j["model"]["vocab"]["x"] = "seven";
        expectLoadError("badid.json", j.dump(), "model.vocab[\"x\"] must be an integer id");
        j = byteLevelJson(llama3PreTokenizer());
        j["decoder"] = {{"type", "Metaspace"}};
        expectLoadError("decoder.json", j.dump(), "decoder \"Metaspace\" is not supported");
        j = byteLevelJson(llama3PreTokenizer());
        j["normalizer"] = {{"type", "Lowercase"}};
        expectLoadError("normalizer.json", j.dump(), "normalizer of type \"Lowercase\" is not supported");
    }

    void badPaths() {
        expectLoadError("garbage.model", "this is not a protobuf \x01\x02\x03", "not a valid SentencePiece model");
        expectLoadError("weights.safetensors", "x", "unrecognised tokenizer file name");
        expectInputError([&] { glr::loadTokenizer(dir_.filePath("missing.model").toStdString()); }, "does not exist");
        QDir(dir_.path()).mkdir("empty");
        expectInputError([&] { glr::loadTokenizer(dir_.filePath("empty").toStdString()); }, "no tokenizer found");
        QDir(dir_.path()).mkdir("two");
        write("two/tok32.bin", llama2cBin({{"a", 0}}));
        write("two/tok64.bin", llama2cBin({{"a", 0}}));
        expectInputError([&] { glr::loadTokenizer(dir_.filePath("two").toStdString()); }, "several llama2.c tokenizers (tok32.bin, tok64.bin)");
        QDir(dir_.path()).mkdir("half");
        write("half/vocab.json", "{}");
        expectInputError([&] { glr::loadTokenizer(dir_.filePath("half/vocab.json").toStdString()); }, "needs vocab.json and merges.txt");
    }
};

QTEST_APPLESS_MAIN(TestTokenizerFormats)
#include "test_tokenizer_formats.moc"
