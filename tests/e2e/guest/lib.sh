# Guest-side helpers of the e2e checks (sourced by checks.sh and bench.sh).
#
# A check is a function check_<id> run in its own bash process (checks.sh --run ID) with its
# output in /share/out/log/<id>.log. It states what it verifies with ok/bad and may give a
# one-line summary with detail, or declare the feature missing with missing. The runner
# (run_all) turns that into one line of /share/out/results.tsv: PASS, FAIL or MISSING.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
GUEST=/share/guest
OUT=/share/out
LOGD=$OUT/log
RES=$OUT/results.tsv
STATE=/run/e2e
CONF=/etc/vtl
DATA=/var/lib/vtl/work # scratch files on the media disk (not in RAM)
mkdir -p "$LOGD" "$STATE" "$OUT/daemons"

uptime_s() { cut -d' ' -f1 /proc/uptime; }
say() { echo "e2e-guest [$(uptime_s)]: $*"; }

# --- inside a check ------------------------------------------------------------------------
ok() { echo "ok: $*"; }
bad() {
    echo "FAIL: $*"
    echo "$*" >> "$STATE/cur.errs"
}
note() { echo "note: $*"; }
detail() { echo "$*" > "$STATE/cur.detail"; }
missing() {
    echo "MISSING: $*"
    echo "$*" > "$STATE/cur.missing"
}
# x CMD...: show the command, run it (its output goes to the log).
x() {
    echo "+ $*"
    "$@"
}
# cap FILE CMD...: run CMD, its output (stdout and stderr) into FILE and the log; the status
# is CMD's.
cap() {
    local f=$1 rc
    shift
    echo "+ $*"
    "$@" > "$f" 2>&1
    rc=$?
    sed 's/^/  | /' "$f"
    [ $rc = 0 ] || echo "  (exit status $rc)"
    return $rc
}
# expect_ok DESC CMD...: CMD must succeed.
expect_ok() {
    local d=$1
    shift
    if x "$@"; then ok "$d"; else bad "$d: '$*' failed (exit status $?)"; fi
}
# expect_line DESC FILE REGEX: some line of FILE matches the extended REGEX (bash's own
# matcher: no process is started, which counts under TCG).
expect_line() {
    local l
    while IFS= read -r l || [ -n "$l" ]; do
        if [[ $l =~ $3 ]]; then
            ok "$1"
            return 0
        fi
    done < "$2"
    bad "$1: no line matches /$3/"
}
# expect_no_line DESC FILE REGEX: no line of FILE matches.
expect_no_line() {
    local l
    while IFS= read -r l || [ -n "$l" ]; do
        if [[ $l =~ $3 ]]; then
            bad "$1: $l"
            return 0
        fi
    done < "$2"
    ok "$1"
}
# count_lines FILE REGEX: how many lines of FILE match.
count_lines() {
    local l n=0
    while IFS= read -r l || [ -n "$l" ]; do [[ $l =~ $2 ]] && n=$((n + 1)); done < "$1"
    echo $n
}
expect_eq() {
    if [ "$2" = "$3" ]; then ok "$1: $2"; else bad "$1: got '$2', expected '$3'"; fi
}
# re_quote TEXT: TEXT as a literal in an extended regex.
re_quote() {
    local t=$1 o='' c i sp='[](){}.*^$+?|\'
    for ((i = 0; i < ${#t}; i++)); do
        c=${t:i:1}
        if [[ $sp == *"$c"* ]]; then o+="\\$c"; else o+=$c; fi
    done
    printf '%s' "$o"
}

# --- configuration and devices -------------------------------------------------------------
# U_ids, U_<id>_{kind,ctl,vendor,product,revision,serial,naa,home,library,slot} from
# device.conf; LCT_* from library_contents.10.
load_units() {
    [ -s "$STATE/units.sh" ] || python3 "$GUEST/e2e.py" units "$CONF" > "$STATE/units.sh"
    . "$STATE/units.sh"
    [ -s "$STATE/contents.sh" ] || python3 "$GUEST/e2e.py" contents "$CONF" 10 > "$STATE/contents.sh"
    . "$STATE/contents.sh"
}
u() { eval "printf '%s' \"\${U_$1_$2}\""; }

# discover: for every unit of device.conf find its SCSI device (H:C:T:L whose C:T:L is the
# unit's), its sg node and, for a drive, its st/nst nodes; into $STATE/dev.sh as
# D_<id>_{addr,sg,st,nst,sch}. Returns non-zero when a unit is not visible.
discover() {
    local id ctl d n f missing=0
    : > "$STATE/dev.sh"
    for id in $U_ids; do
        ctl=$(u "$id" ctl)
        d=
        for f in /sys/bus/scsi/devices/*:"$ctl"; do [ -e "$f" ] && d=$f && break; done
        if [ -z "$d" ]; then
            echo "unit $id ($ctl): no SCSI device"
            missing=1
            continue
        fi
        {
            echo "D_${id}_addr=${d##*/}"
            n=
            for f in "$d"/scsi_generic/sg*; do [ -e "$f" ] && n=/dev/${f##*/}; done
            echo "D_${id}_sg=$n"
            n=
            for f in "$d"/scsi_tape/st*; do [[ ${f##*/} =~ ^st[0-9]+$ ]] && n=${f##*/}; done
            echo "D_${id}_st=${n:+/dev/$n}"
            echo "D_${id}_nst=${n:+/dev/n$n}"
            n=
            for f in "$d"/scsi_changer/sch*; do [ -e "$f" ] && n=/dev/${f##*/}; done
            echo "D_${id}_sch=$n"
        } >> "$STATE/dev.sh"
    done
    . "$STATE/dev.sh"
    return $missing
}
dev() { eval "printf '%s' \"\${D_$1_$2}\""; }
load_devs() { [ -s "$STATE/dev.sh" ] && . "$STATE/dev.sh"; }

# lu_node ID: the character device of unit ID (/dev/vtl/lu-C-T-L).
lu_node() { local c; c=$(u "$1" ctl); echo "/dev/vtl/lu-${c//:/-}"; }
# lu_pids ID: the processes holding unit ID's character device open (its daemon).
lu_pids() {
    find /proc/[0-9]*/fd -maxdepth 1 -lname "$(lu_node "$1")" 2> /dev/null | cut -d/ -f3 | sort -u
}
# daemon_pids: every vtltape / vtllibrary process.
daemon_pids() {
    local p c
    for p in /proc/[0-9]*; do
        read -r c < "$p/comm" 2> /dev/null || continue
        case $c in vtltape | vtllibrary) echo "${p#/proc/}" ;; esac
    done
}
# has_daemon ID: some process holds unit ID's character device.
has_daemon() { [ -n "$(lu_pids "$1")" ]; }
# no_daemons: no vtltape or vtllibrary process is left.
no_daemons() { [ -z "$(daemon_pids)" ]; }
# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
wait_for() {
    local t=$1 i
    shift
    for ((i = 0; i < t * 5; i++)); do
        "$@" > /dev/null 2>&1 && return 0
        sleep 0.2
    done
    return 1
}
# ready NST: the drive answers TEST UNIT READY with GOOD (after any unit attentions).
ready() { local i; for i in 1 2 3; do sg_turs "$1" > /dev/null 2>&1 && return 0; done; return 1; }

# vstatus ID FILE: `vtlcmd ID status --json` into FILE.
vstatus() { vtlcmd "$1" status --json > "$2" 2> "$2.err"; }

# Reproducible test data (tmpfs /tmp holds only small trees; big files go to $DATA).
# mktree DIR SEED: a small tree of files: text, binary, empty, a symlink, a subdirectory.
mktree() {
    local d=$1 s=$2
    mkdir -p "$d/sub"
    printf 'archive %s\n' "$s" > "$d/README"
    head -c $((100000 + s * 37111)) /dev/urandom > "$d/random.bin"
    seq 1 $((20000 + s * 1000)) > "$d/sub/numbers.txt"
    : > "$d/empty"
    ln -s README "$d/link"
    chmod 0640 "$d/random.bin"
}
# bigfile FILE MIB: MIB MiB of random data (reused when it exists).
bigfile() {
    [ -s "$1" ] && [ "$(stat -c %s "$1")" = $(($2 << 20)) ] && return 0
    mkdir -p "$(dirname "$1")"
    head -c $(($2 << 20)) /dev/urandom > "$1"
}
# same_tree A B: identical trees (contents, modes, links).
same_tree() {
    diff -r --no-dereference "$1" "$2" &&
        [ "$(cd "$1" && find . -printf '%p %m %y\n' | sort)" = "$(cd "$2" && find . -printf '%p %m %y\n' | sort)" ]
}

# --- the runner ----------------------------------------------------------------------------
# run_all: every check of /share/checks.list, in order (see checks.list for the policies).
run_all() {
    local id pol limit start rc st det n setup_failed='' scratch_done='' only=",${E2E_ONLY:-all},"
    : > "$RES"
    while read -r id pol limit _; do
        case $id in '' | '#'*) continue ;; esac
        if [ "$only" != ",all," ] && [ "$pol" != setup ] && [ "$pol" != cleanup ] &&
            [[ $only != *",$id,"* ]]; then
            continue
        fi
        if [ "$pol" = cleanup ] && [ -z "$scratch_done" ]; then
            scratch_done=1
            if [ -f /share/scratch.sh ]; then
                say "run /share/scratch.sh (E2E_SCRATCH)"
                timeout -k 5 600 bash /share/scratch.sh > "$OUT/scratch.log" 2>&1 < /dev/null
            fi
        fi
        if [ -n "$setup_failed" ] && [ "$pol" != cleanup ]; then
            printf 'FAIL\t%s\tnot run: setup check %s failed\n' "$id" "$setup_failed" >> "$RES"
            continue
        fi
        rm -f "$STATE"/cur.*
        start=$(uptime_s)
        say "run $id (limit ${limit}s)"
        timeout -k 5 "$limit" bash "$GUEST/checks.sh" --run "$id" > "$LOGD/$id.log" 2>&1 < /dev/null
        rc=$?
        det=
        if [ $rc = 124 ] || [ $rc = 137 ]; then
            st=FAIL
            det="timed out after ${limit} s"
        elif [ -s "$STATE/cur.errs" ]; then
            st=FAIL
            det=$(head -n1 "$STATE/cur.errs")
            n=$(wc -l < "$STATE/cur.errs")
            [ "$n" -gt 1 ] && det="$det (and $((n - 1)) more)"
        elif [ -s "$STATE/cur.missing" ]; then
            st=MISSING
            det=$(head -n1 "$STATE/cur.missing")
        elif [ $rc != 0 ]; then
            st=FAIL
            det="the check ended with exit status $rc"
        else
            st=PASS
            det=$(cat "$STATE/cur.detail" 2> /dev/null)
        fi
        det="$det [$(awk -v a="$start" -v b="$(uptime_s)" 'BEGIN { printf "%.1f s", b - a }')]"
        printf '%s\t%s\t%s\n' "$st" "$id" "${det//$'\t'/ }" >> "$RES"
        say "$st $id: $det"
        if [ "$st" = FAIL ] && [ "$pol" = setup ]; then setup_failed=$id; fi
    done < /share/checks.list
}
