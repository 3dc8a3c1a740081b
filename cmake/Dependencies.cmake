# Every dependency comes from a Debian package (scripts/setup-debian.sh) or, on a GPU box,
# from the Python torch's bundled LibTorch plus unpacked Debian packages (shared/docs/GPU.md).
find_package(Torch REQUIRED)
if(Torch_VERSION VERSION_GREATER_EQUAL 2.12 AND CMAKE_CXX_STANDARD LESS 20)
  message(STATUS "LibTorch ${Torch_VERSION} needs C++20: building as C++20")
  set(CMAKE_CXX_STANDARD 20)
endif()
message(STATUS "LibTorch ${Torch_VERSION}, C++${CMAKE_CXX_STANDARD}")
# LibTorch's at::parallel_for is a header template: only code compiled with OpenMP runs it on the
# intra-op pool (without it our own parallel loops — the CPU attention, sparse propagation — run
# on one thread). Debian's and the pip LibTorch both use GCC's libgomp, which this links.
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(SQLite3 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(Threads REQUIRED)

# libsentencepiece ships a pkg-config file but no CMake package.
find_package(PkgConfig)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(SENTENCEPIECE IMPORTED_TARGET sentencepiece)
endif()
if(NOT SENTENCEPIECE_FOUND)
  find_path(SENTENCEPIECE_INCLUDE_DIR sentencepiece_processor.h REQUIRED)
  find_library(SENTENCEPIECE_LIBRARY sentencepiece REQUIRED)
  add_library(PkgConfig::SENTENCEPIECE UNKNOWN IMPORTED)
  set_target_properties(PkgConfig::SENTENCEPIECE PROPERTIES
    IMPORTED_LOCATION ${SENTENCEPIECE_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${SENTENCEPIECE_INCLUDE_DIR})
endif()

# Debian's libsentencepiece exports its own copy of protobuf, which clashes with the libprotobuf
# LibTorch loads (a crash before main(), or an abort on protobuf's version check). So nothing
# links it directly: only the graphlora_spm shim (core/CMakeLists.txt) does, and the tokenizer
# dlopen()s that shim with RTLD_LOCAL | RTLD_DEEPBIND at run time.

find_package(CLI11 CONFIG QUIET)
if(NOT CLI11_FOUND)
  find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
  add_library(CLI11::CLI11 INTERFACE IMPORTED)
  set_target_properties(CLI11::CLI11 PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${CLI11_INCLUDE_DIR})
endif()
find_package(fmt REQUIRED)

# TORCH_CXX_FLAGS carries the ABI define; apply it to every target, not just torch users.
string(REPLACE " " ";" _torch_flags "${TORCH_CXX_FLAGS}")
add_compile_options(${_torch_flags})

set(GRAPHLORA_HAVE_QT OFF)
if(GRAPHLORA_BUILD_UI)
  find_package(Qt6 6.2 COMPONENTS Core Gui Widgets Test Svg PrintSupport Concurrent QUIET)
  find_package(QCustomPlotQt6 QUIET)
  if(Qt6_FOUND AND TARGET QCustomPlotQt6::QCustomPlotQt6)
    set(GRAPHLORA_HAVE_QT ON)
  endif()
endif()

# Data-parallel training (core/dist) uses c10d's Gloo backend. Its header needs Gloo's own headers:
# Debian's LibTorch links libgloo but its headers come with libgloo-dev; the pip LibTorch carries
# both. Without them the build still works and a multi-rank run is refused with a message.
find_file(GRAPHLORA_C10D_GLOO_HEADER torch/csrc/distributed/c10d/ProcessGroupGloo.hpp PATHS ${TORCH_INCLUDE_DIRS})
find_path(GRAPHLORA_GLOO_INCLUDE_DIR gloo/context.h PATHS ${TORCH_INCLUDE_DIRS})
find_library(GRAPHLORA_GLOO_LIBRARY gloo)
set(GRAPHLORA_HAVE_GLOO OFF)
if(GRAPHLORA_C10D_GLOO_HEADER AND GRAPHLORA_GLOO_INCLUDE_DIR)
  set(GRAPHLORA_HAVE_GLOO ON)
endif()
message(STATUS "Data-parallel runs over c10d Gloo: ${GRAPHLORA_HAVE_GLOO}")
