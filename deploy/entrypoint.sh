#!/usr/bin/env bash
# The crawler container's entrypoint; works outside Docker too:
#   APP_DIR=$PWD DATA_DIR=/tmp/crawler PATH=$PWD/.venv/bin:$PATH deploy/entrypoint.sh crawl -a sources=rss
# See deploy/README.md. ENTRYPOINT_DRY_RUN=1 prints the command instead of running it.
set -euo pipefail

APP_DIR="${APP_DIR:-/app}"
DATA_DIR="${DATA_DIR:-/data}"
PYTHON="${PYTHON:-python3}"
export APP_DIR DATA_DIR

usage() {
    cat <<USAGE
usage: entrypoint.sh COMMAND [ARGS...]

  run-scheduler [FLAGS...]  run the schedule in the foreground, logs on stdout (the default);
                            the crontab is \$CRAWL_SCHEDULE_FILE (default \$APP_DIR/deploy/crontab),
                            FLAGS go to supercronic
  crawl [ARGS...]           one crawl now: scrapy crawl franceinfo ARGS...
  backfill DAYS [ARGS...]   one crawl of the archive sitemaps of the last DAYS days
                            (crawl -a sources=sitemap -a since=<DAYS days ago> ARGS...)
  health [ARGS...]          python -m crawler.health ARGS...  (exit 0 healthy, 1 unhealthy, 2 unreachable)
  report [ARGS...]          python -m crawler.report ARGS...  (e.g. --out /data/report.html)
  help                      this text
USAGE
}

fail() {
    echo "entrypoint: $1" >&2
    exit 2
}

run() {
    if [ -n "${ENTRYPOINT_DRY_RUN:-}" ]; then
        printf '%q ' "$@" | sed 's/ $//'
        echo
        exit 0
    fi
    exec "$@"
}

command -v "$PYTHON" >/dev/null || fail "no $PYTHON on PATH (set PYTHON or PATH)"
[ -d "$APP_DIR" ] || fail "APP_DIR=$APP_DIR is not a directory"
cd "$APP_DIR"

action="${1:-run-scheduler}"
[ $# -gt 0 ] && shift

# The children of process $1, from /proc (the image has no procps).
children_of() {
    local stat fields
    for stat in /proc/[0-9]*/stat; do
        fields="$(cat "$stat" 2>/dev/null)" || continue
        read -r -a fields <<<"${fields##*) }"
        [ "${fields[1]}" = "$1" ] && echo "${stat//[!0-9]/}"
    done
    return 0
}

# supercronic stops scheduling on SIGTERM and waits for the running jobs, but does
# not signal them (each job has a process group of its own), and `docker stop`
# kills whatever still runs when its timeout ends. So this script stays the
# scheduler's parent (PID 1 in the container): a stop signal goes to supercronic
# and to the command of each running job (the children of its `sh -c`), and a
# crawl stops as Scrapy does on Ctrl-C: pages in flight end, the store is flushed,
# the run lock released and the JOBDIR kept for the next run to resume.
run_scheduler() {
    local scheduler status shell job
    "$@" &
    scheduler=$!
    stop() {
        echo "entrypoint: received $1, stopping the scheduler and its running jobs"
        for shell in $(children_of "$scheduler"); do
            for job in $(children_of "$shell"); do
                kill -TERM "$job" 2>/dev/null || true
            done
        done
        kill -TERM "$scheduler" 2>/dev/null || true
    }
    trap 'stop SIGTERM' TERM
    trap 'stop SIGINT' INT
    while true; do
        status=0
        wait "$scheduler" || status=$?
        kill -0 "$scheduler" 2>/dev/null || break
    done
    exit "$status"
}

case "$action" in
    run-scheduler)
        schedule="${CRAWL_SCHEDULE_FILE:-$APP_DIR/deploy/crontab}"
        [ -r "$schedule" ] || fail "cannot read the schedule $schedule (CRAWL_SCHEDULE_FILE)"
        # By absolute path: as PID 1, supercronic re-executes itself by argv[0].
        supercronic="$(command -v supercronic || true)"
        if [ -n "${ENTRYPOINT_DRY_RUN:-}" ]; then
            run "${supercronic:-supercronic}" -no-reap "$@" "$schedule"
        fi
        [ -n "$supercronic" ] || fail "supercronic is not installed (see deploy/README.md)"
        mkdir -p "$DATA_DIR/jobdir" "$DATA_DIR/spill" || fail "cannot write to DATA_DIR=$DATA_DIR"
        exec 2>&1
        run_scheduler "$supercronic" -no-reap "$@" "$schedule"
        ;;
    crawl)
        run "$PYTHON" -m scrapy crawl franceinfo "$@"
        ;;
    backfill)
        days="${1:-}"
        case "$days" in
            '' | *[!0-9]*) fail "backfill DAYS: DAYS must be a whole number of days, got '$days'" ;;
        esac
        shift
        since="$("$PYTHON" -c 'import datetime, sys; print(datetime.date.today() - datetime.timedelta(days=int(sys.argv[1])))' "$days")"
        run "$PYTHON" -m scrapy crawl franceinfo -a sources=sitemap -a "since=$since" "$@"
        ;;
    health)
        run "$PYTHON" -m crawler.health "$@"
        ;;
    report)
        run "$PYTHON" -m crawler.report "$@"
        ;;
    help | -h | --help)
        usage
        ;;
    *)
        usage >&2
        fail "unknown command '$action'"
        ;;
esac
