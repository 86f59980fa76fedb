package app_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// An all-bad file keeps the first importer.MaxErrors problems and counts
// the rest (it used to keep every one: 605,536 for a 10 MB file).
func TestImportKeepsFirstThousandProblems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		var b strings.Builder
		b.WriteString("person,system,employment_ended_at,access_removed_at,ticket\n")
		const bad = 1500
		for i := range bad {
			fmt.Fprintf(&b, "p%d,github,not a date,,T-%d\n", i, i)
		}
		_, err := f.app.Import(context.Background(), f.members[isms.RoleAdmin], app.ImportRequest{Org: "acme", Kind: isms.KindAccessRemovals,
			Format: importer.FormatCSV, File: strings.NewReader(b.String())})
		var ie *importer.Error
		if !errors.As(err, &ie) {
			t.Fatalf("err = %v, want *importer.Error", err)
		}
		if len(ie.Errors) != importer.MaxErrors || ie.Count() != bad {
			t.Fatalf("%d problems listed, %d counted; want %d listed of %d", len(ie.Errors), ie.Count(), importer.MaxErrors, bad)
		}
		if got, want := ie.Summary(), "the first 1,000 of 1,500 problems"; got != want {
			t.Errorf("summary = %q, want %q", got, want)
		}
		if ie.Errors[999].Line != 1001 {
			t.Errorf("last listed problem on line %d, want 1001", ie.Errors[999].Line)
		}
	})
}

// gate is an import file that sends its header and first row, then waits
// until released before sending the rest: the import is then reading, in
// the middle of the file.
type gate struct {
	head, tail string
	reading    chan struct{} // closed when the head has been read
	release    chan struct{}
	sent       int
}

func (g *gate) Read(p []byte) (int, error) {
	if g.sent < len(g.head) {
		n := copy(p, g.head[g.sent:])
		g.sent += n
		return n, nil
	}
	if g.sent == len(g.head) {
		close(g.reading)
		select {
		case <-g.release:
		case <-time.After(time.Minute): // a safety net against a hung test, not a measurement
			return 0, errors.New("never released: the other organisation's write did not complete while the import was reading")
		}
		g.sent++
	}
	if g.tail == "" {
		return 0, io.EOF
	}
	n := copy(p, g.tail)
	g.tail = g.tail[n:]
	return n, nil
}

// An import reading its file (dry run or not) does not hold the writer: a
// write in another organisation completes while the import waits in the
// middle of its file. On SQLite, with one writer connection, the import
// used to run inside the write transaction, so the other write waited for
// the whole file.
func TestImportDoesNotHoldTheWriter(t *testing.T) {
	for _, dry := range []bool{true, false} {
		t.Run(fmt.Sprintf("dry run %v", dry), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				f := mustFixture(t, db, "acme")
				mustFixture(t, db, "other")
				ctx := context.Background()
				g := &gate{head: removals, tail: "dave,aws,2026-10-03,2026-10-04,T-4\n", reading: make(chan struct{}), release: make(chan struct{})}
				done := make(chan error, 1)
				var res *app.ImportResult
				go func() {
					var err error
					res, err = f.app.Import(ctx, f.members[isms.RoleAdmin], app.ImportRequest{Org: "acme", Kind: isms.KindAccessRemovals,
						Format: importer.FormatCSV, File: g, DryRun: dry})
					done <- err
				}()
				<-g.reading
				_, err := f.app.Import(ctx, app.System, app.ImportRequest{Org: "other", Kind: isms.KindSuppliers, Format: importer.FormatCSV,
					File: strings.NewReader("name,critical\nCloudCo,yes\n")})
				close(g.release)
				if err != nil {
					t.Fatalf("write in the other organisation: %v", err)
				}
				if err := <-done; err != nil {
					t.Fatalf("import: %v", err)
				}
				if res.Created != 4 || res.DryRun != dry {
					t.Errorf("result = %+v, want 4 created", res)
				}
				counts, err := f.app.RecordCounts(ctx, app.System, "acme")
				want := 4
				if dry {
					want = 0
				}
				if err != nil || counts[isms.KindAccessRemovals] != want {
					t.Errorf("%d records stored (%v), want %d", counts[isms.KindAccessRemovals], err, want)
				}
			})
		})
	}
}

// A change to the same keys between the read and the write is noticed:
// the rows are compared again in the write transaction, so counts and
// audit events describe what was written.
func TestImportRechecksChangesMadeWhileReading(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		admin := f.members[isms.RoleAdmin]
		g := &gate{head: removals, reading: make(chan struct{}), release: make(chan struct{})}
		done := make(chan error, 1)
		var res *app.ImportResult
		go func() {
			var err error
			res, err = f.app.Import(ctx, admin, app.ImportRequest{Org: "acme", Kind: isms.KindAccessRemovals, Format: importer.FormatCSV, File: g})
			done <- err
		}()
		<-g.reading
		// Another import creates two of the same keys, one of them
		// identical, while the first is reading.
		mustImport(t, f.app, admin, "acme", isms.KindAccessRemovals, `person,system,employment_ended_at,access_removed_at,ticket
alice,github,2026-10-01 09:00,2026-10-02 09:00,T-1
bob,github,2026-10-05,2026-10-07,T-other
`, false)
		close(g.release)
		if err := <-done; err != nil {
			t.Fatalf("import: %v", err)
		}
		if res.Created != 1 || res.Updated != 1 || res.Unchanged != 1 {
			t.Errorf("result = %+v, want 1 created, 1 updated, 1 unchanged", res)
		}
		recs, _, err := f.app.Records(ctx, admin, "acme", isms.KindAccessRemovals, store.RecordFilter{Limit: 10})
		if err != nil || len(recs) != 3 {
			t.Fatalf("records = %d, %v", len(recs), err)
		}
		for _, r := range recs {
			if r.Texts["person"] == "bob" && r.Attributes["ticket"] != "T-2" {
				t.Errorf("bob's ticket = %q, want the later import's T-2", r.Attributes["ticket"])
			}
		}
	})
}
