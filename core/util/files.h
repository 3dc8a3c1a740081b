#pragma once
// File helpers whose point is not losing data: writes go to a temporary file in the same
// directory, are flushed to disk, then renamed over the target, so a killed process or a full
// disk leaves either the old file or the new one — never half of one.
#include <cstdint>
#include <string>
#include <string_view>

namespace glr {

// Reads a whole file; throws naming the path when it cannot be opened or read.
std::string readFile(const std::string& path);

// Atomically replaces `path` with `bytes` (temp file + fsync + rename).
void writeFileAtomic(const std::string& path, std::string_view bytes);

// Read-only memory mapping of a whole file; movable, unmaps on destruction.
class MappedFile {
public:
    MappedFile() = default;
    explicit MappedFile(const std::string& path);
    ~MappedFile();
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::uint8_t* data() const { return data_; }
    std::uint64_t size() const { return size_; }
    const std::string& path() const { return path_; }

private:
    void release();
    std::string path_;
    const std::uint8_t* data_ = nullptr;
    std::uint64_t size_ = 0;
};

}  // namespace glr
