#!/usr/bin/env bash
# Mongoose's own test suite, run against the embedded MongoDB server, as a repeatable conformance check.
#
#   scripts/conformance/mongoose.sh [--src DIR] [--ref REF] [--scratch DIR] [--port N] [FILE...]
#
# --src      a mongoose source checkout, or a bare git mirror of it
#            (default /work/.mirror/Automattic+mongoose/repo, what `fetch github:Automattic/mongoose` leaves).
# --ref      for a git mirror: the tag to check out (default: the tag of the project's mongoose version
#            when the mirror has it, else the newest 9.x tag).
# --scratch  where the checkout and its npm dependencies go (default ${TMPDIR:-/tmp}/strangler-mongoose-conformance).
#            Nothing is written inside this repository.
# FILE...    test files relative to the checkout (default: every test/*.test.js and test/docs/*.test.js
#            that opens a connection, i.e. calls start()).
#
# Prints one line per file and then passed / failed / pass rate and the most frequent failure messages.
# Exit status: 0 when the run completed (whatever the pass rate), non-zero when it could not run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
src=/work/.mirror/Automattic+mongoose/repo
ref=''
scratch="${TMPDIR:-/tmp}/strangler-mongoose-conformance"
port=0
files=()
while [ $# -gt 0 ]; do
  case "$1" in
    --src) src="$2"; shift 2 ;;
    --ref) ref="$2"; shift 2 ;;
    --scratch) scratch="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) files+=("$1"); shift ;;
  esac
done

# 1. A checkout of the chosen version, outside the repository.
if [ -d "$src/lib" ] && [ -f "$src/package.json" ]; then
  checkout="$src"
else
  if [ -z "$ref" ]; then
    want="$(node -p "require('$repo/node_modules/mongoose/package.json').version")"
    if git --git-dir="$src" rev-parse -q --verify "refs/tags/$want" >/dev/null; then ref="$want"
    else ref="$(git --git-dir="$src" tag --list '9.*' | grep -E '^9\.[0-9]+\.[0-9]+$' | sort -V | tail -1)"
    fi
    [ -n "$ref" ] || { echo "no 9.x tag in $src" >&2; exit 2; }
    [ "$ref" = "$want" ] || echo "note: mongoose $want is not in the mirror; using $ref" >&2
  fi
  checkout="$scratch/mongoose-$ref"
  if [ ! -f "$checkout/package.json" ]; then
    mkdir -p "$checkout"
    git --git-dir="$src" archive "$ref" | tar -x -C "$checkout"
  fi
fi
echo "mongoose checkout: $checkout" >&2

# 2. Its runtime dependencies plus the few dev dependencies the server-touching tests require
#    (no mongodb-memory-server, encryption or docs tooling: the server under test is ours).
if [ ! -d "$checkout/node_modules/mocha" ]; then
  (cd "$checkout" && node -e '
    const fs = require("fs");
    const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
    const keep = ["mocha", "sinon", "uuid", "ajv", "moment", "lodash.isequal", "lodash.isequalwith"];
    pkg.devDependencies = Object.fromEntries(keep.filter((k) => pkg.devDependencies[k]).map((k) => [k, pkg.devDependencies[k]]));
    delete pkg.scripts;
    fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2));
  ' && npm install --ignore-scripts --no-audit --no-fund --no-package-lock --loglevel=error >&2)
fi

# 3. The embedded server, as the CLI starts it.
log="$scratch/run-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$log"
(cd "$repo" && exec node bin/strangler.js mongo-embedded --port "$port" >"$log/server.url" 2>"$log/server.err") &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [ -s "$log/server.url" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$log/server.err" >&2; exit 2; }
  sleep 0.2
done
url="$(head -1 "$log/server.url")"
base="${url%/*}"
echo "embedded server: $base (pid $server)" >&2

# 4. The test files, one mocha process each (a crash in one file cannot take the others with it).
cd "$checkout"
if [ ${#files[@]} -eq 0 ]; then
  mapfile -t files < <(grep -l 'start()' test/*.test.js test/docs/*.test.js | grep -v -e encrypt -e shard | sort)
fi
for f in "${files[@]}"; do
  out="$log/$(echo "$f" | tr '/' '_').json"
  start=$(date +%s)
  MONGOOSE_TEST_URI="$base/mongoose_test" timeout 900 node node_modules/.bin/mocha --no-config --ui bdd --exit \
    --timeout 10000 --reporter json --reporter-option "output=$out" \
    --node-option disable-warning=MONGOOSE "$f" >"$log/$(echo "$f" | tr '/' '_').log" 2>&1 || true
  echo "$f $(( $(date +%s) - start ))s" >&2
  kill -0 "$server" 2>/dev/null || { echo "the embedded server died during $f" >&2; cat "$log/server.err" >&2; exit 3; }
done

node "$here/summarize.mjs" "$log" "${files[@]}"
echo "reports: $log" >&2
