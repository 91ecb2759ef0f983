#!/usr/bin/env bash
# Every test: the C++ doctest suite, the CMake package consumed by a C++ program from an
# installed prefix, and the Python suite (which compares against the real lifetimes
# 0.11.3 in a pinned side environment it creates on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
JOBS=${JOBS:-2}

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

echo "== Docs: the site with warnings as errors, then every example in it"
"$PYTHON" -m sphinx -W --keep-going -q -b html docs build/docs
"$PYTHON" -m pytest -q -p no:cacheprovider --doctest-glob='*.md' \
  -o doctest_optionflags="ELLIPSIS NORMALIZE_WHITESPACE" docs
