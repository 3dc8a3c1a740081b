// The real tokenizers in shared/models: LLaMA-2 (SentencePiece tokenizer.model and its llama2.c
// tokenizer.bin), GPT-2 (vocab.json + merges.txt) and stories260K's tok512.bin. References:
// ids known from the published tokenizers, libsentencepiece itself (for the llama2.c path),
// straightforward transcriptions of llama2.c's O(n²) encode loop and of GPT-2's encoder.py merge
// loop (for the fast merge code), and round trips.
#include <QtTest>

#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>
#include <unordered_map>

#include "common/test_support.h"
#include "tokenizer/pretokenize.h"
#include "tokenizer/tokenizer.h"

namespace {

std::string models(const std::string& rel) { return glr::test::sharedPath("models/" + rel); }

const std::vector<std::string>& prompts() {
    static const std::vector<std::string> p = {
        "Hello world",
        "#Question: A user has given high ratings to the following movies: \"Toy Story (1995)\", \"Amélie "
        "(2001)\", \"Léon: The Professional (1994)\". Answer with \"Yes\" or \"No\". \n#Answer:",
        "It's a 'quoted' “curly” «guillemet» string — with an em dash…",
        "Crème brûlée, naïve façade, Ångström, São Paulo, Straße, Ærø, Dvořák",
        "Emoji: 🎬🍿 👩‍👩‍👧 ❤️ 🇫🇷 end",
        "Lines\nand\r\nmore\n\n\nlines\ttabbed\t\tend\n",
        "   multiple    spaces   inside and around   ",
        "日本語のテキスト、中文文本, 한국어 텍스트, Ελληνικά, Русский текст, العربية",
        "Numbers 1234567890 3.14159 -42 1e-5 $100",
        " leading space",
        "x",
    };
    return p;
}

QString show(const std::vector<int>& ids) {
    QStringList parts;
    for (int id : ids) parts << QString::number(id);
    return parts.join(' ');
}

#define COMPARE_IDS(got, want, text)                                                                          \
    do {                                                                                                      \
        if ((got) != (want))                                                                                  \
            QFAIL(qPrintable(QString("text \"%1\"\n got  %2\n want %3")                                       \
                                 .arg(QString::fromStdString(text), show(got), show(want))));                 \
    } while (0)

// ---- llama2.c's encode, transcribed naively (string concatenation + lookup, full rescans) ------

struct Llama2cVocab {
    std::vector<std::string> pieces;
    std::vector<float> scores;
    std::unordered_map<std::string, int> index;
};

Llama2cVocab readLlama2cVocab(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    Llama2cVocab v;
    std::size_t off = 4;
    while (off < bytes.size()) {
        float score;
        std::int32_t len;
        std::memcpy(&score, bytes.data() + off, 4);
        std::memcpy(&len, bytes.data() + off + 4, 4);
        off += 8;
        v.pieces.emplace_back(bytes.data() + off, len);
        v.scores.push_back(score);
        off += len;
    }
    for (int i = 0; i < int(v.pieces.size()); ++i) v.index.emplace(v.pieces[i], i);
    return v;
}

std::vector<int> naiveLlama2cEncode(const Llama2cVocab& v, const std::string& text) {
    auto lookup = [&](const std::string& s) {
        auto it = v.index.find(s);
        return it == v.index.end() ? -1 : it->second;
    };
    std::vector<int> tokens;
    if (!text.empty()) tokens.push_back(lookup(" "));
    std::string buf;
    for (std::size_t i = 0; i < text.size(); ++i) {
        unsigned char c = text[i];
        if ((c & 0xC0) != 0x80) buf.clear();
        buf += char(c);
        bool nextIsContinuation = i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80;
        if (nextIsContinuation && buf.size() < 4) continue;
        int id = lookup(buf);
        if (id != -1) {
            tokens.push_back(id);
        } else {
            for (unsigned char b : buf) tokens.push_back(b + 3);
        }
        buf.clear();
    }
    while (true) {
        float best = -1e10f;
        int bestId = -1, bestIdx = -1;
        for (int i = 0; i + 1 < int(tokens.size()); ++i) {
            int id = lookup(v.pieces[tokens[i]] + v.pieces[tokens[i + 1]]);
            if (id != -1 && v.scores[id] > best) {
                best = v.scores[id];
                bestId = id;
                bestIdx = i;
            }
        }
        if (bestIdx == -1) break;
        tokens[bestIdx] = bestId;
        tokens.erase(tokens.begin() + bestIdx + 1);
    }
    return tokens;
}

std::string randomText(std::mt19937& rng, int maxChars) {
    static const std::vector<std::string> alphabet = {
        "a", "b", "e", "h", "l", "n", "o", "s", "t", "y", "T", "Y", "N", " ", " ", " ", "  ", ".", ",", "'",
        "\"", "\n", "\t", "1", "9", "é", "ü", "—", "日", "本", "🎬", "Ω", "ж", "\xff", "\x80"};
    std::uniform_int_distribution<int> len(0, maxChars), pick(0, int(alphabet.size()) - 1);
    std::string s;
    for (int n = len(rng); n > 0; --n) s += alphabet[pick(rng)];
    return s;
}

// ---- GPT-2's encoder.py merge loop: lowest-ranked pair, all its occurrences, repeat ----------

struct Gpt2Vocab {
    std::unordered_map<std::string, int> ids;
    std::map<std::pair<std::string, std::string>, int> ranks;
};

Gpt2Vocab readGpt2() {
    Gpt2Vocab g;
    std::ifstream vin(models("gpt2-tokenizer/vocab.json"));
    auto vocab = nlohmann::json::parse(vin);
    for (auto it = vocab.begin(); it != vocab.end(); ++it) g.ids[it.key()] = it.value().get<int>();
    std::ifstream min(models("gpt2-tokenizer/merges.txt"));
    std::string line;
    int rank = 0;
    while (std::getline(min, line)) {
        if (line.empty() || line.rfind("#version", 0) == 0) continue;
        auto cut = line.find(' ');
        g.ranks.emplace(std::make_pair(line.substr(0, cut), line.substr(cut + 1)), rank++);
    }
    return g;
}

std::vector<int> naiveGpt2Encode(const Gpt2Vocab& g, const std::string& text) {
    std::vector<std::pair<std::size_t, std::size_t>> words;
    glr::tok::splitPretokens(text, 0, text.size(), glr::tok::SplitPattern::Gpt2, words);
    std::vector<int> ids;
    for (auto [b, e] : words) {
        std::vector<std::string> word;
        for (std::size_t i = b; i < e; ++i) word.push_back(glr::tok::byteToUnicode()[static_cast<unsigned char>(text[i])]);
        while (word.size() > 1) {
            int bestRank = INT32_MAX;
            std::pair<std::string, std::string> best;
            for (std::size_t i = 0; i + 1 < word.size(); ++i) {
                auto it = g.ranks.find({word[i], word[i + 1]});
                if (it != g.ranks.end() && it->second < bestRank) {
                    bestRank = it->second;
                    best = it->first;
                }
            }
            if (bestRank == INT32_MAX) break;
            std::vector<std::string> merged;
            for (std::size_t i = 0; i < word.size();) {
                if (i + 1 < word.size() && word[i] == best.first && word[i + 1] == best.second) {
                    merged.push_back(best.first + best.second);
                    i += 2;
                } else {
                    merged.push_back(word[i++]);
                }
            }
            word.swap(merged);
        }
        for (const auto& w : word) ids.push_back(g.ids.at(w));
    }
    return ids;
}

}  // namespace

class TestTokenizerModels : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { GLR_REQUIRE_SHARED("models/llama2-tokenizer/tokenizer.model"); }

    void detectsFormatsFromDirectories() {
        QCOMPARE(QString::fromStdString(glr::loadTokenizer(models("llama2-tokenizer"))->kind()), QString("sentencepiece"));
        QCOMPARE(QString::fromStdString(glr::loadTokenizer(models("stories260K"))->kind()), QString("llama2c"));
        QCOMPARE(QString::fromStdString(glr::loadTokenizer(models("gpt2-tokenizer"))->kind()), QString("gpt2-bpe"));
        QCOMPARE(QString::fromStdString(glr::loadTokenizer(models("gpt2-tokenizer/merges.txt"))->kind()), QString("gpt2-bpe"));
        QCOMPARE(QString::fromStdString(glr::loadTokenizer(models("llama2-tokenizer/tokenizer.bin"))->kind()), QString("llama2c"));
    }

    void vocabularySizes() {
        QCOMPARE(glr::loadTokenizer(models("llama2-tokenizer/tokenizer.model"))->vocabSize(), 32000);
        QCOMPARE(glr::loadTokenizer(models("llama2-tokenizer/tokenizer.bin"))->vocabSize(), 32000);
        QCOMPARE(glr::loadTokenizer(models("stories260K/tok512.bin"))->vocabSize(), 512);
        auto gpt2 = glr::loadTokenizer(models("gpt2-tokenizer"));
        QCOMPARE(gpt2->vocabSize(), 50257);
        QCOMPARE(gpt2->eosId(), 50256);
    }

    void knownLlama2Ids() {
        // LLaMA-2: "Hello world" is ▁Hello ▁world = 15043 3186, BOS 1.
        for (const char* file : {"llama2-tokenizer/tokenizer.model", "llama2-tokenizer/tokenizer.bin"}) {
            auto tok = glr::loadTokenizer(models(file));
            COMPARE_IDS(tok->encode("Hello world", true), (std::vector<int>{1, 15043, 3186}), std::string(file));
            QCOMPARE(tok->bosId(), 1);
            QCOMPARE(tok->eosId(), 2);
            QCOMPARE(tok->decode({1, 15043, 3186, 2}), std::string("Hello world"));
        }
    }

    void knownGpt2Ids() {
        auto tok = glr::loadTokenizer(models("gpt2-tokenizer"));
        COMPARE_IDS(tok->encode("Hello world"), (std::vector<int>{15496, 995}), std::string("Hello world"));
        QCOMPARE(tok->piece(995), std::string("\xc4\xa0world"));  // Ġworld
        // The end-of-text marker in text is the special token, and decode drops it.
        auto ids = tok->encode("a<|endoftext|>b");
        QCOMPARE(int(ids.size()), 3);
        QCOMPARE(ids[1], 50256);
        QCOMPARE(tok->decode(ids), std::string("ab"));
    }

    void llama2cBinMatchesSentencePiece() {
        auto spm = glr::loadTokenizer(models("llama2-tokenizer/tokenizer.model"));
        auto bin = glr::loadTokenizer(models("llama2-tokenizer/tokenizer.bin"));
        for (const auto& text : prompts()) COMPARE_IDS(bin->encode(text), spm->encode(text), text);
        // Random valid-UTF-8 strings too (SentencePiece replaces invalid bytes, llama2.c does not).
        std::mt19937 rng(7);
        for (int i = 0; i < 300; ++i) {
            std::string text = randomText(rng, 40);
            if (text.find('\xff') != std::string::npos || text.find('\x80') != std::string::npos) continue;
            COMPARE_IDS(bin->encode(text), spm->encode(text), text);
        }
    }

    void llama2cMatchesNaiveReference() {
        for (const char* file : {"stories260K/tok512.bin", "llama2-tokenizer/tokenizer.bin"}) {
            auto vocab = readLlama2cVocab(models(file));
            auto tok = glr::loadTokenizer(models(file));
            for (const auto& text : prompts()) COMPARE_IDS(tok->encode(text), naiveLlama2cEncode(vocab, text), text);
            std::mt19937 rng(11);
            for (int i = 0; i < 300; ++i) {
                std::string text = randomText(rng, 60);
                COMPARE_IDS(tok->encode(text), naiveLlama2cEncode(vocab, text), text);
            }
        }
    }

    void gpt2MatchesNaiveReference() {
        auto g = readGpt2();
        auto tok = glr::loadTokenizer(models("gpt2-tokenizer"));
        for (const auto& text : prompts()) COMPARE_IDS(tok->encode(text), naiveGpt2Encode(g, text), text);
        std::mt19937 rng(13);
        for (int i = 0; i < 300; ++i) {
            std::string text = randomText(rng, 60);
            COMPARE_IDS(tok->encode(text), naiveGpt2Encode(g, text), text);
        }
    }

    void roundTrips() {
        for (const char* path : {"gpt2-tokenizer", "llama2-tokenizer/tokenizer.model", "llama2-tokenizer/tokenizer.bin",
                                 "stories260K/tok512.bin"}) {
            auto tok = glr::loadTokenizer(models(path));
            for (const auto& text : prompts()) {
                QCOMPARE(tok->decode(tok->encode(text)), text);
                QCOMPARE(tok->decode(tok->encode(text, true)), text);
            }
        }
        // Byte-level and llama2.c tokenizers also round-trip bytes that are not UTF-8.
        const std::string raw = "ok \xff\xfe\x80 done";
        for (const char* path : {"gpt2-tokenizer", "stories260K/tok512.bin"}) {
            auto tok = glr::loadTokenizer(models(path));
            QCOMPARE(tok->decode(tok->encode(raw)), raw);
        }
    }

    void stories260kYesNoPieces() {
        // SPEC §4: after the prompt, " Yes" / " No" become ' ','Y','es' / ' ','N','o': the common
        // ' ' joins the prompt and the score token is 'Y'. On its own, " Yes" also gets the " "
        // dummy prefix: ' ',' ','Y','es'.
        auto tok = glr::loadTokenizer(models("stories260K/tok512.bin"));
        auto pieces = [&](const std::vector<int>& ids, std::size_t from) {
            QStringList out;
            for (std::size_t i = from; i < ids.size(); ++i) out << QString::fromStdString(tok->piece(ids[i]));
            return out;
        };
        const std::string prompt = "Answer with \"Yes\" or \"No\". \n#Answer:";
        auto base = tok->encode(prompt);
        auto yes = tok->encode(prompt + " Yes");
        auto no = tok->encode(prompt + " No");
        QVERIFY(std::equal(base.begin(), base.end(), yes.begin()));
        QCOMPARE(pieces(yes, base.size()), (QStringList{" ", "Y", "es"}));
        QCOMPARE(pieces(no, base.size()), (QStringList{" ", "N", "o"}));
        QCOMPARE(pieces(tok->encode(" Yes"), 0), (QStringList{" ", " ", "Y", "es"}));
    }

    void concurrentEncodingIsConsistent() {
        std::vector<std::unique_ptr<glr::Tokenizer>> toks;
        for (const char* path : {"gpt2-tokenizer", "llama2-tokenizer/tokenizer.model", "llama2-tokenizer/tokenizer.bin",
                                 "stories260K/tok512.bin"})
            toks.push_back(glr::loadTokenizer(models(path)));
        for (const auto& tok : toks) {
            std::vector<std::vector<int>> expected;
            for (const auto& p : prompts()) expected.push_back(tok->encode(p));
            std::atomic<int> mismatches{0};
            std::vector<std::thread> threads;
            for (int t = 0; t < 4; ++t)
                threads.emplace_back([&, t] {
                    for (int rep = 0; rep < 50; ++rep)
                        for (std::size_t i = 0; i < prompts().size(); ++i) {
                            std::size_t k = (i + t) % prompts().size();
                            if (tok->encode(prompts()[k]) != expected[k]) ++mismatches;
                        }
                });
            for (auto& th : threads) th.join();
            QCOMPARE(mismatches.load(), 0);
        }
    }
};

QTEST_APPLESS_MAIN(TestTokenizerModels)
#include "test_tokenizer_models.moc"
