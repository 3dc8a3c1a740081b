#pragma once
// Where one process stands in a data-parallel run, as plain values (torch-free: the run request
// and the UI carry it). World size 1 is an ordinary run.
#include <optional>
#include <string>

namespace glr::dist {

struct DataParallelSpec {
    int rank = 0;
    int worldSize = 1;
    // This rank's index among the ranks on its machine: it picks the GPU when the config says
    // "cuda" without an index (cuda:<localRank mod GPUs>).
    int localRank = 0;
    // How the ranks find each other: "file:///abs/path" (a c10d FileStore: one machine, or a
    // filesystem every node shares) or "tcp://host:port" (rank 0 listens there).
    std::string rendezvous;
    int timeoutSeconds = 600;  // a rank that waits this long for the others gives up, naming why

    bool enabled() const { return worldSize > 1; }
};

// Rank and world size from a launcher's environment: GRAPHLORA_RANK and GRAPHLORA_WORLD_SIZE, or
// Slurm's SLURM_PROCID and SLURM_NTASKS (srun); the local rank from GRAPHLORA_LOCAL_RANK or
// SLURM_LOCALID (else the rank). Empty when neither is set.
std::optional<DataParallelSpec> rankFromEnvironment();

// "env" -> tcp://$MASTER_ADDR:$MASTER_PORT (29500 when unset); anything else is returned as is.
std::string resolveRendezvous(const std::string& address);

// Throws InputError naming the field for a rank outside [0, world), a world below 1, or an
// address that is neither file:// nor tcp://host:port.
void validate(const DataParallelSpec& spec);

}  // namespace glr::dist
