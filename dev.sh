#!/usr/bin/env bash
# Cairn's developer entry point. The README's two set-up commands are:
#
#   ./dev.sh demo   install dependencies, build, and run Cairn on the bundled demo project:
#                   with a display, the GUI opens on it; without one, it trains once in the
#                   terminal, retrains on the newest batch through the retrain pipeline, and
#                   writes PNGs of the main window, the drift view and the model registry.
#   ./dev.sh test   install dependencies, build, and run the whole test suite, in a build with
#                   AddressSanitizer + UndefinedBehaviorSanitizer and warnings as errors.
#
# Other commands: build [PRESET], clean. Set CAIRN_JOBS to limit parallel compile jobs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

deps() {
    packaging/install-deps.sh "$@"
}

build() {
    local preset="$1"
    say "Building ($preset preset)"
    cmake --preset "$preset" >/dev/null
    if [[ -n "${CAIRN_JOBS:-}" ]]; then
        cmake --build --preset "$preset" --parallel "$CAIRN_JOBS"
    else
        cmake --build --preset "$preset"
    fi
}

cmd_demo() {
    deps
    build release
    local bin="build/release/app"
    local project="$here/demo-project"
    if [[ ! -f "$project/cairn.yaml" ]]; then
        say "Writing the demo project to $project"
        "$bin/cairn-cli" demo "$project"
    else
        say "Using the demo project in $project"
    fi
    if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
        say "Opening Cairn on the demo project"
        exec "$bin/cairn" --project "$project"
    fi
    say "No display: running the demo headless"
    "$bin/cairn-cli" project show --project "$project"
    say "Training once (cairn-cli run train)"
    "$bin/cairn-cli" run train --project "$project"
    "$bin/cairn-cli" runs --project "$project" --limit 5
    say "Drift of each incoming batch against the reference (cairn-cli drift --history)"
    "$bin/cairn-cli" drift --history --project "$project"
    say "Retraining on the newest batch: check it, train, score, gate, register, stage (cairn-cli pipeline retrain)"
    "$bin/cairn-cli" pipeline retrain --quiet --project "$project" \
        -P data=data/incoming/batch-06.csv
    "$bin/cairn-cli" models --project "$project"
    local png="$project/cairn-main-window.png"
    local drift_png="$project/cairn-drift.png"
    local models_png="$project/cairn-models.png"
    say "Rendering the main window, the drift view and the model registry"
    QT_QPA_PLATFORM=offscreen "$bin/cairn" --project "$project" --screenshot "$png"
    QT_QPA_PLATFORM=offscreen "$bin/cairn" --project "$project" --open drift:over-time \
        --screenshot "$drift_png"
    QT_QPA_PLATFORM=offscreen "$bin/cairn" --project "$project" --open models \
        --screenshot "$models_png"
    say "Done. Open $png, $drift_png and $models_png to see the windows; run ./dev.sh demo on a desktop to use it."
}

cmd_test() {
    deps --with-python-tests
    build ci
    say "Running the test suite (ci preset: sanitizers on, warnings are errors)"
    ctest --preset ci
    say "All tests passed"
}

case "${1:-}" in
    demo) cmd_demo ;;
    test) cmd_test ;;
    build) deps; build "${2:-dev}" ;;
    clean) rm -rf build ;;
    *)
        sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
esac
