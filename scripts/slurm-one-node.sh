#!/usr/bin/env bash
# A one-node Slurm cluster on loopback, for the cluster test (tests/integration/cluster.rs) and
# the sharded-batch benchmark (benches/slurm-batch.sh): munged, slurmctld and slurmd run as root
# with everything (key, configuration, state, logs, sockets) in DIR. Needs Debian's slurm-wlm
# and munge.
#
#   scripts/slurm-one-node.sh start DIR     # then: export SLURM_CONF=DIR/slurm.conf
#   scripts/slurm-one-node.sh stop DIR
set -euo pipefail

usage() {
    echo "usage: $0 start|stop DIR" >&2
    exit 2
}
[ $# -eq 2 ] || usage
action=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
export SLURM_CONF="$dir/slurm.conf"
PATH="$PATH:/usr/sbin:/sbin"

# A TCP port nobody listens on.
free_port() {
    local p
    for p in $(shuf -i 20000-60000 -n 50); do
        if ! (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return
        fi
    done
    echo "no free port found" >&2
    exit 1
}

stop() {
    if [ -f "$SLURM_CONF" ]; then
        scontrol shutdown >/dev/null 2>&1 || true
    fi
    for pid in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
        if [ -f "$pid" ]; then
            kill "$(cat "$pid")" 2>/dev/null || true
        fi
    done
    local i
    for i in $(seq 1 10); do
        pgrep -f "$SLURM_CONF|$dir/munge" >/dev/null || break
        sleep 1
    done
    for pid in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
        if [ -f "$pid" ]; then
            kill -9 "$(cat "$pid")" 2>/dev/null || true
            rm -f "$pid"
        fi
    done
}

start() {
    for cmd in munged slurmctld slurmd sbatch sinfo scontrol; do
        command -v "$cmd" >/dev/null || {
            echo "$cmd not found (apt-get install slurm-wlm munge)" >&2
            exit 1
        }
    done
    stop
    rm -rf "$dir/state" "$dir/spool" "$dir/munge"
    mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
    chmod 700 "$dir/munge"
    # munged refuses keys others can read.
    head -c 1024 /dev/urandom >"$dir/munge/munge.key"
    chmod 600 "$dir/munge/munge.key"
    munged --force \
        --socket="$dir/munge/munge.sock" \
        --key-file="$dir/munge/munge.key" \
        --pid-file="$dir/munge/munged.pid" \
        --log-file="$dir/munge/munged.log" \
        --seed-file="$dir/munge/munged.seed"
    local host cpus
    host=$(hostname -s)
    cpus=$(nproc)
    cat >"$SLURM_CONF" <<EOF
ClusterName=modstaff-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
# Array tasks start at the next pass of the main scheduler (every 60 s by default).
SchedulerParameters=sched_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=8192 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    slurmctld -f "$SLURM_CONF"
    slurmd -f "$SLURM_CONF" -N "$host"
    local i
    for i in $(seq 1 60); do
        if [ "$(sinfo -h -o %T 2>/dev/null)" = "idle" ]; then
            echo "slurm: one node ($host, $cpus CPUs) idle; export SLURM_CONF=$SLURM_CONF"
            return
        fi
        sleep 1
    done
    echo "slurm: the node did not come up in 60 s" >&2
    tail -n 20 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 || true
    stop
    exit 1
}

case "$action" in
start) start ;;
stop) stop ;;
*) usage ;;
esac
