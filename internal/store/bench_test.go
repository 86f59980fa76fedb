package store_test

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/demo"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// These benchmarks split the cost of rating metrics over many records
// (app.Measure loads every record of each kind it rates): how fast
// EachRecord reads a large kind, and how fast the same rows come back when
// only the columns a metric needs are read, or only one period's rows.
// They print figures and assert nothing about time:
//
//	go test -run '^$' -bench . -benchtime 3x ./internal/store/

const benchRows = 250_000

var benchAsOf = time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)

// benchVulnerabilities returns a database of the engine holding benchRows
// vulnerabilities found over two years, inserted in one transaction, and
// the organisation's id.
func benchVulnerabilities(b *testing.B, engine store.Engine) (*store.DB, int64) {
	b.Helper()
	if engine == store.Postgres && os.Getenv(storetest.EnvPostgres) == "" {
		b.Skipf("%s is not set", storetest.EnvPostgres)
	}
	ctx := context.Background()
	db := storetest.Open(b, engine)
	org := &isms.Organization{Slug: "bench", Name: "Bench Oy", TimeZone: "Europe/Helsinki"}
	recs := demo.Records(isms.KindVulnerabilities, benchRows, benchAsOf.AddDate(-2, 0, 0), benchAsOf, rand.New(rand.NewPCG(5, 6)))
	err := db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateOrg(ctx, org); err != nil {
			return err
		}
		for i := range recs {
			if err := tx.InsertRecord(ctx, org.ID, &recs[i], 0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return db, org.ID
}

func benchStoreEngines(b *testing.B, fn func(b *testing.B, engine store.Engine)) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		b.Run(string(e), func(b *testing.B) { fn(b, e) })
	}
}

func reportRows(b *testing.B, rows int) {
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(rows)/float64(b.N), "rows/op")
}

// BenchmarkEachRecord reads every vulnerability through EachRecord, as the
// metric loader does.
func BenchmarkEachRecord(b *testing.B) {
	benchStoreEngines(b, func(b *testing.B, engine store.Engine) {
		db, orgID := benchVulnerabilities(b, engine)
		ctx := context.Background()
		b.ReportAllocs()
		rows := 0
		for b.Loop() {
			err := db.Read(ctx, func(tx *store.Tx) error {
				return tx.EachRecord(ctx, orgID, isms.KindVulnerabilities, func(isms.Record) error { rows++; return nil })
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		reportRows(b, rows)
	})
}

// BenchmarkScanNeededColumns reads the same rows but only the three
// columns critical-vuln-fix-time needs, into fixed variables: the cost of
// the rows themselves without wide rows and per-record maps.
func BenchmarkScanNeededColumns(b *testing.B) {
	benchStoreEngines(b, func(b *testing.B, engine store.Engine) {
		db, orgID := benchVulnerabilities(b, engine)
		b.ReportAllocs()
		rows := 0
		for b.Loop() {
			rows += scanVulnerabilities(b, db, `SELECT id, severity, found_at, fixed_at FROM rec_vulnerabilities WHERE org_id = $1`, orgID)
		}
		reportRows(b, rows)
	})
}

// BenchmarkScanOnePeriod reads only the rows one month's
// critical-vuln-fix-time can count (found before the month's end and not
// fixed before its start), the effect of pushing the period into SQL.
func BenchmarkScanOnePeriod(b *testing.B) {
	benchStoreEngines(b, func(b *testing.B, engine store.Engine) {
		db, orgID := benchVulnerabilities(b, engine)
		start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
		b.ReportAllocs()
		rows := 0
		for b.Loop() {
			rows += scanVulnerabilities(b, db, `SELECT id, severity, found_at, fixed_at FROM rec_vulnerabilities
				WHERE org_id = $1 AND found_at < $2 AND (fixed_at IS NULL OR fixed_at >= $3)`, orgID, store.TimeArg(engine, start.AddDate(0, 1, 0)), store.TimeArg(engine, start))
		}
		reportRows(b, rows)
	})
}

func scanVulnerabilities(b *testing.B, db *store.DB, q string, args ...any) int {
	b.Helper()
	rs, err := db.Reader().QueryContext(context.Background(), q, args...)
	if err != nil {
		b.Fatal(err)
	}
	defer rs.Close()
	n := 0
	var id int64
	var severity sql.NullString
	var found, fixed store.NullTime
	for rs.Next() {
		if err := rs.Scan(&id, &severity, &found, &fixed); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := rs.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}

// benchOrgOfSizes runs fn on each engine (PostgreSQL when
// PDCA_TEST_POSTGRES is set) for each size n, each with a new database
// holding one organisation, for the benchmarks of lists at 1,000 and
// 100,000 rows; fn seeds the n rows it reads.
func benchOrgOfSizes(b *testing.B, sizes []int, fn func(b *testing.B, db *store.DB, org *isms.Organization, n int)) {
	benchStoreEngines(b, func(b *testing.B, engine store.Engine) {
		if engine == store.Postgres && os.Getenv(storetest.EnvPostgres) == "" {
			b.Skipf("%s is not set", storetest.EnvPostgres)
		}
		for _, n := range sizes {
			b.Run(strconv.Itoa(n), func(b *testing.B) {
				ctx := context.Background()
				db := storetest.Open(b, engine)
				org := &isms.Organization{Slug: "bench", Name: "Bench Oy", TimeZone: "UTC"}
				if err := db.Write(ctx, func(tx *store.Tx) error { return tx.CreateOrg(ctx, org) }); err != nil {
					b.Fatal(err)
				}
				fn(b, db, org, n)
			})
		}
	})
}

// benchPage reads a page in a read transaction per iteration and reports
// the rows of the last one; an empty page fails the benchmark (it would
// measure nothing).
func benchPage(b *testing.B, db *store.DB, read func(ctx context.Context, tx *store.Tx) (int, error)) {
	b.Helper()
	ctx := context.Background()
	rows := 0
	for b.Loop() {
		err := db.Read(ctx, func(tx *store.Tx) (err error) {
			rows, err = read(ctx, tx)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if rows == 0 {
		b.Fatalf("an empty page")
	}
	b.ReportMetric(float64(rows), "rows")
}
