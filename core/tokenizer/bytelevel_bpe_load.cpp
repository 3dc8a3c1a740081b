// Reading byte-level BPE descriptions: HF `tokenizer.json` and GPT-2's vocab.json + merges.txt.
// Only what changes the ids is interpreted; anything that would change them and that we do not
// implement is an error naming the field, so a tokenizer never silently encodes differently.
#include <filesystem>

#include <nlohmann/json.hpp>

#include "tokenizer/bytelevel_bpe.h"
#include "tokenizer/formats.h"
#include "util/error.h"
#include "util/files.h"

namespace glr::tok {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::uintmax_t kMaxJsonBytes = 256ull << 20;

json parseJsonFile(const std::string& path) {
    std::error_code ec;
    auto size = fs::file_size(path, ec);
    if (ec) failInput("cannot read {}: {}", path, ec.message());
    if (size > kMaxJsonBytes) failInput("{}: {} bytes is too large for a tokenizer file", path, size);
    try {
        return json::parse(readFile(path));
    } catch (const json::parse_error& e) {
        failInput("{}: invalid JSON at byte {}: {}", path, e.byte, e.what());
    }
}

std::string typeName(const json& j) { return j.type_name(); }

const json& member(const json& object, const char* key, const std::string& where, const std::string& path) {
    auto it = object.find(key);
    if (it == object.end()) failInput("{}: {} has no \"{}\"", path, where, key);
    return *it;
}

bool boolOr(const json& object, const char* key, bool fallback, const std::string& where, const std::string& path) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) failInput("{}: {}.{} must be a boolean, not {}", path, where, key, typeName(*it));
    return it->get<bool>();
}

std::string stringOr(const json& object, const char* key, const std::string& where, const std::string& path) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return {};
    if (!it->is_string()) failInput("{}: {}.{} must be a string, not {}", path, where, key, typeName(*it));
    return it->get<std::string>();
}

void readVocab(const json& vocab, const std::string& where, const std::string& path, ByteLevelBpeSpec& spec) {
    if (!vocab.is_object()) failInput("{}: {} must be an object token -> id, not {}", path, where, typeName(vocab));
    spec.vocab.reserve(vocab.size());
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        if (!it.value().is_number_integer())
            failInput("{}: {}[\"{}\"] must be an integer id, not {}", path, where, it.key(), typeName(it.value()));
        auto id = it.value().get<long long>();
        if (id < 0 || id > INT32_MAX) failInput("{}: {}[\"{}\"] = {} is not a valid id", path, where, it.key(), id);
        spec.vocab.emplace_back(it.key(), int(id));
    }
}

void readPretokenizer(const json& node, const std::string& where, const std::string& path, ByteLevelBpeSpec& spec) {
    if (node.is_null()) return;
    if (!node.is_object()) failInput("{}: {} must be an object, not {}", path, where, typeName(node));
    const std::string type = stringOr(node, "type", where, path);
    if (type == "Sequence") {
        const json& list = member(node, "pretokenizers", where, path);
        if (!list.is_array()) failInput("{}: {}.pretokenizers must be an array", path, where);
        for (std::size_t i = 0; i < list.size(); ++i)
            readPretokenizer(list[i], where + ".pretokenizers[" + std::to_string(i) + "]", path, spec);
    } else if (type == "ByteLevel") {
        if (boolOr(node, "add_prefix_space", false, where, path))
            spec.steps.push_back({PretokenizeStep::Kind::PrefixSpace});
        if (boolOr(node, "use_regex", true, where, path))
            spec.steps.push_back({PretokenizeStep::Kind::Split, SplitPattern::Gpt2});
    } else if (type == "Split") {
        const json& pattern = member(node, "pattern", where, path);
        std::string regex;
        if (pattern.is_object() && pattern.contains("Regex") && pattern["Regex"].is_string())
            regex = pattern["Regex"].get<std::string>();
        else
            failInput("{}: {}.pattern must be {{\"Regex\": \"...\"}} (string patterns are not supported)", path, where);
        auto known = recognizeSplitPattern(regex);
        if (!known)
            failInput("{}: {}.pattern.Regex {} is not one of the supported split patterns (GPT-2, LLaMA-3, "
                      "Qwen2)",
                      path, where, json(regex).dump());
        const std::string behavior = stringOr(node, "behavior", where, path);
        if (behavior != "Isolated")
            failInput("{}: {}.behavior \"{}\" is not supported (expected \"Isolated\")", path, where, behavior);
        if (boolOr(node, "invert", false, where, path))
            failInput("{}: {}.invert = true is not supported", path, where);
        spec.steps.push_back({PretokenizeStep::Kind::Split, *known});
    } else if (type == "Digits") {
        PretokenizeStep step{PretokenizeStep::Kind::Digits};
        step.individualDigits = boolOr(node, "individual_digits", false, where, path);
        spec.steps.push_back(step);
    } else {
        failInput("{}: {}.type \"{}\" is not supported for byte-level BPE (expected ByteLevel, Split, Digits or "
                  "Sequence; SentencePiece-style models load from tokenizer.model)",
                  path, where, type);
    }
}

// Normalisers change the text before splitting. NFC is accepted and not applied: text that is
// already NFC (nearly all real text; see the module notes) encodes identically.
void checkNormalizer(const json& node, const std::string& where, const std::string& path) {
    if (node.is_null()) return;
    const std::string type = node.is_object() ? stringOr(node, "type", where, path) : std::string();
    if (type == "NFC") return;
    if (type == "Sequence") {
        const json& list = member(node, "normalizers", where, path);
        for (std::size_t i = 0; i < list.size(); ++i)
            checkNormalizer(list[i], where + ".normalizers[" + std::to_string(i) + "]", path);
        return;
    }
    failInput("{}: {} of type \"{}\" is not supported for byte-level BPE (only none or NFC; "
              "SentencePiece-style models load from tokenizer.model)",
              path, where, type);
}

void checkDecoder(const json& node, const std::string& path) {
    const std::string type = node.is_object() ? stringOr(node, "type", "decoder", path) : std::string();
    bool byteLevel = type == "ByteLevel";
    if (type == "Sequence" && node.contains("decoders") && node["decoders"].is_array()) {
        byteLevel = !node["decoders"].empty();
        for (const auto& d : node["decoders"]) byteLevel = byteLevel && d.is_object() && d.value("type", "") == "ByteLevel";
    }
    if (!byteLevel)
        failInput("{}: decoder {} is not supported (byte-level BPE needs a ByteLevel decoder)", path,
                  node.is_null() ? std::string("null") : "\"" + type + "\"");
}

// tokenizer_config.json beside tokenizer.json names BOS/EOS as a string or {"content": ...}.
std::string configToken(const json& config, const char* key) {
    auto it = config.find(key);
    if (it == config.end() || it->is_null()) return {};
    if (it->is_string()) return it->get<std::string>();
    if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) return (*it)["content"].get<std::string>();
    return {};
}

void chooseBosEos(const std::string& jsonPath, ByteLevelBpeSpec& spec) {
    fs::path config = fs::path(jsonPath).parent_path() / "tokenizer_config.json";
    if (fs::exists(config)) {
        json c = parseJsonFile(config.string());
        if (c.is_object()) {
            spec.bosToken = configToken(c, "bos_token");
            spec.eosToken = configToken(c, "eos_token");
        }
        return;
    }
    // No config: the conventional names among the special added tokens.
    auto firstPresent = [&](std::initializer_list<const char*> names) -> std::string {
        for (const char* name : names)
            for (const auto& a : spec.added)
                if (a.special && a.content == name) return a.content;
        return {};
    };
    spec.bosToken = firstPresent({"<|begin_of_text|>", "<s>", "<|startoftext|>"});
    spec.eosToken = firstPresent({"<|end_of_text|>", "</s>", "<|endoftext|>"});
}

}  // namespace

std::unique_ptr<Tokenizer> openHfTokenizerJson(const std::string& path) {
    const json root = parseJsonFile(path);
    if (!root.is_object()) failInput("{}: a tokenizer.json must be a JSON object", path);
    ByteLevelBpeSpec spec;
    spec.kind = "hf-bpe";
    spec.source = path;

    const json& model = member(root, "model", "the file", path);
    if (!model.is_object()) failInput("{}: \"model\" must be an object", path);
    const std::string type = stringOr(model, "type", "model", path);
    if (!type.empty() && type != "BPE")
        failInput("{}: model.type \"{}\" is not supported (expected BPE)", path, type);
    if (!stringOr(model, "continuing_subword_prefix", "model", path).empty() ||
        !stringOr(model, "end_of_word_suffix", "model", path).empty())
        failInput("{}: model.continuing_subword_prefix / end_of_word_suffix are not supported for byte-level BPE", path);
    readVocab(member(model, "vocab", "model", path), "model.vocab", path, spec);
    const json& merges = member(model, "merges", "model", path);
    if (!merges.is_array()) failInput("{}: model.merges must be an array", path);
    spec.merges.reserve(merges.size());
    for (std::size_t i = 0; i < merges.size(); ++i) {
        const json& m = merges[i];
        if (m.is_string()) {  // older files: "left right"
            const std::string s = m.get<std::string>();
            auto cut = s.find(' ');
            if (cut == std::string::npos || s.find(' ', cut + 1) != std::string::npos)
                failInput("{}: model.merges[{}] \"{}\" must be two tokens separated by one space", path, i, s);
            spec.merges.emplace_back(s.substr(0, cut), s.substr(cut + 1));
        } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
            spec.merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
        } else {
            failInput("{}: model.merges[{}] must be \"left right\" or [\"left\", \"right\"], not {}", path, i, m.dump());
        }
    }
    spec.ignoreMerges = boolOr(model, "ignore_merges", false, "model", path);
    spec.unkToken = stringOr(model, "unk_token", "model", path);
    spec.fuseUnk = boolOr(model, "fuse_unk", false, "model", path);

    if (auto it = root.find("added_tokens"); it != root.end() && !it->is_null()) {
        if (!it->is_array()) failInput("{}: added_tokens must be an array", path);
        for (std::size_t i = 0; i < it->size(); ++i) {
            const json& t = (*it)[i];
            const std::string where = "added_tokens[" + std::to_string(i) + "]";
            if (!t.is_object()) failInput("{}: {} must be an object", path, where);
            const json& id = member(t, "id", where, path);
            if (!id.is_number_integer() || id.get<long long>() < 0 || id.get<long long>() > INT32_MAX)
                failInput("{}: {}.id must be a non-negative integer, not {}", path, where, id.dump());
            AddedToken a;
            a.id = int(id.get<long long>());
            a.content = stringOr(t, "content", where, path);
            a.special = boolOr(t, "special", false, where, path);
            a.lstrip = boolOr(t, "lstrip", false, where, path);
            a.rstrip = boolOr(t, "rstrip", false, where, path);
            spec.added.push_back(std::move(a));
        }
    }
    checkNormalizer(root.value("normalizer", json()), "normalizer", path);
    readPretokenizer(root.value("pre_tokenizer", json()), "pre_tokenizer", path, spec);
    checkDecoder(root.value("decoder", json()), path);
    chooseBosEos(path, spec);
    return makeByteLevelBpe(std::move(spec));
}

std::unique_ptr<Tokenizer> openGpt2VocabMerges(const std::string& vocabPath, const std::string& mergesPath) {
    ByteLevelBpeSpec spec;
    spec.kind = "gpt2-bpe";
    spec.source = vocabPath + " + " + mergesPath;
    const json vocab = parseJsonFile(vocabPath);
    readVocab(vocab, "the vocabulary", vocabPath, spec);

    std::error_code ec;
    auto size = fs::file_size(mergesPath, ec);
    if (ec) failInput("cannot read {}: {}", mergesPath, ec.message());
    if (size > kMaxJsonBytes) failInput("{}: {} bytes is too large for merges.txt", mergesPath, size);
    const std::string text = readFile(mergesPath);
    std::size_t lineNo = 0;
    for (std::size_t begin = 0; begin < text.size();) {
        std::size_t end = text.find('\n', begin);
        if (end == std::string::npos) end = text.size();
        std::string_view line(text.data() + begin, end - begin);
        begin = end + 1;
        ++lineNo;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || (lineNo == 1 && line.substr(0, 9) == "#version:")) continue;
        auto cut = line.find(' ');
        if (cut == std::string_view::npos || line.find(' ', cut + 1) != std::string_view::npos)
            failInput("{}:{}: expected two tokens separated by one space, got \"{}\"", mergesPath, lineNo, line);
        spec.merges.emplace_back(std::string(line.substr(0, cut)), std::string(line.substr(cut + 1)));
    }
    spec.steps.push_back({PretokenizeStep::Kind::Split, SplitPattern::Gpt2});
    // GPT-2's one special token: end of text, which also serves as BOS.
    for (const auto& [token, id] : spec.vocab)
        if (token == "<|endoftext|>") {
            spec.added.push_back({token, id, true, false, false});
            spec.bosToken = spec.eosToken = token;
        }
    return makeByteLevelBpe(std::move(spec));
}

}  // namespace glr::tok
