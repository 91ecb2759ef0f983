#!/usr/bin/env bash
# The repaired wheel in a machine that holds only Python: a Debian bookworm chroot made by
# debootstrap (minbase + python3, venv, pip; no compiler, no headers, no NLopt, no Eigen or
# Boost), where a fresh venv installs the wheel from dist/ with its dependencies as wheels
# from PyPI and runs the Python tests. The chroot is a directory of its own; nothing is
# installed into or removed from the machine itself (but for debootstrap, from Debian).
#   bash scripts/wheel.sh && bash scripts/wheel_chroot.sh        (root; network to Debian and PyPI)
#   CHROOT=/work/chroot-py  where the chroot lives (made once, reused)
set -euo pipefail
cd "$(dirname "$0")/.."
CHROOT=${CHROOT:-$PWD/build/chroot}
OUT=${OUT:-dist}
wheel=$(readlink -f "$(ls "$OUT"/fastlifetimes-*manylinux*.whl)")

if [ ! -x "$CHROOT/usr/bin/python3" ]; then
  echo "== debootstrap: Debian bookworm minbase with python3 into $CHROOT"
  command -v debootstrap >/dev/null || apt-get install -y -q debootstrap
  debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
    bookworm "$CHROOT" http://deb.debian.org/debian >"$OUT/debootstrap.log"
fi

echo "== what the chroot lacks"
for lib in libnlopt libnlopt_cxx; do
  if ls "$CHROOT"/usr/lib/x86_64-linux-gnu/$lib.so* >/dev/null 2>&1; then echo "FAIL: $lib in the chroot"; exit 1; fi
done
for tool in cc gcc g++ c++ clang cmake; do
  if chroot "$CHROOT" sh -c "command -v $tool" >/dev/null; then echo "FAIL: $tool in the chroot"; exit 1; fi
done
[ -z "$(ls "$CHROOT/usr/include" 2>/dev/null)" ] || { echo "FAIL: headers in the chroot's /usr/include"; exit 1; }
echo "no NLopt, no compiler, no headers; $(chroot "$CHROOT" python3 --version)"

work=/opt/fastlifetimes-test
rm -rf "$CHROOT$work"
mkdir -p "$CHROOT$work/python"
cp "$wheel" "$CHROOT$work/"
# tests from a copy: `fastlifetimes` can only be the installed wheel; include/: test_version
# reads version.hpp; datasets: the tests' own expectations read the CSVs beside them
cp -r tests examples include "$CHROOT$work/"
cp -r python/fastlifetimes/datasets "$CHROOT$work/python/"
cp /etc/resolv.conf "$CHROOT/etc/resolv.conf"
# the machine's CA bundle: this network reaches PyPI through a proxy with its own CA
cp "${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}" "$CHROOT/etc/ssl/certs/machine-ca-bundle.crt"

# the reference data (GPL, never copied into the repository or the wheel), read-only
shared=${FASTLIFETIMES_SHARED_DATA:-}
for candidate in "$PWD/../shared/data" /work/shared/data; do
  [ -z "$shared" ] && [ -d "$candidate" ] && shared=$(readlink -f "$candidate")
done
mkdir -p "$CHROOT/opt/shared-data"

# /proc, /dev and the reference data for the tests, mounted in a private mount namespace
# so that they vanish with it
unshare -m sh -c "set -e
  mount -t proc proc '$CHROOT/proc'
  mount --rbind /dev '$CHROOT/dev'
  if [ -n '$shared' ]; then mount --bind -o ro '$shared' '$CHROOT/opt/shared-data'; fi
  chroot '$CHROOT' /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
    PIP_CERT=/etc/ssl/certs/machine-ca-bundle.crt PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FASTLIFETIMES_SHARED_DATA=/opt/shared-data sh -c '
    set -e
    cd $work
    rm -rf venv && python3 -m venv venv
    ./venv/bin/pip install -q --only-binary=:all: \"\$(ls fastlifetimes-*.whl)[test,examples]\" scipy
    ./venv/bin/python -c \"import fastlifetimes, sys; print(fastlifetimes.__version__, fastlifetimes.__file__)\"
    for i in 1 2 3; do ./venv/bin/python -c \"import time; t=time.perf_counter(); import fastlifetimes; print(\\\"import fastlifetimes: %.0f ms\\\" % ((time.perf_counter()-t)*1e3))\"; done
    ./venv/bin/python -m mypy --no-incremental tests/typing/readme_usage.py
    ./venv/bin/python -m pytest -q -p no:cacheprovider tests/python --ignore=tests/python/test_typing.py
  '"
echo "== wheel: $(du -h "$wheel" | cut -f1) $(basename "$wheel")"
