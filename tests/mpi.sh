#!/usr/bin/env bash
# tests/mpi.sh - the MPI build gives the same outputs as the plain one.
#
# Runs a sweep, a replicated run, a comparison and a sweep to --precision
# (several rounds) with the plain binary at -j 1 (the reference) and -j 2,
# the MPI binary without mpirun (it falls back to worker processes) and
# under mpirun with 1, 2 and 3 ranks, and compares every output file but
# timing.csv (wall time, jobs, ranks) byte for byte with the reference, and
# what rank 0 printed with the wall time taken out. Successful runs must
# print nothing on stderr. Then a sweep with one invalid configuration under
# 3 ranks must fail with one message and exit 3, without hanging.
#
# One line per case, PASS or FAIL; exits 1 on any failure.
#
#   make test-mpi          builds both binaries and runs this
#   WEIR_BIN=build/weir WEIR_MPI_BIN=build/mpi/weir bash tests/mpi.sh
set -euo pipefail
cd "$(dirname "$0")/.."

plain=${WEIR_BIN:-build/weir}
mpi=${WEIR_MPI_BIN:-build/mpi/weir}
limit=${WEIR_MPI_TIMEOUT:-120}   # seconds for one command: a hang fails, not waits

for b in "$plain" "$mpi"; do
	[ -x "$b" ] || { echo "tests/mpi.sh: no binary '$b' (make test-mpi builds both)"; exit 1; }
done
command -v mpirun >/dev/null || { echo "tests/mpi.sh: no mpirun (apt-get install openmpi-bin)"; exit 1; }

# Open MPI on one machine, in a container, perhaps as root and with fewer
# cores than ranks. Each setting keeps a value the environment gives.
if [ "$(id -u)" = 0 ]; then
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=${OMPI_MCA_rmaps_base_oversubscribe:-1}   # 3 ranks on 2 cores
export OMPI_MCA_hwloc_base_binding_policy=${OMPI_MCA_hwloc_base_binding_policy:-none}
export OMPI_MCA_plm=${OMPI_MCA_plm:-isolated}             # local launch, no ssh
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}                   # no UCX/OFI probing
export OMPI_MCA_btl=${OMPI_MCA_btl:-self,vader}            # shared memory only, no network
# no cross-memory attach: containers often forbid the ptrace it needs
export OMPI_MCA_btl_vader_single_copy_mechanism=${OMPI_MCA_btl_vader_single_copy_mechanism:-none}

# A sanitizer build (make SANITIZE=address test-mpi): Open MPI does not free
# what it allocates, so LeakSanitizer would fail every MPI run; weir's own
# leaks are the business of make SANITIZE=... test and make valgrind.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

tmp=$(mktemp -d "${TMPDIR:-/tmp}/weir-mpi.XXXXXX")
failed=0
trap 'if [ "$failed" = 0 ]; then rm -rf "$tmp"; else echo "tests/mpi.sh: outputs kept in $tmp"; fi' EXIT

# Two scenarios for compare that share every resource name: the default
# scenario, and the same with 12 workers instead of 10.
cp scenarios/default.yaml "$tmp/a.yaml"
sed 's/^\(    workers:\) 10$/\1 12/' scenarios/default.yaml > "$tmp/b.yaml"
cmp -s "$tmp/a.yaml" "$tmp/b.yaml" && { echo "tests/mpi.sh: the sed of scenarios/default.yaml changed nothing"; exit 1; }

# name|arguments (the output directory is added)
experiments=(
	"sweep|sweep scenarios/default.yaml --set consumers.workers.workers=8,10,12 --set queues.orders.visibility_timeout=30s,2m -r 4"
	"run|run --replications 6"
	"compare|compare $tmp/a.yaml $tmp/b.yaml -r 5"
	"precision|sweep scenarios/default.yaml --set consumers.workers.workers=8,12 --precision 1% --replications 2 --max-replications 12"
)
# case|how the binary is started
cases=(
	"plain -j 2|$plain|-j 2"
	"mpi binary, no mpirun|$mpi|"
	"mpirun -np 1|mpirun -q -np 1 $mpi|"
	"mpirun -np 2|mpirun -q -np 2 $mpi|"
	"mpirun -np 3|mpirun -q -np 3 $mpi|"
)

pass() { echo "PASS  $1"; }
fail() { echo "FAIL  $1: $2"; failed=1; }

# What rank 0 printed, less the wall time and process count of the first
# line, and with the output directory named DIR.
normalize() {
	sed -E -e '1s/ in [0-9.]+s( \([0-9]+ [a-zA-Z ]+\))?$/ in Ts/' -e "s#$2/?#DIR/#g" "$1"
}

# run DIR LAUNCH ARGS...: the command with its output in DIR.{out,err}; its exit code
run() {
	local dir=$1 launch=$2
	shift 2
	# shellcheck disable=SC2086  # LAUNCH is words
	timeout -k 10 "$limit" $launch "$@" -o "$dir" </dev/null >"$dir.out" 2>"$dir.err"
}

for x in "${experiments[@]}"; do
	name=${x%%|*}
	read -r -a args <<<"${x#*|}"
	ref=$tmp/$name-ref
	rc=0
	run "$ref" "$plain" "${args[@]}" -j 1 || rc=$?
	if [ "$rc" != 0 ]; then
		fail "$name: plain -j 1 (the reference)" "exit $rc; $(head -c 2000 "$ref.err")"
		continue
	fi
	n=0
	for c in "${cases[@]}"; do
		IFS='|' read -r label launch opts <<<"$c"
		n=$((n + 1))
		out=$tmp/$name-$n
		read -r -a extra <<<"$opts"
		rc=0
		run "$out" "$launch" "${args[@]}" ${extra[@]+"${extra[@]}"} || rc=$?
		if [ "$rc" != 0 ]; then
			fail "$name: $label" "exit $rc$([ "$rc" = 124 ] && echo " (timed out after ${limit}s)"); $(head -c 2000 "$out.err")"
		elif ! d=$(diff -r -x timing.csv "$ref" "$out" 2>&1); then
			fail "$name: $label" "outputs differ from plain -j 1:"$'\n'"$(head -n 20 <<<"$d")"
		elif ! d=$(diff <(normalize "$ref.out" "$ref") <(normalize "$out.out" "$out") 2>&1); then
			fail "$name: $label" "standard output differs from plain -j 1:"$'\n'"$(head -n 20 <<<"$d")"
		elif [ -s "$out.err" ]; then
			fail "$name: $label" "printed on stderr:"$'\n'"$(head -c 2000 "$out.err")"
		elif [ ! -f "$out/timing.csv" ]; then
			fail "$name: $label" "no timing.csv"
		else
			pass "$name: $label"
		fi
	done
done

# Every rank loads every configuration, so all of them fail alike on an
# invalid one: exit 3, the message once (from rank 0), no hang, no output.
label="sweep with an invalid configuration: mpirun -np 3"
out=$tmp/invalid
rc=0
run "$out" "mpirun -q -np 3 $mpi" sweep scenarios/default.yaml --set consumers.workers.workers=8,-3 -r 2 || rc=$?
said=$(grep -c 'weir sweep: in configuration 2' "$out.err" || true)
if [ "$rc" != 3 ]; then
	fail "$label" "exit $rc, not 3$([ "$rc" = 124 ] && echo " (timed out after ${limit}s)"); $(head -c 2000 "$out.err")"
elif [ "$said" != 1 ]; then
	fail "$label" "the error was said $said times, not once:"$'\n'"$(head -c 2000 "$out.err")"
elif [ -e "$out" ]; then
	fail "$label" "it left an output directory"
else
	pass "$label"
fi

if [ "$failed" != 0 ]; then
	echo "tests/mpi.sh: FAILED"
	exit 1
fi
echo "tests/mpi.sh: all passed"
