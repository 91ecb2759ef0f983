#!/usr/bin/env bash
# Every test: the linters (scripts/lint.sh), the C++ doctest suite (plain and under
# ASan/UBSan), the CMake package consumed by a C++ program from an installed prefix, the
# Python suite (which compares against the real lifetimes 0.11.3 in a pinned side
# environment it creates on first use), the same suite with the extension built under
# ASan/UBSan, and the fuzz targets for a bounded time (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache keys on paths below here relatively, and ignores the build directory in -g
# builds, so a fresh clone elsewhere reuses the compilations of an earlier one
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
PYTHON=${PYTHON:-python3}
JOBS=${JOBS:-2}

echo "== Lint: ruff, cppcheck, clang-tidy"
bash scripts/lint.sh

echo "== C++ tests"
cmake -S . -B build/cpp -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build build/cpp -j"$JOBS"
ctest --test-dir build/cpp --output-on-failure

echo "== C++ tests under AddressSanitizer and UndefinedBehaviorSanitizer"
cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  -DCMAKE_CXX_FLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
  >/dev/null
cmake --build build/asan -j"$JOBS"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ./build/asan/tests/cpp/fastlifetimes_tests

echo "== C++ package: install, then build and run examples/cpp against it"
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install build/cpp --prefix "$prefix" >/dev/null
cmake -S examples/cpp -B build/example-cpp -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build build/example-cpp -j"$JOBS"
./build/example-cpp/fit_bgnbd python/fastlifetimes/datasets/cdnow_customers_summary.csv 3

echo "== Python tests"
"$PYTHON" -m pytest -q tests/python

echo "== Python tests with the extension under AddressSanitizer and UndefinedBehaviorSanitizer"
# The extension built again with the sanitizers, into build/asan-py, and imported from a
# copy of python/fastlifetimes (symlinks) put first on PYTHONPATH: the installed package
# is left alone. Python itself is not instrumented, so libasan is preloaded, with
# libstdc++ (else ASan cannot intercept C++ throws); CPython's allocations live until
# exit by design, so no leak detection. UBSan findings abort (-fno-sanitize-recover).
san="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
cmake -S . -B build/asan-py -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  -DFASTLIFETIMES_BUILD_PYTHON=ON -DFASTLIFETIMES_BUILD_TESTS=OFF -DCMAKE_CXX_FLAGS="-O1 -g $san" \
  -DCMAKE_MODULE_LINKER_FLAGS="$san" -DPython_EXECUTABLE="$(command -v "$PYTHON")" \
  -Dpybind11_DIR="$("$PYTHON" -m pybind11 --cmakedir)" >/dev/null
cmake --build build/asan-py -j"$JOBS"
site=build/asan-py/site
rm -rf "$site" && mkdir -p "$site"
cp -rs "$PWD/python/fastlifetimes" "$site/"
find "$site" -name __pycache__ -prune -exec rm -rf {} +
cp build/asan-py/bindings/_core*.so "$site/fastlifetimes/"
export LD_PRELOAD="$(g++ -print-file-name=libasan.so) $(g++ -print-file-name=libstdc++.so)" \
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  PYTHONPATH="$PWD/$site"
# the tests must import the sanitized copy, not the installed package
"$PYTHON" -c "import fastlifetimes._core as c, sys; sys.exit(c.__file__.startswith('$PWD/$site') is False)"
# Spark's JVM and its Python workers would inherit the preload; the Spark path is the same
# compiled code as the rest of the suite, driven through mapInPandas, so it runs unsanitized
"$PYTHON" -m pytest -q -p no:cacheprovider tests/python --ignore=tests/python/test_spark.py
unset LD_PRELOAD ASAN_OPTIONS UBSAN_OPTIONS PYTHONPATH

echo "== Fuzzing: transaction logs and model files, ${FUZZ_SECONDS:-45} s each"
bash scripts/fuzz.sh

echo "== Docs: the site with warnings as errors, then every example in it"
"$PYTHON" -m sphinx -W --keep-going -q -b html docs build/docs
"$PYTHON" -m pytest -q -p no:cacheprovider --doctest-glob='*.md' \
  -o doctest_optionflags="ELLIPSIS NORMALIZE_WHITESPACE" docs
