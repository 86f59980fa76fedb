package app_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

func input(v *app.ReviewView, key string) *app.ReviewInput {
	for i := range v.Inputs {
		if v.Inputs[i].Key == key {
			return &v.Inputs[i]
		}
	}
	return nil
}

// TestQuarterReviewRatesCompleteMonths: a review of 2026-Q4 prepared on
// 2026-12-04 rates October and November (December has not ended), so
// October's red access removals count; before issue 14 it rated December
// alone, without data, and the quarter's red metric did not appear.
func TestQuarterReviewRatesCompleteMonths(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		hel, _ := time.LoadLocation("Europe/Helsinki")
		db.Now = func() time.Time { return time.Date(2026, 12, 4, 10, 0, 0, 0, hel) }
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		mgr, boss := f.members[isms.RoleISMSManager], f.members[isms.RoleManagement]
		mustImport(t, f.app, mgr, "acme", isms.KindAccessRemovals, "person,system,employment_ended_at,access_removed_at\n"+
			"ann,ad,2026-10-05 17:00,2026-10-09 09:00\nbob,ad,2026-11-05 17:00,2026-11-05 18:00\n", false)
		r := &isms.Review{Period: "2026-Q4", HeldOn: time.Date(2026, 12, 4, 0, 0, 0, 0, hel), ChairID: boss.UserID}
		if err := f.app.CreateReview(ctx, mgr, "acme", r); err != nil {
			t.Fatal(err)
		}
		v, err := f.app.Review(ctx, mgr, "acme", r.ID)
		if err != nil {
			t.Fatal(err)
		}
		in := input(v, "metrics")
		periods := map[string]string{}
		for _, row := range in.Rows {
			if strings.HasPrefix(row[0], "Access removed") {
				periods[row[1]] = row[3]
			}
			if row[1] == "December 2026" {
				t.Errorf("December is rated before it ended: %v", row)
			}
		}
		if periods["October 2026"] != "red" || periods["November 2026"] != "green" || len(periods) != 2 {
			t.Errorf("access removals rated %v, want October red and November green", periods)
		}
		if in.Status != "red" || !strings.HasPrefix(in.Summary, "1 red") {
			t.Errorf("metrics input %s: %q", in.Status, in.Summary)
		}
		for _, want := range []string{"Rated: October 2026 and November 2026", "December 2026 (ends 2026-12-31)", "2026-Q4 (ends 2026-12-31)"} {
			if !strings.Contains(in.Note, want) {
				t.Errorf("note %q lacks %q", in.Note, want)
			}
		}
		for _, tr := range in.Trends {
			if got := fmt.Sprint(tr.Rated); tr.Key == "access-removal" && got != "[2026-10 2026-11]" {
				t.Errorf("trend rates %s", got)
			}
		}
	})
}

// TestReviewDeviationCountsAgree: "N deviations open during 2026-Q3"
// equals the rows listed, and the root-cause input counts the same list
// (before issue 14 it said 0 beside 13 rows).
func TestReviewDeviationCountsAgree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC) }
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		mgr, boss := f.members[isms.RoleISMSManager], f.members[isms.RoleManagement]
		mustImport(t, f.app, mgr, "acme", isms.KindDeviations, "ref,title,source,severity,detected_at,closed_at\n"+
			"DEV-1,Before and still open,metric,high,2026-05-05T08:00:00Z,\n"+ // open during
			"DEV-2,Closed before Q3,audit,low,2026-05-05T08:00:00Z,2026-06-20T08:00:00Z\n"+ // not
			"DEV-3,Opened and closed in Q3,audit,low,2026-07-05T08:00:00Z,2026-08-01T08:00:00Z\n"+ // open during
			"DEV-4,Closed on the first day of Q3,audit,low,2026-06-05T08:00:00Z,2026-07-01T08:00:00Z\n"+ // open during
			"DEV-5,After Q3,audit,low,2026-10-05T08:00:00Z,\n", false) // not
		r := &isms.Review{Period: "2026-Q3", HeldOn: time.Date(2026, 10, 10, 0, 0, 0, 0, time.UTC), ChairID: boss.UserID}
		if err := f.app.CreateReview(ctx, mgr, "acme", r); err != nil {
			t.Fatal(err)
		}
		v, err := f.app.Review(ctx, mgr, "acme", r.ID)
		if err != nil {
			t.Fatal(err)
		}
		dev, causes := input(v, "deviations"), input(v, "root-causes")
		var refs []string
		for _, row := range dev.Rows {
			refs = append(refs, row[0])
		}
		if got := strings.Join(refs, " "); got != "DEV-1 DEV-4 DEV-3" {
			t.Errorf("deviations open during 2026-Q3: %s", got)
		}
		if !strings.HasPrefix(dev.Summary, fmt.Sprintf("%d deviations open during 2026-Q3: 1 detected in it, 2 closed in it, 1 still open at its end", len(dev.Rows))) {
			t.Errorf("summary %q does not count its %d rows", dev.Summary, len(dev.Rows))
		}
		if !strings.HasPrefix(causes.Summary, fmt.Sprintf("Of the %d deviations open during 2026-Q3, 0 are worked in pdca", len(dev.Rows))) {
			t.Errorf("root causes: %q", causes.Summary)
		}
	})
}

// TestReviewMeetingDates: a review dated after today cannot be marked held
// nor signed (so no signing before the meeting), nor moved to a future
// date once held; a chair without an account works and signs the pack.
func TestReviewMeetingDates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		mgr, boss := f.members[isms.RoleISMSManager], f.members[isms.RoleManagement]
		r := &isms.Review{Period: "2026-Q4", HeldOn: time.Date(2026, 12, 18, 0, 0, 0, 0, time.UTC), ChairName: "Harri Hallitus", ChairRole: "Chair of the board",
			Signatories: "Cecilia Virtanen (CEO)", Attendees: "Harri Hallitus (Chair of the board), Cecilia Virtanen (CEO), Ilona (ISMS manager)"}
		if err := f.app.CreateReview(ctx, mgr, "acme", r); err != nil {
			t.Fatalf("a chair without an account: %v", err)
		}
		if _, err := f.app.MoveReview(ctx, mgr, "acme", r.ID, isms.ReviewHeld); isms.ErrorCode(err) != isms.EINVALID || !strings.HasPrefix(isms.ErrorMessage(err), "date: ") {
			t.Fatalf("held before the meeting day: %v", err)
		}
		now = time.Date(2026, 12, 18, 8, 0, 0, 0, time.UTC)
		if _, err := f.app.MoveReview(ctx, mgr, "acme", r.ID, isms.ReviewHeld); err != nil {
			t.Fatal(err)
		}
		e := app.ReviewEdit{HeldOn: time.Date(2026, 12, 28, 0, 0, 0, 0, time.UTC), ChairName: "Harri Hallitus", ChairRole: "Chair of the board", Signatories: r.Signatories, Attendees: r.Attendees}
		if err := f.app.UpdateReview(ctx, mgr, "acme", r.ID, e); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("a held review dated in the future: %v", err)
		}
		signed, err := f.app.MoveReview(ctx, boss, "acme", r.ID, isms.ReviewSigned)
		if err != nil {
			t.Fatal(err)
		}
		if !signed.HeldOn.Before(*signed.SignedAt) || signed.ChairName != "Harri Hallitus" || signed.ChairID != 0 {
			t.Errorf("signed review: held %s, signed %s, chair %q %d", signed.HeldOn, signed.SignedAt, signed.ChairName, signed.ChairID)
		}
		if _, err := f.app.MoveReview(ctx, mgr, "acme", r.ID, isms.ReviewHeld); isms.ErrorCode(err) != isms.ECONFLICT {
			t.Errorf("held after it was signed: %v", err)
		}
		var pdf bytes.Buffer
		if err := f.app.ReviewPDF(ctx, mgr, "acme", r.ID, &pdf); err != nil {
			t.Fatal(err)
		}
		pages := pdfPages(t, pdf.Bytes())
		last := strings.Join(strings.Fields(pages[len(pages)-1]), " ")
		for _, want := range []string{"Signatures", "Harri Hallitus", "Chair, Chair of the board", "Cecilia Virtanen", "CEO", "Date:", "Signature"} {
			if !strings.Contains(last, want) {
				t.Errorf("the last page lacks %q:\n%s", want, last)
			}
		}
		if first := strings.Join(strings.Fields(pages[0]), " "); !strings.Contains(first, "Chair: Harri Hallitus (Chair of the board)") || !strings.Contains(first, "Signed in pdca on 2026-12-18 10:00 EET") {
			t.Errorf("page one:\n%s", first)
		}
	})
}

func pdfPages(t *testing.T, pdf []byte) []string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "pack.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils): %v", err)
	}
	return strings.Split(strings.TrimRight(string(out), "\f\n"), "\f")
}
