#!/usr/bin/env bash
# Install everything fastlifetimes needs on a fresh Debian machine, idempotently:
# the C++ dependencies from Debian, then the Python package (built from this checkout)
# with its test, examples, docs and spark dependencies from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache keys on paths below here relatively, and ignores the build directory in -g
# builds, so a fresh clone elsewhere reuses the compilations of an earlier one
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

# cppcheck and clang-tidy-22 (Debian 12's security archive) for scripts/lint.sh;
# openjdk-17-jre-headless: the Java runtime of PySpark (fastlifetimes.spark and its tests)
packages=(libeigen3-dev libboost-math-dev libnlopt-cxx-dev doctest-dev cmake ninja-build g++ ccache
          cppcheck clang-tidy-22 openjdk-17-jre-headless)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  # slim Debian images drop /usr/share/man, and the JRE's post-install links its man pages there
  $SUDO mkdir -p /usr/share/man/man1
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
# ccache keeps rebuilds of an unchanged C++ core to seconds
"$PYTHON" -m pip install -q --disable-pip-version-check ".[test,examples,docs,spark]" \
  -Ccmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache
