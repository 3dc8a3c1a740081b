// graphlora — the headless command line: runs, sweeps, data preparation, export and benchmarks.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "cli/verbs.h"
#include "util/error.h"
#include "util/process.h"

int main(int argc, char** argv) {
    glr::applyProcessDefaults(argc, argv);
    CLI::App app{"GraphLoRA Workbench command line: LLM recommenders with structure-aware LoRA"};
    app.require_subcommand(1);
    app.set_help_all_flag("--help-all", "Show help for every verb");
    glr::cli::registerInspectVerbs(app);
    glr::cli::registerStoreVerbs(app);
    glr::cli::registerModelVerbs(app);
    glr::cli::registerDataVerbs(app);
    glr::cli::registerTrainVerbs(app);
    glr::cli::registerSweepVerbs(app);
    glr::cli::registerBenchVerbs(app);
    glr::cli::registerTokenizerVerbs(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);  // usage errors: exit code 2 (CLI11 keeps them < 128)
    } catch (const glr::Cancelled&) {
        std::fprintf(stderr, "graphlora: cancelled\n");
        return 130 - 128 + 1;  // 3: distinguishable from errors and from usage
    } catch (const std::exception& e) {
        std::fprintf(stderr, "graphlora: error: %s\n", e.what());
        return 1;
    }
    return 0;
}
