# The CUDA branches of core (code under GRAPHLORA_WITH_CUDA or GRAPHLORA_WITH_KERNELS) compile for
# real only in a CUDA build, on a GPU machine, which most sessions and CI never have. Where the CUDA
# toolkit's headers and LibTorch's own CUDA headers are at hand (Debian's libtorch-dev ships
# them), the test `cuda_branches_compile` checks those files with both macros defined, so a typo in a
# CUDA branch fails here rather than at the start of a GPU session. It sees only this LibTorch's
# side of any version branch (compat.h); the 2.x side is compiled on the GPU machine.
if(GRAPHLORA_CUDA OR NOT GRAPHLORA_HAVE_KERNELS OR NOT TARGET CUDA::cudart)
  return()
endif()
find_path(GRAPHLORA_TORCH_CUDA_GRAPH_HEADER ATen/cuda/CUDAGraph.h PATHS ${TORCH_INCLUDE_DIRS} NO_DEFAULT_PATH)
if(NOT GRAPHLORA_TORCH_CUDA_GRAPH_HEADER)
  message(STATUS "CUDA branch check: this LibTorch has no CUDA headers, not checked")
  return()
endif()

# Debian's LibTorch leaves out the one generated CUDA header (c10/cuda/impl/cuda_cmake_macros.h);
# a shared-library build defines this one macro in it.
set(_standin_dir ${CMAKE_BINARY_DIR}/cuda_branch_check/include)
find_file(GRAPHLORA_TORCH_CUDA_MACROS c10/cuda/impl/cuda_cmake_macros.h PATHS ${TORCH_INCLUDE_DIRS} NO_DEFAULT_PATH)
if(NOT GRAPHLORA_TORCH_CUDA_MACROS)
  file(WRITE ${_standin_dir}/c10/cuda/impl/cuda_cmake_macros.h
       "#pragma once\n// Stand-in for LibTorch's generated header (cmake/CudaBranches.cmake)\n#define C10_CUDA_BUILD_SHARED_LIBS\n")
endif()

# The flags core's torch modules compile with (include directories and definitions, transitively),
# plus the CUDA toolkit's headers and the stand-in.
file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/cuda_branch_check/flags.cmake CONTENT
"set(COMPILER [[${CMAKE_CXX_COMPILER}]])
set(STANDARD [[${CMAKE_CXX_STANDARD}]])
set(INCLUDES [[${_standin_dir};${CUDAToolkit_INCLUDE_DIRS};$<TARGET_PROPERTY:graphlora_bench,INCLUDE_DIRECTORIES>]])
set(DEFINITIONS [[$<TARGET_PROPERTY:graphlora_bench,COMPILE_DEFINITIONS>]])
set(SOURCE_ROOT [[${CMAKE_SOURCE_DIR}/core]])
")
add_test(NAME cuda_branches_compile
         COMMAND ${CMAKE_COMMAND} -DFLAGS=${CMAKE_BINARY_DIR}/cuda_branch_check/flags.cmake
                 -P ${CMAKE_SOURCE_DIR}/cmake/CheckCudaBranches.cmake)
set_tests_properties(cuda_branches_compile PROPERTIES LABELS "kernels")

# The same sources, and every other core and CLI source, against the headers of newer LibTorch
# releases (Debian trixie's and sid's libtorch-dev, fetched once): the 2.x side of compat.h and the
# C++20 that LibTorch ≥ 2.12 requires. Slow (every source twice, ~15 min on 2 cores) and it needs
# the Debian archive, so it is labelled slow; scripts/prepare-gpu-carry.sh runs it before a GPU session.
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
  add_test(NAME libtorch_versions_compile
           COMMAND Python3::Interpreter ${CMAKE_SOURCE_DIR}/scripts/check-libtorch-versions.py
                   --build ${CMAKE_BINARY_DIR})
  set_tests_properties(libtorch_versions_compile PROPERTIES LABELS "slow;libtorch-versions"
                       SKIP_RETURN_CODE 77 TIMEOUT 3600)
endif()
