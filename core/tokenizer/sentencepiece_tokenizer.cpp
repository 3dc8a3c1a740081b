// SentencePiece `tokenizer.model` through libsentencepiece, so ids are the library's own.
// libsentencepiece is reached only through the libgraphlora_spm.so shim, dlopen()ed on first use
// with RTLD_LOCAL | RTLD_DEEPBIND: Debian's build exports a private protobuf that must never meet
// LibTorch's libprotobuf in the global symbol scope (spm_shim/spm_shim.h).
// SentencePieceProcessor's Encode/Decode are const and keep no per-call state: safe to share.
#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "tokenizer/formats.h"
#include "tokenizer/spm_shim/spm_shim.h"
#include "util/error.h"
#include "util/files.h"

#ifndef GRAPHLORA_SPM_SHIM_FILE_NAME
#define GRAPHLORA_SPM_SHIM_FILE_NAME "libgraphlora_spm.so"
#endif

namespace glr::tok {

namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxModelBytes = 512ull << 20;

struct SpmApi {
    decltype(&glr_spm_abi_version) abiVersion = nullptr;
    decltype(&glr_spm_load_serialized) loadSerialized = nullptr;
    decltype(&glr_spm_free) freeModel = nullptr;
    decltype(&glr_spm_free_buffer) freeBuffer = nullptr;
    decltype(&glr_spm_encode) encode = nullptr;
    decltype(&glr_spm_decode) decode = nullptr;
    decltype(&glr_spm_id_to_piece) idToPiece = nullptr;
    decltype(&glr_spm_piece_size) pieceSize = nullptr;
    decltype(&glr_spm_bos_id) bosId = nullptr;
    decltype(&glr_spm_eos_id) eosId = nullptr;
};

struct ShimLoad {
    SpmApi api;
    std::string error;  // empty when api is usable
};

// Where the shim may be: $GRAPHLORA_SPM_SHIM alone when set; otherwise beside the executable, in
// ../lib relative to it (bin/ + lib/ of the build and install trees), then the build tree's copy.
std::vector<fs::path> shimCandidates() {
    if (const char* env = std::getenv("GRAPHLORA_SPM_SHIM"); env && *env) return {fs::path(env)};
    std::vector<fs::path> candidates;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec && exe.has_parent_path()) {
        candidates.push_back(exe.parent_path() / GRAPHLORA_SPM_SHIM_FILE_NAME);
        candidates.push_back((exe.parent_path() / ".." / "lib" / GRAPHLORA_SPM_SHIM_FILE_NAME).lexically_normal());
    }
#ifdef GRAPHLORA_SPM_SHIM_BUILD_PATH
    candidates.emplace_back(GRAPHLORA_SPM_SHIM_BUILD_PATH);
#endif
    return candidates;
}

template <typename Fn>
bool bind(void* handle, const char* name, Fn& fn, std::string& error) {
    fn = reinterpret_cast<Fn>(dlsym(handle, name));
    if (!fn) error = fmt::format("missing symbol {}", name);
    return fn != nullptr;
}

// Opens one candidate; on failure returns false with the reason in `error`.
bool openShim(const fs::path& path, SpmApi& api, std::string& error) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        error = "not found";
        return false;
    }
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!handle) {
        const char* why = dlerror();
        error = why ? why : "dlopen failed";
        return false;
    }
    bool ok = bind(handle, "glr_spm_abi_version", api.abiVersion, error) &&
              bind(handle, "glr_spm_load_serialized", api.loadSerialized, error) &&
              bind(handle, "glr_spm_free", api.freeModel, error) &&
              bind(handle, "glr_spm_free_buffer", api.freeBuffer, error) &&
              bind(handle, "glr_spm_encode", api.encode, error) &&
              bind(handle, "glr_spm_decode", api.decode, error) &&
              bind(handle, "glr_spm_id_to_piece", api.idToPiece, error) &&
              bind(handle, "glr_spm_piece_size", api.pieceSize, error) &&
              bind(handle, "glr_spm_bos_id", api.bosId, error) &&
              bind(handle, "glr_spm_eos_id", api.eosId, error);
    if (ok && api.abiVersion() != GLR_SPM_ABI_VERSION) {
        error = fmt::format("interface version {} where {} was expected (a stale build?)", api.abiVersion(),
                            GLR_SPM_ABI_VERSION);
        ok = false;
    }
    if (!ok) {
        api = SpmApi{};
        dlclose(handle);
    }
    // On success the handle stays open for the life of the process: models may live until exit.
    return ok;
}

ShimLoad loadShim() {
    ShimLoad result;
    std::string tried;
    for (const auto& candidate : shimCandidates()) {
        std::string why;
        if (openShim(candidate, result.api, why)) return result;
        tried += fmt::format("{}{} ({})", tried.empty() ? "" : ", ", candidate.string(), why);
    }
    if (tried.empty()) tried = "nowhere (no executable path and no build path known)";
    result.error = fmt::format("cannot load the SentencePiece shim " GRAPHLORA_SPM_SHIM_FILE_NAME
                               "; looked in: {}; set GRAPHLORA_SPM_SHIM to its path",
                               tried);
    return result;
}

// The shim, loaded once per process (a failure is remembered too).
const SpmApi& spmApi(const std::string& modelPath) {
    static const ShimLoad loaded = loadShim();
    if (!loaded.error.empty()) failInput("{}: {}", modelPath, loaded.error);
    return loaded.api;
}

class SentencePieceTokenizer final : public Tokenizer {
public:
    explicit SentencePieceTokenizer(const std::string& path) : path_(path) {
        std::error_code ec;
        auto size = fs::file_size(path, ec);
        if (ec) failInput("cannot read SentencePiece model {}: {}", path, ec.message());
        if (size > kMaxModelBytes) failInput("{}: {} bytes is too large for a SentencePiece model", path, size);
        const std::string bytes = readFile(path);
        api_ = &spmApi(path);
        char* error = nullptr;
        model_ = Model(api_->loadSerialized(bytes.data(), bytes.size(), &error), ModelDeleter{api_->freeModel});
        if (!model_)
            failInput("{}: not a valid SentencePiece model ({})", path, takeError(error, "unknown error"));
        pieceCount_ = api_->pieceSize(model_.get());
        if (pieceCount_ <= 0) failInput("{}: the SentencePiece model has no pieces", path);
        bosId_ = api_->bosId(model_.get());
        eosId_ = api_->eosId(model_.get());
    }

    std::vector<int> encode(std::string_view text, bool addBos) const override {
        int* raw = nullptr;
        std::size_t count = 0;
        char* error = nullptr;
        if (api_->encode(model_.get(), text.data(), text.size(), &raw, &count, &error) != 0)
            fail("SentencePiece {}: encoding failed: {}", path_, takeError(error, "unknown error"));
        const Buffer body(raw, BufferDeleter{api_->freeBuffer});
        std::vector<int> ids;
        ids.reserve(count + 1);
        if (addBos && bosId_ >= 0) ids.push_back(bosId_);
        ids.insert(ids.end(), raw, raw + count);
        return ids;
    }

    std::string decode(const std::vector<int>& ids) const override {
        for (int id : ids)
            if (id < 0 || id >= pieceCount_) failTokenId("sentencepiece", id, pieceCount_);
        char* raw = nullptr;
        std::size_t size = 0;
        char* error = nullptr;
        if (api_->decode(model_.get(), ids.data(), ids.size(), &raw, &size, &error) != 0)
            fail("SentencePiece {}: decoding failed: {}", path_, takeError(error, "unknown error"));
        const Buffer text(raw, BufferDeleter{api_->freeBuffer});
        return std::string(raw, size);
    }

    std::string piece(int id) const override {
        if (id < 0 || id >= pieceCount_) failTokenId("sentencepiece", id, pieceCount_);
        std::size_t size = 0;
        char* raw = api_->idToPiece(model_.get(), id, &size);
        if (!raw) fail("SentencePiece {}: no piece for id {}", path_, id);
        const Buffer piece(raw, BufferDeleter{api_->freeBuffer});
        return std::string(raw, size);
    }
    int vocabSize() const override { return pieceCount_; }
    int bosId() const override { return bosId_; }
    int eosId() const override { return eosId_; }
    std::string kind() const override { return "sentencepiece"; }

private:
    struct ModelDeleter {
        decltype(&glr_spm_free) freeModel;
        void operator()(glr_spm* model) const { freeModel(model); }
    };
    struct BufferDeleter {
        decltype(&glr_spm_free_buffer) freeBuffer;
        void operator()(void* buffer) const { freeBuffer(buffer); }
    };
    using Model = std::unique_ptr<glr_spm, ModelDeleter>;
    using Buffer = std::unique_ptr<void, BufferDeleter>;

    // The shim's error message (released), or `fallback` when it could not allocate one.
    std::string takeError(char* error, const char* fallback) const {
        if (!error) return fallback;
        std::string message(error);
        api_->freeBuffer(error);
        return message;
    }

    std::string path_;
    const SpmApi* api_ = nullptr;  // set once the model file has been read
    Model model_{nullptr, ModelDeleter{nullptr}};
    int pieceCount_ = 0;
    int bosId_ = -1;
    int eosId_ = -1;
};

}  // namespace

std::unique_ptr<Tokenizer> openSentencePiece(const std::string& modelPath) {
    return std::make_unique<SentencePieceTokenizer>(modelPath);
}

}  // namespace glr::tok
