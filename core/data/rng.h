#pragma once
// A small, fully specified generator for data sampling (valid_small, fan-out caps, batch order,
// synthetic data). std::mt19937 is portable but std::uniform_int_distribution and
// std::shuffle are not: their results differ between standard libraries, and a prepared split
// or a batch order must not change with the compiler.
#include <cstdint>
#include <utility>
#include <vector>

namespace glr::data {

// SplitMix64 (Steele, Lea, Flood 2014): one 64-bit state, passes BigCrush, trivially seeded.
class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    // Uniform in [0, n) without modulo bias (rejection on the 64-bit range), n > 0.
    std::uint64_t below(std::uint64_t n) {
        const std::uint64_t limit = ~std::uint64_t(0) - (~std::uint64_t(0) % n);
        std::uint64_t x;
        do {
            x = next();
        } while (x >= limit);
        return x % n;
    }
    double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)

private:
    std::uint64_t state_;
};

// Combines seeds (e.g. a run seed and an epoch or node id) into one well-mixed seed.
inline std::uint64_t mixSeed(std::uint64_t a, std::uint64_t b) {
    SplitMix64 g(a ^ (b * 0xD1B54A32D192ED03ULL + 0x8CB92BA72F3D8DD7ULL));
    return g.next();
}

// Fisher–Yates with SplitMix64::below.
template <typename T>
void shuffleInPlace(std::vector<T>& values, SplitMix64& rng) {
    for (std::size_t i = values.size(); i > 1; --i) std::swap(values[i - 1], values[rng.below(i)]);
}

}  // namespace glr::data
