#pragma once
// safetensors: 8-byte little-endian header length N, N bytes of JSON
// {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}},
// then the data section. Offsets are relative to the data section.
//
// Reading memory-maps the file and validates everything before any tensor is touched, so a
// truncated or hostile file gives an error naming the tensor and the problem, never a crash
// or an allocation sized by untrusted numbers. Torch-free: see model/tensor_io.h for tensors.
//
// Files this writer makes carry a SHA-256 of the whole file in the metadata (kDigestKey: the
// digest of the file as written with this value's 64 hex digits as zeros), and opening such a
// file checks it: a damaged checkpoint or adapter (a flipped bit in a tensor, a name or the
// training position) is refused instead of resuming a run from it. Files from elsewhere (HF,
// PEFT) have no digest and are read as they are; other readers ignore the extra entry.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "util/files.h"

namespace glr::io {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

// Metadata key of the file's SHA-256 (lower-case hex), written and checked by this module.
inline constexpr const char* kDigestKey = "graphlora.sha256";

std::size_t dtypeSize(DType dtype);
const char* dtypeName(DType dtype);
// Throws InputError naming `context` for an unknown dtype string.
DType parseDType(const std::string& name, const std::string& context);

struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0;  // byte offset into the data section
    std::uint64_t end = 0;
    std::int64_t numel() const;
    std::uint64_t bytes() const { return end - begin; }
};

class SafetensorsFile {
public:
    // Opens, maps and validates (the data digest too, where the file has one); throws
    // InputError("<path>: tensor '<name>': <problem>").
    static SafetensorsFile open(const std::string& path);

    const std::string& path() const { return file_.path(); }
    // Sorted by data offset (the order tensors lie in the file).
    const std::vector<TensorInfo>& tensors() const { return tensors_; }
    const std::map<std::string, std::string>& metadata() const { return metadata_; }
    bool contains(const std::string& name) const;
    const TensorInfo* find(const std::string& name) const;
    // Throws InputError naming the missing tensor.
    const TensorInfo& get(const std::string& name) const;
    // Pointer to the tensor's bytes inside the mapping (valid while this object lives).
    const std::uint8_t* data(const TensorInfo& info) const;
    std::uint64_t fileSize() const { return file_.size(); }

private:
    MappedFile file_;
    std::uint64_t dataStart_ = 0;
    std::vector<TensorInfo> tensors_;
    std::map<std::string, std::size_t> index_;
    std::map<std::string, std::string> metadata_;
};

// Collects tensors (copied) and writes them atomically in one file.
class SafetensorsWriter {
public:
    void add(const std::string& name, DType dtype, std::vector<std::int64_t> shape, const void* data,
             std::size_t bytes);
    void setMetadata(const std::string& key, const std::string& value);
    // Serialises to bytes (tensors in insertion order, header padded to 8 bytes, the data
    // file's digest in the metadata).
    std::string serialise() const;
    // temp file + fsync + rename
    void write(const std::string& path) const;

private:
    struct Entry {
        std::string name;
        DType dtype;
        std::vector<std::int64_t> shape;
        std::string bytes;
    };
    std::vector<Entry> entries_;
    std::map<std::string, std::string> metadata_;
};

}  // namespace glr::io
