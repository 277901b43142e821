#!/usr/bin/env bash
# Tabular comparison (issue 18, quality bars): Ringfold's linear models with their default flags against
# scikit-learn's StandardScaler + LogisticRegression / LinearRegression / Ridge (bench/peers/sklearn_tabular.py)
# on the fixtures of ringfold-cli/src/test/resources/tabular (data/tabular.py; sets.tsv lists them), on the
# same split. Prints a markdown table: test accuracy within 1 point of scikit-learn's, test RMSE within 2% of
# LinearRegression's, and the training objectives side by side. Exits 1 when a set misses its bar.
#
#   bench/tabular/run.sh [--reps N] [--set NAME]... [--ringfold-args "FLAGS"] [--peers-only] [--run-dir DIR] [--results FILE]
#
# --ringfold-args adds flags to every Ringfold run (e.g. "--solver lbfgs"); then the table is not the defaults'.
# Environment: RINGFOLD (default ./ringfold; may be a command with arguments), PEER_PYTHON (default
# /usr/bin/python3, Debian's interpreter that sees python3-sklearn).
set -euo pipefail

SETS_DIR=ringfold-cli/src/test/resources/tabular
PEER_REPEATS=5   # fits timed per set and estimator inside each peer run (the median is kept)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
# shellcheck source=bench/lib/comparison.sh
source "$ROOT/bench/lib/comparison.sh"
REPS=1   # Ringfold's fits are deterministic; more repetitions only steady the timings

usage() { sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

INVOCATION="bench/tabular/run.sh $*"
ONLY=()
EXTRA=()
RESULTS=""   # unlike the other drivers, print only unless --results is given
while [[ $# -gt 0 ]]; do
  common_option "$@"
  if [[ $COMMON_SHIFT -gt 0 ]]; then shift "$COMMON_SHIFT"; continue; fi
  case "$1" in
    --set) [[ $# -ge 2 ]] || die "--set: missing value (expected: a set of $SETS_DIR/sets.tsv)"; ONLY+=("$2"); shift 2 ;;
    --ringfold-args) [[ $# -ge 2 ]] || die "--ringfold-args: missing value (expected: flags in one word)"
      read -r -a EXTRA <<< "$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument: $1 (expected: --reps N, --set NAME, --ringfold-args FLAGS, --peers-only, --run-dir DIR, --results FILE)" ;;
  esac
done

# ---- Preconditions, each with the fix in its message. ----
read -r -a RINGFOLD_CMD <<< "$RINGFOLD"
if [[ $PEERS_ONLY -eq 0 ]]; then
  require_ringfold "${RINGFOLD_CMD[@]}"
fi
require_python "$PEER_PYTHON" numpy sklearn
[[ -f "$SETS_DIR/sets.tsv" ]] || die "$SETS_DIR/sets.tsv not found (expected: the fixtures; /usr/bin/python3 data/tabular.py writes them)"

# The sets: name, task, label, categorical columns ('-' for none), Ringfold model; header skipped.
SETS=()
while IFS=$'\t' read -r name task label categorical model; do
  [[ "$name" == set ]] && continue
  SETS+=("$name")
  declare "LABEL_${name//-/_}=$label" "CATEGORICAL_${name//-/_}=$categorical" "MODEL_${name//-/_}=$model"
done < "$SETS_DIR/sets.tsv"
for name in "${ONLY[@]}"; do
  [[ " ${SETS[*]} " == *" $name "* ]] || die "--set: $name (expected: one of ${SETS[*]})"
done
[[ ${#ONLY[@]} -eq 0 ]] || SETS=("${ONLY[@]}")

[[ -n "$RUN_DIR" ]] || RUN_DIR="runs/tabular-$(date -u +%Y%m%d-%H%M%S)"
new_run_dir "$RUN_DIR"
# The sets of this run, for the summary: the header and the chosen sets' lines.
awk -F'\t' -v keep=" ${SETS[*]} " 'NR == 1 || index(keep, " " $1 " ")' "$SETS_DIR/sets.tsv" > "$RUN_DIR/sets.tsv"
record_start "$RUN_DIR"

# ringfold_spec NAME: the training file with its label, categorical columns and test file, so that the test
# file is read against the training file's schema (class names, categories).
ringfold_spec() {
  local v="${1//-/_}" label categorical
  label="LABEL_$v"; categorical="CATEGORICAL_$v"
  local spec="csv:$SETS_DIR/$1-train.csv?label=${!label}"
  [[ "${!categorical}" == - ]] || spec+="&categorical=${!categorical}"
  echo "$spec&test=$SETS_DIR/$1-test.csv"
}

for ((rep = 1; rep <= REPS; rep++)); do
  for name in "${SETS[@]}"; do
    if [[ $PEERS_ONLY -eq 0 ]]; then
      model="MODEL_${name//-/_}"
      # A Ringfold failure (a set it cannot read or fit yet) is a row of the table, not the end of the run.
      run_program "$RUN_DIR" "$rep" "ringfold-$name" "${RINGFOLD_CMD[@]}" train --data "$(ringfold_spec "$name")" \
        --model "${!model}" "${EXTRA[@]}" --out "$RUN_DIR/rep$rep-$name-model" --json || true
    fi
    run_program "$RUN_DIR" "$rep" "sklearn-$name" "$PEER_PYTHON" bench/peers/sklearn_tabular.py --set "$name" \
      --repeats "$PEER_REPEATS" || die "sklearn-$name (rep $rep) failed (expected: the peer to run)"
  done
done
record_end "$RUN_DIR"

summary=("$PEER_PYTHON" bench/tabular/summarise.py --run-dir "$RUN_DIR" --invocation "$INVOCATION")
[[ $PEERS_ONLY -eq 1 ]] && summary+=(--peers-only)
[[ -z "$RESULTS" ]] || summary+=(--results "$RESULTS")
exec "${summary[@]}"
