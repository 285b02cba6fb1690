#!/usr/bin/env bash
# CI: repmtl train on a real Spark standalone cluster (one Master, two Workers with one core each), everything bound to
# 127.0.0.1: once with ./repmtl as the driver, once through spark-submit with the shaded application jar; then the same
# training with --spark-master local[2]. All three must write the same model/model.fb, byte for byte.
#   .ci/spark-standalone.sh        (REPMTL_CI_KEEP=1 keeps its work folder; needs examples/target/repmtl-app.jar and .ci/spark-jars/target/spark.classpath, see .ci/run)
# No Spark distribution is needed: a temporary SPARK_HOME whose jars/ links the Maven jars of spark-core and its
# runtime dependencies (Workers build the executors' classpath from SPARK_HOME/jars). The executors get the project
# and ND4J as on a real cluster: the shaded application jar through spark.jars. Every process this script starts
# is stopped (by process group id) on exit, failures, interrupts and timeouts included.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
app_jar=$root/examples/target/repmtl-app.jar
spark_cp_file=$root/.ci/spark-jars/target/spark.classpath
[[ -f $app_jar ]] || { echo "spark-standalone: $app_jar missing (./mvnw -Papp-jar -pl examples -am -DskipTests package)" >&2; exit 1; }
stale=$(find "$root"/repmtl-*/src/main "$root"/examples/src/main "$root"/pom.xml "$root"/*/pom.xml -newer "$app_jar" -type f -print -quit)
[[ -z $stale ]] || { echo "spark-standalone: $app_jar is older than $stale: rebuild it (the executors would run other code than the driver)" >&2; exit 1; }
[[ -f $spark_cp_file ]] || { echo "spark-standalone: $spark_cp_file missing (see .ci/run)" >&2; exit 1; }

start_time=$SECONDS
work=$(mktemp -d "${TMPDIR:-/tmp}/repmtl-spark-standalone.XXXXXX")
groups=()          # process group ids of the Master, the Workers (with their executors) and the drivers
monitor_pid=""
ok=0

stop_all() {
  [[ -n $monitor_pid ]] && { kill "$monitor_pid" 2>/dev/null || true; wait "$monitor_pid" 2>/dev/null || true; }
  local g alive i
  for g in "${groups[@]}"; do kill -TERM -- "-$g" 2>/dev/null || true; done
  for i in $(seq 40); do              # up to 20 s for shutdown hooks (a Worker kills its executors)
    alive=0
    for g in "${groups[@]}"; do kill -0 -- "-$g" 2>/dev/null && alive=1; done
    [[ $alive == 0 ]] && break
    sleep 0.5
  done
  for g in "${groups[@]}"; do kill -KILL -- "-$g" 2>/dev/null || true; done
  for g in "${groups[@]}"; do wait "$g" 2>/dev/null || true; done
}

on_exit() {
  local rc=$? t0=$SECONDS
  stop_all
  echo "spark-standalone: stopped every process it started ($((SECONDS - t0))s)"
  if [[ $ok == 1 ]]; then
    if [[ -n ${REPMTL_CI_KEEP:-} ]]; then echo "spark-standalone: logs and outputs kept in $work"; else rm -rf "$work"; fi
  else
    echo "spark-standalone: FAILED (exit $rc); logs in $work" >&2
    local f
    for f in "$work"/launcher.log "$work"/master.log "$work"/worker*.log "$work"/worker*/app-*/*/stderr; do
      [[ -f $f ]] && { echo "---- tail of $f" >&2; tail -n 25 "$f" >&2; }
    done
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

fail() { echo "spark-standalone: $*" >&2; exit 1; }

# starts "$@" in the background as the leader of a new process group, whose id is recorded for stop_all
start_group() {
  local log=$1; shift
  setsid "$@" >"$log" 2>&1 &
  local pid=$!
  groups+=("$pid")
  echo "$pid" >> "$work/groups"
  local i pgid=""
  for i in $(seq 20); do
    pgid=$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ') || true
    [[ $pgid == "$pid" ]] && break
    sleep 0.1
  done
  [[ $pgid == "$pid" ]] || fail "could not start '$*' in its own process group"
  last_pid=$pid
}

# waits until FILE contains PATTERN, for up to SECONDS; fails if the process PID ends first
wait_for_log() {
  local file=$1 pattern=$2 secs=$3 pid=$4 i
  for i in $(seq $((secs * 2))); do
    grep -q -- "$pattern" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || fail "process $pid ended before '$pattern' appeared in $file"
    sleep 0.5
  done
  fail "no '$pattern' in $file after ${secs}s"
}

# picks a free loopback port (no listener, not picked before) into $port
picked=" "
free_port() {
  local p i
  for i in $(seq 500); do
    p=$((20000 + RANDOM % 40000))
    [[ $picked == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then picked+="$p "; port=$p; return 0; fi
  done
  fail "no free port found"
}

# Spark binds to loopback only; Spark's module options on Java 17 for the daemons (the same as ./repmtl's)
export SPARK_LOCAL_IP=127.0.0.1
spark_opens=$(sed -n 's/^spark_opens="\(.*\)"$/\1/p' "$root/repmtl")
[[ -n $spark_opens ]] || fail "no spark_opens line in ./repmtl"

# a SPARK_HOME with jars/ only: links to the Maven jars of Spark (Workers start executors with SPARK_HOME/jars/*)
export SPARK_HOME=$work/spark-home
export SPARK_SCALA_VERSION=2.12     # a distribution's launcher scripts set it; without it the Workers look for build directories
mkdir -p "$SPARK_HOME/jars" "$SPARK_HOME/conf"
mapfile -t spark_jars < <(tr ':' '\n' < "$spark_cp_file")
for j in "${spark_jars[@]}"; do
  if [[ -f $j ]]; then ln -s "$j" "$SPARK_HOME/jars/$(basename "$j")"; fi
done
ls "$SPARK_HOME"/jars/spark-core_2.12-*.jar >/dev/null 2>&1 || fail "no spark-core jar in $spark_cp_file"
daemon_cp="$SPARK_HOME/jars/*"

# the launcher builds first when sources changed (a clean clone's first run), outside the cluster's timeouts
start_group "$work/launcher.log" timeout 1200 ./repmtl train --help
wait "$last_pid" || fail "./repmtl train --help failed (exit $?), see $work/launcher.log"

free_port; master_port=$port
free_port; master_ui=$port
# Spark 3.5 cannot switch the Master's and Workers' web UIs off: they bind to SPARK_LOCAL_IP (127.0.0.1) on free ports
start_group "$work/master.log" java -Xmx512m $spark_opens -cp "$daemon_cp" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$master_port" --webui-port "$master_ui"
master_pid=$last_pid
wait_for_log "$work/master.log" "I have been elected leader" 90 "$master_pid"
master_url=spark://127.0.0.1:$master_port

worker_pids=()
for w in 1 2; do
  free_port; wport=$port
  free_port; wui=$port
  mkdir -p "$work/worker$w"
  start_group "$work/worker$w.log" java -Xmx512m $spark_opens -cp "$daemon_cp" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --port "$wport" --webui-port "$wui" --cores 1 --memory 1200m --work-dir "$work/worker$w" "$master_url"
  worker_pids+=("$last_pid")
done
for w in 1 2; do wait_for_log "$work/worker$w.log" "Successfully registered with master" 90 "${worker_pids[$((w - 1))]}"; done
echo "spark-standalone: master $master_url and 2 workers up after $((SECONDS - start_time))s (web UIs on 127.0.0.1 only)"

train_args=(train --benchmark multifashion --train-size 64 --val-size 16 --test-size 16 --batch-size 16 --seed 3 --rep-mtl --lr 1e-3
  --epochs 1 --saliency-images 0 --no-progress --workers 2)
# Spark 3.5 starts executors with OMP_NUM_THREADS = spark.task.cpus (1 here), so ND4J runs one thread per task there;
# every driver below runs with one thread too, else sums inside ops (conv bias gradients) split differently and the
# local[2] run, whose tasks run in the driver, differs in the last float bits (3e-8 relative).
export OMP_NUM_THREADS=1

# records every listening socket of our process groups (daemons, executors, drivers) while the cluster trains
(
  set +e
  while true; do
    pids=$(pgrep -d, -g "$(paste -sd, "$work/groups")")
    [[ -n $pids ]] && ss -Htlnp 2>/dev/null | grep -E "pid=($(echo "$pids" | tr , '|')),"
    sleep 1
  done
) > "$work/listeners.txt" 2>/dev/null &
monitor_pid=$!

# 1. ./repmtl as the driver (client mode): the executors load the project and ND4J from the shaded jar (spark.jars).
#    SparkConf reads spark.* system properties, as spark-submit passes --conf to a client-mode driver.
start_group "$work/cluster.log" env REPMTL_JAVA_OPTS="-Xmx2g -Dspark.jars=$app_jar -Dspark.executor.memory=1g \
    -Dspark.executor.cores=1 -Dspark.cores.max=2 -Dspark.driver.host=127.0.0.1 -Dspark.driver.bindAddress=127.0.0.1" \
  timeout 420 ./repmtl "${train_args[@]}" --spark-master "$master_url" --out "$work/cluster"
wait "$last_pid" || fail "cluster training (./repmtl) failed (exit $?), see $work/cluster.log"
grep -q "Spark $master_url (gradient master, 2 worker(s))" "$work/cluster.log" || fail "the ./repmtl run did not train on $master_url"
echo "spark-standalone: ./repmtl train on the cluster done after $((SECONDS - start_time))s"

# 2. spark-submit: what bin/spark-submit runs (SparkSubmit with SPARK_HOME's jars and Spark's module options), the
#    shaded jar as the application (its Main-Class), client mode; Spark puts the jar on the driver's and executors' classpath.
start_group "$work/submit.log" timeout 420 java -Xmx2g $spark_opens -cp "$SPARK_HOME/conf/:$daemon_cp" org.apache.spark.deploy.SparkSubmit \
  --master "$master_url" --deploy-mode client --executor-memory 1g --executor-cores 1 --total-executor-cores 2 \
  --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 \
  "$app_jar" "${train_args[@]}" --spark-master "$master_url" --out "$work/submit"
wait "$last_pid" || fail "cluster training (spark-submit) failed (exit $?), see $work/submit.log"
grep -q "Spark $master_url (gradient master, 2 worker(s))" "$work/submit.log" || fail "the spark-submit run did not train on $master_url"
for app in "$work"/worker1/app-*; do
  id=$(basename "$app")
  [[ -d $work/worker2/$id ]] || fail "application $id had no executor on worker 2"
done
apps=$(ls -d "$work"/worker1/app-* | wc -l)
[[ $apps == 2 ]] || fail "expected 2 applications with executors on both workers, found $apps"
echo "spark-standalone: spark-submit on the cluster done after $((SECONDS - start_time))s (2 applications, executors on both workers)"

kill "$monitor_pid" 2>/dev/null || true; wait "$monitor_pid" 2>/dev/null || true; monitor_pid=""
[[ -s $work/listeners.txt ]] || fail "no listening sockets recorded (ss -p unavailable?)"
if awk '{print $4}' "$work/listeners.txt" | grep -v -E '^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]|\[::1\]):[0-9]+$' | grep -q .; then
  sort -u "$work/listeners.txt" >&2
  fail "a Spark process listened on an address other than loopback"
fi
echo "spark-standalone: every listening socket of master, workers, executors and drivers was on loopback ($(awk '{print $4}' "$work/listeners.txt" | sort -u | wc -l) ports)"

# 3. the same training in local mode
start_group "$work/local.log" env REPMTL_JAVA_OPTS="-Xmx2g" timeout 420 ./repmtl "${train_args[@]}" --spark-master "local[2]" --out "$work/local"
wait "$last_pid" || fail "local[2] training failed (exit $?), see $work/local.log"

for run in cluster submit; do
  for f in model.fb model.json; do
    [[ -f $work/$run/model/$f ]] || fail "the $run run wrote no model/$f"
    [[ -f $work/local/model/$f ]] || fail "the local[2] run wrote no model/$f"
  done
  cmp -s "$work/$run/model/model.json" "$work/local/model/model.json" || fail "model/model.json differs between the $run run and local[2]"
  if ! cmp -s "$work/$run/model/model.fb" "$work/local/model/model.fb"; then
    timeout 120 java -cp "$app_jar" "$root/.ci/CompareModels.java" "$work/$run/model/model.fb" "$work/local/model/model.fb" 2>/dev/null | grep -v '^\s*$' >&2 || true
    fail "model/model.fb differs between the $run run and local[2]"
  fi
done
echo "spark-standalone: model/model.fb (and model.json) of ./repmtl and spark-submit on the cluster equal local[2]'s byte for byte; $((SECONDS - start_time))s in all"
ok=1
