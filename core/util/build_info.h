#pragma once
// Provenance recorded with every run (generated at build time by cmake/WriteBuildInfo.cmake).
namespace glr {
const char* buildGitCommit();
bool buildGitDirty();
const char* buildVersion();
}  // namespace glr
