#pragma once
// Process-level settings that must be in place before any library starts its threads.
namespace glr {

// OpenMP (LibTorch's intra-op pool) spin-waits at barriers by default. On a machine where other
// processes compete for the cores, a descheduled worker then stalls every parallel region: we
// measured a LoRA training step 25x slower (18 s vs 0.7 s) at two threads on the 2-core machine
// under load. libgomp reads OMP_WAIT_POLICY once, when it is loaded, so the only reliable way to
// default it to PASSIVE is to re-execute the program with it set. Does nothing when the variable
// is already set (by the user or a previous exec); returns normally if exec fails.
void ensurePassiveOpenMpWait(int argc, char** argv);

}  // namespace glr
