#include "dist/data_parallel_spec.h"

#include <cstdlib>

#include "util/error.h"

namespace glr::dist {

namespace {

std::optional<int> intFromEnvironment(const char* name) {
    const char* value = std::getenv(name);
    if (!value || !*value) return std::nullopt;
    char* end = nullptr;
    const long parsed = std::strtol(value, &end, 10);
    if (*end != '\0' || parsed < 0 || parsed > 1000000) failInput("environment variable {}='{}' is not a rank or a count", name, value);
    return static_cast<int>(parsed);
}

}  // namespace

std::optional<DataParallelSpec> rankFromEnvironment() {
    for (const auto& [rankVar, worldVar] : {std::pair{"GRAPHLORA_RANK", "GRAPHLORA_WORLD_SIZE"}, std::pair{"SLURM_PROCID", "SLURM_NTASKS"}}) {
        const auto rank = intFromEnvironment(rankVar);
        const auto world = intFromEnvironment(worldVar);
        if (!rank && !world) continue;
        if (!rank || !world) failInput("{} and {} must be set together", rankVar, worldVar);
        DataParallelSpec spec;
        spec.rank = *rank;
        spec.worldSize = *world;
        const auto local = std::string(rankVar) == "SLURM_PROCID" ? intFromEnvironment("SLURM_LOCALID")
                                                                 : intFromEnvironment("GRAPHLORA_LOCAL_RANK");
        spec.localRank = local.value_or(*rank);
        return spec;
    }
    return std::nullopt;
}

std::string resolveRendezvous(const std::string& address) {
    if (address != "env") return address;
    const char* host = std::getenv("MASTER_ADDR");
    if (!host || !*host) failInput("--rendezvous env: MASTER_ADDR is not set (the host of rank 0)");
    const char* port = std::getenv("MASTER_PORT");
    return fmt::format("tcp://{}:{}", host, port && *port ? port : "29500");
}

void validate(const DataParallelSpec& spec) {
    if (spec.worldSize < 1) failInput("data-parallel world size must be at least 1, got {}", spec.worldSize);
    if (spec.rank < 0 || spec.rank >= spec.worldSize)
        failInput("data-parallel rank {} is outside 0..{} (world size {})", spec.rank, spec.worldSize - 1, spec.worldSize);
    if (spec.timeoutSeconds < 1) failInput("data-parallel timeout must be at least 1 s, got {}", spec.timeoutSeconds);
    if (!spec.enabled()) return;
    const std::string& a = spec.rendezvous;
    if (a.rfind("file://", 0) == 0) {
        if (a.size() <= 7 || a[7] != '/') failInput("rendezvous '{}': a file:// address needs an absolute path (file:///dir/name)", a);
        return;
    }
    if (a.rfind("tcp://", 0) == 0) {
        const auto colon = a.rfind(':');
        const std::string port = colon > 5 ? a.substr(colon + 1) : "";
        char* end = nullptr;
        const long p = port.empty() ? 0 : std::strtol(port.c_str(), &end, 10);
        if (colon <= 6 || port.empty() || *end != '\0' || p < 1 || p > 65535)
            failInput("rendezvous '{}': expected tcp://HOST:PORT with a port in 1..65535", a);
        return;
    }
    failInput("rendezvous '{}': expected file:///PATH or tcp://HOST:PORT (or 'env' for MASTER_ADDR/MASTER_PORT)", a);
}

}  // namespace glr::dist
