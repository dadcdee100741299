#!/bin/sh
# The CI job of docs/ci.md, run against a fresh demo project: every cairn-cli command a
# pipeline uses, with the exit code it must give. Usage: gate_and_promote.sh CAIRN_CLI WORKDIR
# (CTest: `ctest -R ci_gate_and_promote`). Exit 0 when every expectation held.
set -u
cli=$1
work=$2
failures=0

# expect CODE COMMAND...: runs cairn-cli COMMAND and checks its exit code.
expect() {
    want=$1
    shift
    "$cli" "$@" >"$work/out.txt" 2>&1
    got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL: cairn-cli $* exited $got, expected $want; its output:" >&2
        sed 's/^/    /' "$work/out.txt" >&2
        failures=$((failures + 1))
    else
        echo "ok:   cairn-cli $* -> $got"
    fi
}

# json EXPR: evaluates a Python expression over the JSON of the last command (as `j`).
json() {
    /usr/bin/python3 -c "import json,sys; j=json.load(open('$work/out.txt')); sys.exit(0 if ($1) else 1)" ||
        { echo "FAIL: JSON check $1" >&2; failures=$((failures + 1)); }
}

rm -rf "$work/demo"
mkdir -p "$work"
"$cli" demo "$work/demo" >/dev/null || { echo "cannot write the demo project" >&2; exit 1; }
cd "$work/demo" || exit 1
export CAIRN_CLI="$cli"

# Data validation: 0 pass, 1 a rule fails, 2 cannot validate.
expect 0 validate reference
expect 0 validate data/incoming/batch-06.csv --json
json 'j["passed"] and len(j["rules"]) == 11'
{
    head -n 1 data/incoming/batch-06.csv
    tail -n +2 data/incoming/batch-06.csv | head -n 599
    echo 'C999001,150,5,69.10,,2,weekly,card,south,true,1'
} >data/incoming/batch-07.csv
expect 1 validate data/incoming/batch-07.csv --json
json 'not j["passed"] and {r["rule"] for r in j["rules"] if not r["passed"]} == {"range", "allowed"}'
expect 2 validate no-such-dataset

# A pipeline whose first step fails stops there: nothing trained, nothing registered.
expect 1 pipeline retrain -P data=data/incoming/batch-07.csv
expect 0 pipeline --list --json
json 'j[0]["status"] == "failed" and [s["status"] for s in j[0]["steps"]] == ["failed"] + ["skipped"] * 5'
expect 0 models --json
json 'j["models"] == []'

# The whole chain: validate, train, score, gate, register, promote to staging.
expect 0 pipeline retrain -P data=data/incoming/batch-06.csv
expect 0 models --json
json 'j["models"][0]["aliases"].get("staging") == 1 and len(j["models"][0]["versions"]) == 1'

# The batch the training read is checked as the run read it, even after it is moved away.
expect 0 pipeline --list --json
train=$(/usr/bin/python3 -c "import json; print(json.load(open('$work/out.txt'))[0]['steps'][1]['run'])")
mv data/incoming/batch-06.csv "$work/batch-06.csv"
expect 0 gate "$train" --json
json 'j["passed"] and [d["dataset"] for d in j["data"]] == ["incoming"]'
mv "$work/batch-06.csv" data/incoming/batch-06.csv

# A run nobody scored fails the gate (validate.auc has no value); registering keeps the report.
expect 0 run train -q -P epochs=2
expect 1 gate last --json
json 'not j["passed"] and any(not c["passed"] for c in j["conditions"])'
expect 0 register churn-model --run last
expect 1 promote churn-model 2 --to production
expect 0 promote churn-model 2 --to production --reason "CI test: override recorded"
expect 0 models --history --json
json 'any(t.get("reason") == "CI test: override recorded" and t.get("overridden") for t in (j["history"] if isinstance(j, dict) else j))'
expect 0 promote churn-model 1 --to production
expect 2 promote churn-model 99 --to production
expect 2 gate 999

if [ "$failures" -ne 0 ]; then
    echo "$failures expectation(s) failed" >&2
    exit 1
fi
echo "every exit code as expected"
