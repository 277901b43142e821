# shellcheck shell=bash
# What the comparison drivers (bench/e2e/run.sh, bench/cnn/run.sh) share: their common settings and
# options, their preconditions (each with the fix in its message), the run directory they record into
# and the runner of one program. Sourced, not run; the caller has `set -euo pipefail` and works from
# the repository root.

die() { echo "run.sh: $*" >&2; exit 1; }

# The settings every driver has, with their defaults: the environment's RINGFOLD (the launcher, may be a
# command with arguments) and PEER_PYTHON (Debian's interpreter, which sees python3-torch and
# python3-sklearn), the data, and the options --reps, --peers-only, --run-dir and --results.
RINGFOLD="${RINGFOLD:-./ringfold}"
PEER_PYTHON="${PEER_PYTHON:-/usr/bin/python3}"
DATA_DIR=/usr/share/datasets/fashion-mnist
REPS=3
PEERS_ONLY=0
RUN_DIR=""
RESULTS="bench/RESULTS.md"

# common_option ARGS...: takes the option at the head of ARGS if it is one of the common ones, setting
# its variable and COMMON_SHIFT to the number of words it used; COMMON_SHIFT=0 when it is not.
common_option() {
  COMMON_SHIFT=0
  case "$1" in
    --reps)
      [[ $# -ge 2 ]] || die "--reps: missing value (expected: a positive integer)"
      [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "--reps: $2 (expected: a positive integer)"
      REPS="$2"; COMMON_SHIFT=2 ;;
    --peers-only) PEERS_ONLY=1; COMMON_SHIFT=1 ;;
    --run-dir) [[ $# -ge 2 ]] || die "--run-dir: missing value (expected: a directory)"; RUN_DIR="$2"; COMMON_SHIFT=2 ;;
    --results) [[ $# -ge 2 ]] || die "--results: missing value (expected: a markdown file)"; RESULTS="$2"; COMMON_SHIFT=2 ;;
  esac
}

# require_ringfold COMMAND...: the launcher (RINGFOLD, split into words) exists and can be run.
require_ringfold() {
  [[ $# -gt 0 ]] || die "RINGFOLD is empty (expected: the ringfold launcher, default ./ringfold)"
  if [[ ! -x "$1" ]] && ! command -v "$1" > /dev/null; then
    die "RINGFOLD: $1 not found or not executable (expected: the ringfold launcher at the repository root, \
built by the project's build; or set RINGFOLD=/path/to/ringfold; or pass --peers-only)"
  fi
}

# require_python PYTHON MODULE...: the interpreter runs and sees every module (numpy, torch, sklearn).
require_python() {
  local python="$1"; shift
  [[ -x "$python" ]] || die "PEER_PYTHON: $python not executable (expected: Debian's python3)"
  local missing
  missing="$("$python" -c 'import importlib.util as u, sys; print(" ".join(m for m in sys.argv[1:] if u.find_spec(m) is None))' "$@")"
  [[ -z "$missing" ]] || die "PEER_PYTHON: $python lacks Python modules: $missing (expected: \
apt-get install $(printf 'python3-%s ' $missing | sed 's/ $//'))"
}

# require_fashion_mnist DIR: the four IDX files of the Debian package are there.
require_fashion_mnist() {
  local f
  for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
    [[ -f "$1/$f" ]] || die "Fashion-MNIST: $1/$f not found (expected: apt-get install dataset-fashion-mnist)"
  done
}

# new_run_dir DIR: creates DIR, which must not exist, so that runs never mix.
new_run_dir() {
  [[ ! -e "$1" ]] || die "--run-dir: $1 already exists (expected: a new directory, so runs never mix)"
  mkdir -p "$1"
}

# record_start DIR: when the run started, the load then, the commit measured (marked when the tree
# has uncommitted changes) and OPENBLAS_CORETYPE, which every program's OpenBLAS reads (Debian's picks its
# kernels by it: Haswell's run at about half the speed of this CPU's own); record_end DIR: the load at
# the end. The summaries print them.
record_start() {
  date -u '+%Y-%m-%d %H:%M' > "$1/started"
  echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-(unset)}" > "$1/environment"
  cut -d' ' -f1-3 /proc/loadavg > "$1/loadavg-start"
  git describe --always --dirty --abbrev=10 > "$1/git-revision" 2> /dev/null || echo "unknown (not a git checkout)" > "$1/git-revision"
}

record_end() {
  cut -d' ' -f1-3 /proc/loadavg > "$1/loadavg-end"
}

# run_program RUN_DIR REP NAME COMMAND...: runs it, keeps stdout/stderr as rep<REP>-<NAME>.out/.err, and
# saves the last non-empty stdout line (the JSON record, by the Ringfold CLI's --json contract and the
# peers' own) as rep<REP>-<NAME>.json; the exact command goes to commands.tsv. Returns the command's
# exit status (1 when it printed nothing); a failure leaves rep<REP>-<NAME>.failed (the status and the
# last lines of stderr) and shows stderr's tail.
run_program() {
  local run_dir="$1" rep="$2" name="$3"; shift 3
  local base="$run_dir/rep$rep-$name" status=0
  printf '%s\t%s\t%s\n' "$rep" "$name" "$(printf '%q ' "$@" | sed 's/ $//')" >> "$run_dir/commands.tsv"
  echo "[rep $rep] $name: $*" >&2
  "$@" > "$base.out" 2> "$base.err" || status=$?
  if [[ $status -eq 0 ]]; then
    awk 'NF { last = $0 } END { print last }' "$base.out" > "$base.json"
    [[ -s "$base.json" ]] && return 0
    rm -f "$base.json"
    echo "printed nothing on stdout (expected: a JSON line last)" > "$base.failed"
    status=1
  else
    { echo "exit status $status"; tail -n 5 "$base.err"; } > "$base.failed"
  fi
  echo "--- $name (rep $rep) failed; last lines of $base.err ---" >&2
  tail -n 20 "$base.err" >&2
  return "$status"
}
