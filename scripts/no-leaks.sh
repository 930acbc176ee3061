#!/bin/sh
# Runs a command and fails if it left SysV objects behind: a test run that
# leaves anything in ipcs is a failing test run. Objects that existed
# before the command are not its leaks, so ids are compared, not counts.
# Queue, segment and semaphore ids are separate number spaces: tag each id
# with its section.
ids() { ipcs -q -m -s 2>/dev/null | awk '/^------/ {k=$2} $1 ~ /^0x/ {print k ":" $2}' | sort; }
if ! command -v ipcs >/dev/null 2>&1; then
	echo "no-leaks: ipcs not installed, running without the leak check"
	exec "$@"
fi
before=$(ids)
"$@"
status=$?
new=$(ids | comm -13 "$(printf '%s\n' "$before" >/tmp/ipcsh-noleaks.$$; echo /tmp/ipcsh-noleaks.$$)" -)
rm -f /tmp/ipcsh-noleaks.$$
if [ -n "$new" ]; then
	echo "no-leaks: SysV objects left behind (ids: $(echo $new)):"
	ipcs -q -m -s
	exit 1
fi
echo "no-leaks: no SysV objects left behind"
exit $status
