#!/usr/bin/env bash
# Issue 16 items 1 and 4: read one risk and a page of 50 over the API, on
# SQLite and on PostgreSQL, servers side by side and rounds interleaved, so
# the ratios compare figures of the same moment (docs/BENCHMARKS.md).
#
#   PDCA=./pdca PG='postgres://postgres@127.0.0.1:54329/postgres?sslmode=disable' \
#     ROUNDS=5 bash docs/bench/risk-api.sh
#
# Needs wrk, curl, psql and a built pdca binary. It (re)creates the database
# pdca_bench_risks on PG's server and a SQLite file in a temporary directory,
# creates RISKS risks in each through the API, then runs wrk (16 clients).
#
# To compare two builds in the same run, set PDCA_B to the other binary: it
# gets servers and databases of its own (pdca_bench_risks_b), and each round
# runs every request on both builds in turn (rows "sqlite-b", "postgres-b").
set -euo pipefail
PDCA=${PDCA:-./pdca}
PG=${PG:?set PG to a postgres:// URL of a server where this user may create databases}
ROUNDS=${ROUNDS:-5}
RISKS=${RISKS:-1000}
DUR=${DUR:-8s}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

pgurl() { # database name -> URL on PG's server
	local u="${PG%%\?*}" q="${PG#*\?}"
	u="${u%/*}/$1"; [ "$q" != "$PG" ] && u="$u?$q"
	echo "$u"
}
ENGINES="sqlite postgres"
[ -n "${PDCA_B:-}" ] && ENGINES="sqlite sqlite-b postgres postgres-b"
for d in pdca_bench_risks pdca_bench_risks_b; do
	psql "$PG" -qc "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $d" >/dev/null
done
psql "$PG" -qc 'CREATE DATABASE pdca_bench_risks' >/dev/null
[ -n "${PDCA_B:-}" ] && psql "$PG" -qc 'CREATE DATABASE pdca_bench_risks_b' >/dev/null

setup() { # binary db -> prints the write token
	local bin=$1 db=$2
	"$bin" --db "$db" org create --slug rk --name "Risk bench" >/dev/null
	"$bin" --db "$db" user create --email bench@example.com --name Bench --org rk --role admin --no-password >/dev/null
	"$bin" --db "$db" user token create --org rk --email bench@example.com --name bench --scope write
}

declare -A TOKEN URL PID
for eng in $ENGINES; do
	case $eng in
	sqlite) bin=$PDCA db="$WORK/bench.db" port=18081 ;;
	postgres) bin=$PDCA db=$(pgurl pdca_bench_risks) port=18082 ;;
	sqlite-b) bin=$PDCA_B db="$WORK/bench-b.db" port=18083 ;;
	postgres-b) bin=$PDCA_B db=$(pgurl pdca_bench_risks_b) port=18084 ;;
	esac
	TOKEN[$eng]=$(setup "$bin" "$db" | tail -n 1)
	"$bin" --db "$db" --log-level warn serve --addr 127.0.0.1:$port >"$WORK/$eng.log" 2>&1 &
	PID[$eng]=$!
	URL[$eng]="http://127.0.0.1:$port/api/v1/orgs/rk/risks"
	for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:$port/readyz" && break; sleep 0.2; done
	echo "creating $RISKS risks on $eng" >&2
	for i in $(seq "$RISKS"); do
		printf '{"asset":"Asset %d","threat":"Ransomware","vulnerability":"Unpatched hosts","likelihood":%d,"impact":%d,"treatment":"modify","treatment_plan":"Patch within 14 days","controls":["A.8.8","A.8.13"]}\n' \
			"$i" $((1 + i % 5)) $((1 + (i / 5) % 5))
	done | xargs -d '\n' -P 4 -I{} curl -fs -o /dev/null -H "Authorization: Bearer ${TOKEN[$eng]}" \
		-H 'Content-Type: application/json' -d '{}' "${URL[$eng]}"
done

run() { # engine path
	wrk -t2 -c16 -d"$DUR" --latency -H "Authorization: Bearer ${TOKEN[$1]}" "${URL[$1]}$2" |
		awk -v e="$1" -v p="$2" '/Requests\/sec/ {r=$2} /^ +99%/ {l=$2} END {printf "%s\t%s\t%s\t%s\n", e, p, r, l}'
}
mid=$((RISKS / 2))
printf 'round\tengine\tpath\treq/s\tp99\n'
for r in $(seq "$ROUNDS"); do
	for eng in $ENGINES; do
		for path in "/$mid" "?limit=50"; do
			printf '%d\t' "$r"; run $eng "$path"
		done
	done
done
