#pragma once
// Private state of RunStore, shared by its implementation files (not part of the public API).
#include <string>
#include <vector>

#include "store/run_store.h"
#include "store/sqlite_db.h"
#include "util/error.h"

namespace glr::store {

struct RunStore::Impl {
    Database db;
    OpenOptions options;
    int schemaVersion = 0;
    int transactionDepth = 0;
    std::string host;

    Database& checkedDb() {
        if (!db.isOpen()) throw Error("experiment store: not open");
        return db;
    }
};

// The schema, one migration per version (index 0 migrates version 0 -> 1). Defined in schema.cpp.
const std::vector<const char*>& schemaMigrations();

}  // namespace glr::store
