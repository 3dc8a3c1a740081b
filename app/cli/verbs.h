#pragma once
// Each verb group registers its subcommands on the root app. Handlers throw glr::Error on bad
// input; main() turns that into one line on stderr and exit code 1.
#include <string>

namespace CLI {
class App;
}

namespace glr::cli {
// --db: the experiment store ($GRAPHLORA_DB or ./runs.sqlite when not given), one help text for every verb.
void addDbOption(CLI::App* cmd, std::string& db);

void registerInspectVerbs(CLI::App& app);   // inspect
void registerStoreVerbs(CLI::App& app);     // runs, results, predictions, compare
void registerModelVerbs(CLI::App& app);     // logits, generate, tokenize
void registerDataVerbs(CLI::App& app);      // data prepare, data stats
void registerTrainVerbs(CLI::App& app);     // run
void registerSweepVerbs(CLI::App& app);     // sweep
void registerBenchVerbs(CLI::App& app);     // bench …
void registerTokenizerVerbs(CLI::App& app); // tokenize
}  // namespace glr::cli
