// libgraphlora_spm.so: the only code that links libsentencepiece (why: spm_shim.h). Built with
// hidden visibility, so it exports the glr_spm_* functions and nothing else; no exception may
// leave an extern "C" function.
#include "spm_shim.h"

#include <sentencepiece_processor.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#define GLR_SPM_EXPORT __attribute__((visibility("default")))

struct glr_spm {
    sentencepiece::SentencePieceProcessor processor;
};

namespace {

// A malloc'd copy of `bytes` (NUL-terminated for convenience), or nullptr when out of memory.
char* copyOut(std::string_view bytes) {
    auto* out = static_cast<char*>(std::malloc(bytes.size() + 1));
    if (!out) return nullptr;
    if (!bytes.empty()) std::memcpy(out, bytes.data(), bytes.size());
    out[bytes.size()] = '\0';
    return out;
}

void setError(char** error, std::string_view message) {
    if (error) *error = copyOut(message);
}

}  // namespace

extern "C" {

GLR_SPM_EXPORT int glr_spm_abi_version(void) { return GLR_SPM_ABI_VERSION; }

GLR_SPM_EXPORT glr_spm* glr_spm_load_serialized(const char* bytes, size_t size, char** error) {
    if (error) *error = nullptr;
    try {
        auto* model = new glr_spm;
        auto status = model->processor.LoadFromSerializedProto(std::string_view(bytes, size));
        if (!status.ok()) {
            setError(error, status.ToString());
            delete model;
            return nullptr;
        }
        return model;
    } catch (const std::exception& e) {
        setError(error, e.what());
    } catch (...) {
        setError(error, "unknown exception in libsentencepiece");
    }
    return nullptr;
}

GLR_SPM_EXPORT void glr_spm_free(glr_spm* model) { delete model; }

GLR_SPM_EXPORT void glr_spm_free_buffer(void* buffer) { std::free(buffer); }

GLR_SPM_EXPORT int glr_spm_encode(const glr_spm* model, const char* text, size_t textSize, int** ids,
                                  size_t* count, char** error) {
    *ids = nullptr;
    *count = 0;
    if (error) *error = nullptr;
    try {
        std::vector<int> encoded;
        auto status = model->processor.Encode(std::string_view(text, textSize), &encoded);
        if (!status.ok()) {
            setError(error, status.ToString());
            return -1;
        }
        if (encoded.empty()) return 0;
        auto* out = static_cast<int*>(std::malloc(encoded.size() * sizeof(int)));
        if (!out) {
            setError(error, "out of memory");
            return -1;
        }
        std::memcpy(out, encoded.data(), encoded.size() * sizeof(int));
        *ids = out;
        *count = encoded.size();
        return 0;
    } catch (const std::exception& e) {
        setError(error, e.what());
    } catch (...) {
        setError(error, "unknown exception in libsentencepiece");
    }
    return -1;
}

GLR_SPM_EXPORT int glr_spm_decode(const glr_spm* model, const int* ids, size_t count, char** text,
                                  size_t* textSize, char** error) {
    *text = nullptr;
    *textSize = 0;
    if (error) *error = nullptr;
    try {
        std::string decoded;
        auto status = model->processor.Decode(std::vector<int>(ids, ids + count), &decoded);
        if (!status.ok()) {
            setError(error, status.ToString());
            return -1;
        }
        char* out = copyOut(decoded);
        if (!out) {
            setError(error, "out of memory");
            return -1;
        }
        *text = out;
        *textSize = decoded.size();
        return 0;
    } catch (const std::exception& e) {
        setError(error, e.what());
    } catch (...) {
        setError(error, "unknown exception in libsentencepiece");
    }
    return -1;
}

GLR_SPM_EXPORT char* glr_spm_id_to_piece(const glr_spm* model, int id, size_t* pieceSize) {
    *pieceSize = 0;
    if (id < 0 || id >= model->processor.GetPieceSize()) return nullptr;
    try {
        const std::string& piece = model->processor.IdToPiece(id);
        char* out = copyOut(piece);
        if (out) *pieceSize = piece.size();
        return out;
    } catch (...) {
        return nullptr;
    }
}

GLR_SPM_EXPORT int glr_spm_piece_size(const glr_spm* model) { return model->processor.GetPieceSize(); }
GLR_SPM_EXPORT int glr_spm_bos_id(const glr_spm* model) { return model->processor.bos_id(); }
GLR_SPM_EXPORT int glr_spm_eos_id(const glr_spm* model) { return model->processor.eos_id(); }
GLR_SPM_EXPORT int glr_spm_unk_id(const glr_spm* model) { return model->processor.unk_id(); }

}  // extern "C"
