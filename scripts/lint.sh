#!/usr/bin/env bash
# Static checks, each failing on any finding: ruff on the Python (rules in pyproject.toml),
# cppcheck on the headers and the bindings (false positives in .cppcheck-suppressions),
# clang-tidy on the bindings' translation units, which include every header (.clang-tidy).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
JOBS=${JOBS:-2}

echo "== ruff"
"$PYTHON" -m ruff check python tests bench examples

echo "== cppcheck"
cppcheck --quiet --language=c++ --std=c++17 --enable=warning,performance,portability,style \
  --inline-suppr --suppressions-list=.cppcheck-suppressions --error-exitcode=1 -j"$JOBS" \
  -I include -I bindings --template='{file}:{line}: {severity}: {message} [{id}]' include bindings

echo "== clang-tidy"
# clang-tidy 20 and later skip the system headers (pybind11, Eigen, Boost) when matching,
# which makes a binding file take 8 s instead of 30; Debian 12 has clang-tidy-22 in its
# security archive and 19 in main.
tidy=""
for candidate in clang-tidy-22 clang-tidy-19 clang-tidy; do
  if command -v "$candidate" >/dev/null; then tidy=$candidate; break; fi
done
[ -n "$tidy" ] || { echo "clang-tidy not found (scripts/setup.sh installs it)" >&2; exit 1; }
# The bindings' compile commands, with an explicit -std (g++ 12 needs none, clang-tidy does)
cmake -S . -B build/lint -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  -DFASTLIFETIMES_BUILD_PYTHON=ON -DFASTLIFETIMES_BUILD_TESTS=OFF -DFASTLIFETIMES_NATIVE=OFF \
  -DCMAKE_CXX_STANDARD=17 -DCMAKE_CXX_EXTENSIONS=OFF \
  -DPython_EXECUTABLE="$(command -v "$PYTHON")" -Dpybind11_DIR="$("$PYTHON" -m pybind11 --cmakedir)" \
  >/dev/null
# stderr only says how many warnings in other people's headers were suppressed
printf '%s\n' bindings/*.cpp | xargs -P"$JOBS" -n1 "$tidy" -p build/lint --quiet 2>/dev/null
echo "lint: clean"
