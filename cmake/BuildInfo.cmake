# The git commit and dirty flag go into every run record. They are regenerated at build time
# (not configure time) so a rebuilt binary never reports a stale commit.
set(GRAPHLORA_BUILD_INFO_CPP ${CMAKE_BINARY_DIR}/generated/build_info.cpp)
add_custom_target(graphlora_build_info_gen
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_SOURCE_DIR} -DOUTPUT=${GRAPHLORA_BUILD_INFO_CPP}
          -DVERSION=${PROJECT_VERSION} -P ${CMAKE_SOURCE_DIR}/cmake/WriteBuildInfo.cmake
  BYPRODUCTS ${GRAPHLORA_BUILD_INFO_CPP}
  COMMENT "Recording git commit")
