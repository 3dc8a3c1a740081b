#!/usr/bin/env python3
"""Compile core and the CLI, syntax only, against other LibTorch versions' headers, CUDA branches on.

The GPU machine builds against a CUDA LibTorch 2.x (shared/docs/GPU.md); this machine has Debian's
1.13. A source that compiles here can still fail there: the 2.x side of every version branch
(core/model/compat.h) and every CUDA branch is otherwise compiled for the first time at the start
of a GPU session, whose minutes are few. This check takes the headers of Debian's `libtorch-dev`
from other suites (trixie: 2.6, sid: newest), which ship LibTorch's CUDA headers too, and compiles
every core and CLI source of an existing build (its compile_commands.json) against each with
GRAPHLORA_WITH_CUDA and GRAPHLORA_WITH_KERNELS defined: the configuration of the GPU build.

usage: scripts/check-libtorch-versions.py [--build build] [--suite trixie --suite sid]
                                          [--cache ~/.cache/graphlora/libtorch-headers] [-j N]
Needs: a configured build (scripts/test.sh makes one), apt-get and dpkg-deb, access to the Debian
archive, and the CUDA toolkit's headers (/usr/local/cuda/include, as for cuda_branches_compile).
Exit 0 when every source compiles against every suite; 1 with the errors by file when one does
not; 77 (ctest's skip) when the headers cannot be had: no archive access, no CUDA headers.
"""
import argparse
import concurrent.futures
import json
import os
import pathlib
import re
import shlex
import subprocess
import sys

ARCHIVE = "http://deb.debian.org/debian"
SKIP = 77  # ctest's SKIP_RETURN_CODE for the test libtorch_versions_compile
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
# Debian's headers leave out LibTorch's one generated CUDA header (cmake/CudaBranches.cmake).
CUDA_MACROS_STANDIN = "#pragma once\n#define C10_CUDA_BUILD_SHARED_LIBS\n"


def skip(reason):
    print(f"skipped: {reason}", flush=True)
    sys.exit(SKIP)


def fetch_headers(suite, cache):
    """The include root of `libtorch-dev` from `suite`, downloaded once into `cache`."""
    root = cache / suite
    include = root / "usr" / "include"
    if (include / "ATen" / "ATen.h").exists():
        return include
    lists = cache / f"{suite}-lists"
    (lists / "partial").mkdir(parents=True, exist_ok=True)
    sources = cache / f"{suite}.list"
    sources.write_text(f"deb [signed-by={KEYRING}] {ARCHIVE} {suite} main\n")
    apt = ["-o", f"Dir::Etc::sourcelist={sources}", "-o", "Dir::Etc::sourceparts=-",
           "-o", f"Dir::State::Lists={lists}"]
    downloads = cache / f"{suite}-debs"
    downloads.mkdir(exist_ok=True)
    for step in (["update"], ["download", "libtorch-dev"]):
        done = subprocess.run(["apt-get", *apt, *step], cwd=downloads, capture_output=True, text=True)
        if done.returncode != 0:
            skip(f"{suite}: apt-get {' '.join(step)} failed (no access to {ARCHIVE}?): "
                 f"{done.stderr.strip().splitlines()[-1:] or done.returncode}")
    debs = sorted(downloads.glob("libtorch-dev_*.deb"))
    if not debs:
        skip(f"{suite}: apt-get download libtorch-dev left no package in {downloads}")
    subprocess.run(["dpkg-deb", "-x", str(debs[-1]), str(root)], check=True)
    return include


def torch_version(include):
    for header in ("torch/headeronly/version.h", "torch/csrc/api/include/torch/version.h"):
        path = include / header
        if path.exists():
            text = path.read_text()
            major = re.search(r"#define TORCH_VERSION_MAJOR (\d+)", text)
            minor = re.search(r"#define TORCH_VERSION_MINOR (\d+)", text)
            if major and minor:
                return int(major.group(1)), int(minor.group(1))
    sys.exit(f"{include}: no TORCH_VERSION_MAJOR/MINOR in LibTorch's version headers")


def gpu_build_commands(build, source_root):
    """compile_commands.json entries of core and the CLI (what the GPU machine builds: no Qt)."""
    entries = json.loads((build / "compile_commands.json").read_text())
    wanted = []
    for entry in entries:
        source = pathlib.Path(entry["file"])
        relative = source.relative_to(source_root) if source.is_relative_to(source_root) else None
        if relative is None or relative.parts[0] not in ("core", "app") or source.suffix != ".cpp":
            continue
        if relative.parts[:2] == ("app", "workbench") or "Qt6" in entry["command"]:
            continue
        wanted.append(entry)
    return wanted


def rewrite(command, include, standard, standin):
    """The build's command for one source, syntax only, LibTorch's headers taken from `include`."""
    args = shlex.split(command)
    out = [args[0], "-fsyntax-only", f"-std=c++{standard}", "-DGRAPHLORA_WITH_CUDA=1",
           "-DGRAPHLORA_WITH_KERNELS=1", f"-I{standin}", f"-I{include}",
           f"-I{include / 'torch/csrc/api/include'}", "-I/usr/local/cuda/include"]
    skip_next = False
    for arg in args[1:]:
        if skip_next:
            skip_next = False
            continue
        if arg in ("-o", "-c", "-include", "-MF", "-MT"):
            skip_next = True
            continue
        if arg.startswith("-std=") or arg in ("-MD", "-Winvalid-pch") or arg.endswith(".cpp"):
            continue
        if arg == "-isystem" or arg.startswith("-isystem"):
            out.append(arg)  # their order is kept; the -I above come first
            continue
        out.append(arg)
    return out + [args[-1]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build", type=pathlib.Path)
    parser.add_argument("--suite", action="append", help="Debian suites to take libtorch-dev from")
    parser.add_argument("--cache", type=pathlib.Path,
                        default=pathlib.Path.home() / ".cache" / "graphlora" / "libtorch-headers")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", help="regular expression: check only sources whose path matches")
    options = parser.parse_args()
    source_root = pathlib.Path(__file__).resolve().parent.parent
    build = options.build if options.build.is_absolute() else source_root / options.build
    if not (build / "compile_commands.json").exists():
        sys.exit(f"{build}/compile_commands.json is missing: configure a build first (scripts/test.sh)")
    if not pathlib.Path("/usr/local/cuda/include/cuda_runtime_api.h").exists():
        skip("/usr/local/cuda/include/cuda_runtime_api.h is missing: the CUDA branches need the toolkit's headers")
    options.cache.mkdir(parents=True, exist_ok=True)
    standin = options.cache / "standin"
    (standin / "c10/cuda/impl").mkdir(parents=True, exist_ok=True)
    (standin / "c10/cuda/impl/cuda_cmake_macros.h").write_text(CUDA_MACROS_STANDIN)

    commands = gpu_build_commands(build, source_root)
    if options.only:
        commands = [c for c in commands if re.search(options.only, c["file"])]
    if not commands:
        sys.exit("no core or CLI source to check")
    failures = 0
    for suite in options.suite or ["trixie", "sid"]:
        include = fetch_headers(suite, options.cache)
        major, minor = torch_version(include)
        standard = 20 if (major, minor) >= (2, 12) else 17  # as cmake/Dependencies.cmake chooses
        print(f"{suite}: LibTorch {major}.{minor} headers, C++{standard}, {len(commands)} sources", flush=True)

        def check(entry):
            args = rewrite(entry["command"], include, standard, standin)
            done = subprocess.run(args, cwd=entry["directory"], capture_output=True, text=True)
            return entry["file"], done.returncode, done.stderr

        with concurrent.futures.ThreadPoolExecutor(options.jobs) as pool:
            for source, rc, errors in pool.map(check, commands):
                name = os.path.relpath(source, source_root)
                if rc == 0:
                    print(f"  ok    {name}", flush=True)
                else:
                    failures += 1
                    print(f"  FAIL  {name}\n{errors}", flush=True)
    if failures:
        sys.exit(f"{failures} source(s) do not compile against every LibTorch checked")
    print("every source compiles against every LibTorch checked")


if __name__ == "__main__":
    main()
