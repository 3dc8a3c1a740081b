#pragma once
// SHA-256 (FIPS 180-4), used for the canonical config hash recorded with every run. Small and
// dependency-free; tested against the NIST vectors in tests/util/test_sha256.cpp.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace glr {

class Sha256 {
public:
    Sha256();
    void update(const void* data, std::size_t size);
    void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
    std::array<std::uint8_t, 32> digest();  // finishes; the object must not be updated afterwards
    std::string hexDigest();                // lower-case, 64 characters

private:
    void compress(const std::uint8_t* block);
    std::array<std::uint32_t, 8> state_;
    std::array<std::uint8_t, 64> buffer_{};
    std::size_t buffered_ = 0;
    std::uint64_t totalBytes_ = 0;
};

// Lower-case hex SHA-256 of `bytes`.
std::string sha256Hex(std::string_view bytes);

}  // namespace glr
