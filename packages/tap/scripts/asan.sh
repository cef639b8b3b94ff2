#!/usr/bin/env bash
# Builds the TAP addon with AddressSanitizer (and UBSan), runs the tests that drive its native
# crypto and its fast path through the JS entry points (byte identity, forgeries, fuzzing; the
# fast path's loops over real TAPs in two namespaces, which needs root), then rebuilds the
# normal addon. Needs g++ with libasan (Debian: g++ pulls it in). Exits non-zero on any ASan
# report or test failure. Takes about a minute.
#
#   packages/tap/scripts/asan.sh [extra spec files...]
set -euo pipefail
TAP="$(cd "$(dirname "$0")/.." && pwd)"
ROOT="$(cd "$TAP/../.." && pwd)"
NODE_GYP="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
NODEDIR="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
gyp() { (cd "$TAP" && node "$NODE_GYP" rebuild --nodedir="$NODEDIR" --loglevel=warn >/dev/null); }
# Whatever happens, leave the normal build behind.
trap 'CXXFLAGS= LDFLAGS= gyp' EXIT

SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
CXXFLAGS="$SAN -g" LDFLAGS="$SAN" gyp
# Not `grep -q`: it exits at the first match, nm dies of SIGPIPE and pipefail fails the check.
if ! nm -D "$TAP/build/Release/weft_tap.node" | grep __asan_report >/dev/null; then
  echo "asan.sh: the addon was built without AddressSanitizer (CXXFLAGS not honoured?)" >&2
  exit 1
fi
LIBASAN="$(g++ -print-file-name=libasan.so)"
LIBUBSAN="$(g++ -print-file-name=libubsan.so)"
# Node itself is not instrumented: leaks at exit are its own, so leak detection is off.
cd "$ROOT"
LD_PRELOAD="$LIBASAN $LIBUBSAN" ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  npx vitest run --project unit test/unit/native-data-cipher.spec.ts test/unit/native-replay-window.spec.ts test/unit/native-fast-path.spec.ts \
  packages/datapath/test/fast-publisher.spec.ts packages/datapath/test/fast-path-pair.spec.ts "$@"
