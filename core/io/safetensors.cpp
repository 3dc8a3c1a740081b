#include "io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include <nlohmann/json.hpp>

#include "util/error.h"
#include "util/sha256.h"

namespace glr::io {

namespace {

// The format's own reference implementation refuses headers above 100 MB; so do we, so a hostile
// length field cannot make us parse gigabytes of garbage.
constexpr std::uint64_t kMaxHeaderBytes = 100ull * 1024 * 1024;

struct DTypeEntry {
    DType dtype;
    const char* name;
    std::size_t size;
};
constexpr DTypeEntry kDTypes[] = {
    {DType::F64, "F64", 8}, {DType::F32, "F32", 4}, {DType::F16, "F16", 2},
    {DType::BF16, "BF16", 2}, {DType::I64, "I64", 8}, {DType::I32, "I32", 4},
    {DType::I16, "I16", 2}, {DType::I8, "I8", 1}, {DType::U8, "U8", 1},
    {DType::BOOL, "BOOL", 1},
};

constexpr std::size_t kDigestHexLength = 64;

// Where the digest's value starts in the serialised header (bytes [8, 8 + headerLength) of the
// file), or npos. The writer puts the metadata first and writes the entry without spaces.
std::size_t digestValueOffset(const std::uint8_t* file, std::uint64_t headerLength) {
    const std::string entry = std::string("\"") + kDigestKey + "\":\"";
    const std::string_view header(reinterpret_cast<const char*>(file) + 8, headerLength);
    const std::size_t at = header.find(entry);
    if (at == std::string_view::npos || at + entry.size() + kDigestHexLength > header.size()) return std::string_view::npos;
    return 8 + at + entry.size();
}

// SHA-256 of `size` bytes of a file with the digest's value (at `valueOffset`) read as zeros.
std::string fileDigest(const std::uint8_t* file, std::uint64_t size, std::size_t valueOffset) {
    Sha256 sha;
    sha.update(file, valueOffset);
    const std::string zeros(kDigestHexLength, '0');
    sha.update(zeros);
    sha.update(file + valueOffset + kDigestHexLength, size - valueOffset - kDigestHexLength);
    return sha.hexDigest();
}

}  // namespace

std::size_t dtypeSize(DType dtype) {
    for (const auto& e : kDTypes)
        if (e.dtype == dtype) return e.size;
    return 0;
}

const char* dtypeName(DType dtype) {
    for (const auto& e : kDTypes)
        if (e.dtype == dtype) return e.name;
    return "?";
}

DType parseDType(const std::string& name, const std::string& context) {
    for (const auto& e : kDTypes)
        if (name == e.name) return e.dtype;
    failInput("{}: unknown dtype '{}' (expected one of F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL)",
              context, name);
}

std::int64_t TensorInfo::numel() const {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

SafetensorsFile SafetensorsFile::open(const std::string& path) {
    SafetensorsFile st;
    st.file_ = MappedFile(path);
    const std::uint64_t size = st.file_.size();
    if (size < 8) failInput("{}: truncated safetensors file ({} bytes, header length needs 8)", path, size);
    std::uint64_t headerLen = 0;
    for (int i = 7; i >= 0; --i) headerLen = (headerLen << 8) | st.file_.data()[i];
    if (headerLen > size - 8)
        failInput("{}: header length {} runs past the end of the file ({} bytes)", path, headerLen, size);
    if (headerLen > kMaxHeaderBytes)
        failInput("{}: header length {} exceeds the 100 MB limit", path, headerLen);
    st.dataStart_ = 8 + headerLen;
    const std::uint64_t dataSize = size - st.dataStart_;

    nlohmann::json header;
    try {
        header = nlohmann::json::parse(st.file_.data() + 8, st.file_.data() + 8 + headerLen);
    } catch (const nlohmann::json::exception& e) {
        failInput("{}: header is not valid JSON ({})", path, e.what());
    }
    if (!header.is_object()) failInput("{}: header must be a JSON object", path);

    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string& name = it.key();
        const auto& v = it.value();
        if (name == "__metadata__") {
            if (!v.is_object()) failInput("{}: __metadata__ must be an object of strings", path);
            for (auto m = v.begin(); m != v.end(); ++m) {
                if (!m.value().is_string())
                    failInput("{}: __metadata__ '{}' must be a string", path, m.key());
                st.metadata_[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        const std::string where = fmt::format("{}: tensor '{}'", path, name);
        if (!v.is_object()) failInput("{}: entry must be an object", where);
        if (!v.contains("dtype") || !v["dtype"].is_string()) failInput("{}: missing string 'dtype'", where);
        if (!v.contains("shape") || !v["shape"].is_array()) failInput("{}: missing array 'shape'", where);
        if (!v.contains("data_offsets") || !v["data_offsets"].is_array() || v["data_offsets"].size() != 2)
            failInput("{}: 'data_offsets' must be [begin, end]", where);
        TensorInfo info;
        info.name = name;
        info.dtype = parseDType(v["dtype"].get<std::string>(), where);
        // Overflow-safe element count: every dimension and the running product stay below 2^62.
        std::uint64_t numel = 1;
        for (const auto& d : v["shape"]) {
            if (!d.is_number_unsigned())
                failInput("{}: shape entries must be non-negative integers", where);
            std::uint64_t dim = d.get<std::uint64_t>();
            if (dim != 0 && numel > (std::uint64_t(1) << 62) / dim)
                failInput("{}: shape overflows", where);
            numel *= dim;
            info.shape.push_back(static_cast<std::int64_t>(dim));
        }
        for (const auto& o : v["data_offsets"])
            if (!o.is_number_unsigned()) failInput("{}: data_offsets must be non-negative integers", where);
        info.begin = v["data_offsets"][0].get<std::uint64_t>();
        info.end = v["data_offsets"][1].get<std::uint64_t>();
        if (info.begin > info.end) failInput("{}: data_offsets begin {} > end {}", where, info.begin, info.end);
        if (info.end > dataSize)
            failInput("{}: data range [{}, {}) lies outside the data section ({} bytes; file truncated?)",
                      where, info.begin, info.end, dataSize);
        const std::uint64_t expected = numel * dtypeSize(info.dtype);
        if (info.end - info.begin != expected)
            failInput("{}: byte range is {} bytes but shape x dtype size needs {}", where,
                      info.end - info.begin, expected);
        st.tensors_.push_back(std::move(info));
    }
    std::sort(st.tensors_.begin(), st.tensors_.end(),
              [](const TensorInfo& a, const TensorInfo& b) { return a.begin < b.begin || (a.begin == b.begin && a.end < b.end); });
    for (std::size_t i = 1; i < st.tensors_.size(); ++i) {
        const auto& prev = st.tensors_[i - 1];
        const auto& cur = st.tensors_[i];
        if (cur.begin < prev.end && cur.bytes() > 0 && prev.bytes() > 0)
            failInput("{}: tensor '{}': data range [{}, {}) overlaps tensor '{}' [{}, {})", path, cur.name,
                      cur.begin, cur.end, prev.name, prev.begin, prev.end);
    }
    for (std::size_t i = 0; i < st.tensors_.size(); ++i) st.index_[st.tensors_[i].name] = i;
    if (auto digest = st.metadata_.find(kDigestKey); digest != st.metadata_.end()) {
        const std::size_t at = digestValueOffset(st.file_.data(), headerLen);
        const std::string actual = at == std::string::npos ? std::string("(no digest entry as written here)")
                                                           : fileDigest(st.file_.data(), size, at);
        if (actual != digest->second)
            failInput("{}: the file does not match its checksum ({} {}, computed {}): it was damaged or changed "
                      "after it was written",
                      path, kDigestKey, digest->second.substr(0, 16), actual.substr(0, 16));
    }
    return st;
}

bool SafetensorsFile::contains(const std::string& name) const { return index_.count(name) != 0; }

const TensorInfo* SafetensorsFile::find(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &tensors_[it->second];
}

const TensorInfo& SafetensorsFile::get(const std::string& name) const {
    const TensorInfo* info = find(name);
    if (!info) failInput("{}: tensor '{}' not found", path(), name);
    return *info;
}

const std::uint8_t* SafetensorsFile::data(const TensorInfo& info) const {
    return file_.data() + dataStart_ + info.begin;
}

void SafetensorsWriter::add(const std::string& name, DType dtype, std::vector<std::int64_t> shape,
                            const void* data, std::size_t bytes) {
    std::int64_t numel = 1;
    for (auto d : shape) {
        GLR_CHECK(d >= 0, "safetensors writer: tensor '{}' has a negative dimension", name);
        numel *= d;
    }
    GLR_CHECK(static_cast<std::size_t>(numel) * dtypeSize(dtype) == bytes,
              "safetensors writer: tensor '{}' has {} bytes, shape needs {}", name, bytes,
              static_cast<std::size_t>(numel) * dtypeSize(dtype));
    for (const auto& e : entries_)
        GLR_CHECK(e.name != name, "safetensors writer: duplicate tensor '{}'", name);
    entries_.push_back({name, dtype, std::move(shape),
                        std::string(static_cast<const char*>(data), bytes)});
}

void SafetensorsWriter::setMetadata(const std::string& key, const std::string& value) {
    metadata_[key] = value;
}

std::string SafetensorsWriter::serialise() const {
    std::map<std::string, std::string> metadata = metadata_;
    metadata[kDigestKey] = std::string(kDigestHexLength, '0');  // the digest, once the rest is written
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    header["__metadata__"] = metadata;
    std::uint64_t offset = 0;
    for (const auto& e : entries_) {
        header[e.name] = {{"dtype", dtypeName(e.dtype)},
                          {"shape", e.shape},
                          {"data_offsets", {offset, offset + e.bytes.size()}}};
        offset += e.bytes.size();
    }
    std::string json = header.dump();
    while ((json.size() % 8) != 0) json.push_back(' ');
    std::string out;
    out.reserve(8 + json.size() + offset);
    std::uint64_t len = json.size();
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
    out += json;
    for (const auto& e : entries_) out += e.bytes;
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(out.data());
    const std::size_t at = digestValueOffset(bytes, len);
    GLR_CHECK(at != std::string::npos, "safetensors writer: the digest entry is missing from the header");
    out.replace(at, kDigestHexLength, fileDigest(bytes, out.size(), at));
    return out;
}

void SafetensorsWriter::write(const std::string& path) const { writeFileAtomic(path, serialise()); }

}  // namespace glr::io
