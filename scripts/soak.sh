#!/usr/bin/env bash
# make soak: runs `make test` N times (SOAK_RUNS, default 10), each in a
# fresh clone of the committed HEAD in a temporary directory, as CI does,
# and reports every test that failed in any run, with its output. After
# each run it also looks for what the run left: SysV objects, POSIX
# objects, tmp directories. A flaky test is a failing test: ten of ten
# green is the bar.
set -u
runs=${SOAK_RUNS:-10}
repo=$(git rev-parse --show-toplevel)
work=$(mktemp -d "${TMPDIR:-/tmp}/ipcsh-soak.XXXXXX")
sysv() { ipcs -q -m -s 2>/dev/null | awk '$1 ~ /^0x/ {print $2}' | sort; }
posix() { ls /dev/shm /dev/mqueue 2>/dev/null | grep -v '^/\|^$' | sort; }
green=0
: >"$work/failures.txt"
for i in $(seq 1 "$runs"); do
	dir="$work/clone"
	rm -rf "$dir"
	git clone -q "$repo" "$dir"
	log="$work/run$i.log"
	sysv_before=$(sysv); posix_before=$(posix)
	start=$(date +%s)
	(cd "$dir" && make test) >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	left=""
	[ "$(sysv)" != "$sysv_before" ] && left="$left SysV objects:$(comm -13 <(echo "$sysv_before") <(sysv) | tr '\n' ' ')"
	[ "$(posix)" != "$posix_before" ] && left="$left POSIX objects:$(comm -13 <(echo "$posix_before") <(posix) | tr '\n' ' ')"
	if [ $rc -eq 0 ] && [ -z "$left" ]; then
		green=$((green + 1))
		echo "soak: run $i of $runs green (${secs}s)"
		rm -f "$log"
		continue
	fi
	echo "soak: run $i of $runs FAILED (exit $rc, ${secs}s)${left:+; left behind:$left} — log: $log"
	{
		echo "=== run $i (exit $rc)${left:+; left behind:$left}"
		# Each failing test with the lines it printed: go test prints them
		# indented under its --- FAIL line.
		awk '/^(\s*)--- FAIL/ {p=1} /^(\s*)--- (PASS|SKIP)/ {p=0} /^(FAIL|ok) / {p=0} p' "$log"
		grep -E '^(FAIL|panic:|no-leaks:|gofmt|vet:)' "$log"
	} >>"$work/failures.txt"
done
rm -rf "$work/clone"
echo
echo "soak: $green of $runs runs green"
if [ "$green" -ne "$runs" ]; then
	echo "soak: failures (logs in $work):"
	cat "$work/failures.txt"
	exit 1
fi
rm -rf "$work"
