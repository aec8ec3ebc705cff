#!/usr/bin/env bash
# Coverage-guided fuzzing of the gateway's parsers: afl-fuzz (Debian's afl++) drives edge-fuzz, in which SharpFuzz has
# instrumented Edge.Gateway and Edge.Contracts. Each target starts from its seeds in tests/Edge.Fuzz/corpus/TARGET.
# Usage: tests/Edge.Fuzz/fuzz.sh [--execs N] [--out DIR] [--bin BUILD] [TARGET...]
#   all targets unless named; N inputs each (1,000,000 unless told); BUILD: an edge-fuzz build to copy instead of
#   building one (the tests' smoke run uses the one the test build made).
# Prints one line per target; exits 1 when any input crashed or hung a harness (kept in DIR/findings/TARGET).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
execs=1000000
out="$root/artifacts/fuzz"
targets=()
build=""
while (($#)); do
  case "$1" in
    --execs) execs=${2:?--execs N}; shift 2 ;;
    --out) out=${2:?--out DIR}; shift 2 ;;
    --bin) build=${2:?--bin BUILD}; shift 2 ;;
    -h|--help) sed -n 2,8p "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
command -v afl-fuzz >/dev/null || { echo "fuzz.sh: afl-fuzz not found (apt-get install afl++)" >&2; exit 2; }

# A build of its own, instrumented in place; the solution's build stays as it is.
bin="$out/bin"
rm -rf "$bin"
mkdir -p "$out"
if [ -n "$build" ]; then
  [ -f "$build/edge-fuzz.dll" ] || { echo "fuzz.sh: no edge-fuzz.dll in $build" >&2; exit 2; }
  cp -r "$build" "$bin"
else
  dotnet build "$here/Edge.Fuzz.csproj" -c Release -o "$bin" -nologo -v q -p:UseSharedCompilation=false >/dev/null
fi
dotnet "$bin/edge-fuzz.dll" instrument "$bin"
if ((${#targets[@]} == 0)); then
  mapfile -t targets < <(dotnet "$bin/edge-fuzz.dll" targets | awk '{print $1}')
fi

# dotnet is not an afl-instrumented binary (SharpFuzz speaks the fork-server protocol from managed code); the runtime
# starts slowly; a shared 2-core machine has no idle core to pin to.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_FORKSRV_INIT_TMOUT=60000
status=0
for t in "${targets[@]}"; do
  [ -d "$here/corpus/$t" ] || { echo "fuzz.sh: no corpus for '$t' in $here/corpus" >&2; exit 2; }
  findings="$out/findings/$t"
  rm -rf "$findings"
  mkdir -p "$out/findings"
  dict=()
  [ -f "$here/dict/$t.dict" ] && dict=(-x "$here/dict/$t.dict")
  began=$SECONDS
  if ! afl-fuzz -i "$here/corpus/$t" -o "$findings" -E "$execs" -t 5000 -m none "${dict[@]}" -- \
      dotnet "$bin/edge-fuzz.dll" run "$t" >"$out/$t.log" 2>&1; then
    echo "$t: afl-fuzz failed (log: $out/$t.log)" >&2
    # afl-fuzz's reasons, without its colours.
    sed 's/\x1b\[[0-9;]*[A-Za-z]//g; s/\x1b[()][A-Z0-9]//g' "$out/$t.log" | grep -E -A3 'PROGRAM ABORT|SYSTEM ERROR|Whoops|\[-\]' | head -n 20 >&2
    status=1
    continue
  fi
  stats="$findings/default/fuzzer_stats"
  get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  crashes=$(get saved_crashes)
  hangs=$(get saved_hangs)
  echo "$t: $(get execs_done) inputs in $((SECONDS - began)) s, corpus $(get corpus_count), edges $(get edges_found), stability $(get stability), crashes $crashes, hangs $hangs"
  if ((crashes + hangs > 0)); then
    status=1
    for f in "$findings"/default/crashes/id* "$findings"/default/hangs/id*; do
      [ -f "$f" ] && echo "  $f  (replay: dotnet $bin/edge-fuzz.dll replay $t $f)"
    done
  fi
done
exit $status
