package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestTimesInTheZone: an organisation in Europe/Helsinki imports an
// incident at 2026-10-20 02:10 local (2026-10-19T23:10Z). Its record page
// and the metric's drill-down show the local time, the footer names the
// zone, and the automatic deviation says the local day. A person's own
// zone overrides the organisation's, and dates typed into forms are read
// in the zone the person sees.
func TestTimesInTheZone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		ctx := context.Background()
		csv := "ref,title,severity,detected_at,action_started_at,resolved_at,root_cause\nINC-9,Night outage,critical,2026-10-20 02:10,2026-10-20 03:00,,\n"
		if _, err := a.Import(ctx, app.System, app.ImportRequest{Org: o.Slug, Kind: "incidents", Format: "csv", FileName: "i.csv", File: strings.NewReader(csv)}); err != nil {
			t.Fatalf("import: %v", err)
		}
		recs, _, err := a.Records(ctx, app.System, o.Slug, "incidents", store.RecordFilter{})
		if err != nil || len(recs) != 1 {
			t.Fatalf("records: %v, %v", recs, err)
		}
		if got := recs[0].Times["detected_at"].UTC(); !got.Equal(time.Date(2026, 10, 19, 23, 10, 0, 0, time.UTC)) {
			t.Fatalf("stored detected_at %v", got)
		}
		if _, err := a.RecomputeMetrics(ctx, o.ID); err != nil {
			t.Fatalf("recompute: %v", err)
		}
		devs, err := a.Deviations(ctx, app.System, o.Slug, "")
		if err != nil || len(devs) != 1 {
			t.Fatalf("deviations: %v, %v", devs, err)
		}
		if !strings.Contains(devs[0].OpenedReason, "detected on 2026-10-20") {
			t.Errorf("automatic deviation says %q, want the Helsinki day 2026-10-20", devs[0].OpenedReason)
		}

		c := e.signIn(t, o.users[isms.RoleISMSManager].Email)
		recPath := "/o/acme/records/incidents/" + strconv.FormatInt(recs[0].ID, 10)
		drill := "/o/acme/metrics/incident-response-start/2026-10"
		for _, path := range []string{recPath, drill} {
			r := e.do(t, c, http.MethodGet, path, nil, nil)
			if r.status != http.StatusOK || !strings.Contains(r.body, "2026-10-20 02:10") || strings.Contains(r.body, "2026-10-19 23:10") {
				t.Errorf("%s: status %d, want 2026-10-20 02:10 and not the UTC time", path, r.status)
			}
			if !strings.Contains(r.body, "times in Europe/Helsinki") {
				t.Errorf("%s: the footer does not name the zone", path)
			}
		}

		// A bad zone is refused beside the field, with what was typed.
		r := e.do(t, c, http.MethodPost, "/account/time-zone", url.Values{"time_zone": {"Mars/Olympus"}}, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="time_zone-error"`) || !strings.Contains(r.body, `value="Mars/Olympus"`) {
			t.Errorf("bad zone: status %d, want 422 with the error beside the field", r.status)
		}
		// The person's own zone overrides the organisation's.
		if r := e.do(t, c, http.MethodPost, "/account/time-zone", url.Values{"time_zone": {"America/New_York"}}, nil); r.status != http.StatusSeeOther {
			t.Fatalf("set zone: status %d", r.status)
		}
		r = e.do(t, c, http.MethodGet, recPath, nil, nil)
		if !strings.Contains(r.body, "2026-10-19 19:10") || !strings.Contains(r.body, "times in America/New_York") {
			t.Errorf("person's zone: the record page does not show 2026-10-19 19:10 in America/New_York")
		}
		// A date typed into a form is the start of that day in the zone:
		// New York (UTC-5 after 1 November), then Helsinki (UTC+2).
		for _, tc := range []struct {
			zone string
			want time.Time
		}{
			{"America/New_York", time.Date(2026, 11, 1, 4, 0, 0, 0, time.UTC)},
			{"", time.Date(2026, 10, 31, 22, 0, 0, 0, time.UTC)},
		} {
			if r := e.do(t, c, http.MethodPost, "/account/time-zone", url.Values{"time_zone": {tc.zone}}, nil); r.status != http.StatusSeeOther {
				t.Fatalf("set zone %q: status %d", tc.zone, r.status)
			}
			r := e.do(t, c, http.MethodPost, "/o/acme/deviations", url.Values{"title": {"Typed in " + tc.zone}, "kind": {"minor"},
				"source": {"complaint"}, "severity": {"low"}, "detected": {"2026-11-01"}}, nil)
			if r.status != http.StatusSeeOther {
				t.Fatalf("create deviation: status %d %s", r.status, r.body)
			}
			id, _ := strconv.ParseInt(r.location()[strings.LastIndex(r.location(), "/")+1:], 10, 64)
			v, err := a.Deviation(ctx, app.System, o.Slug, id)
			if err != nil {
				t.Fatal(err)
			}
			if got := v.Deviation.DetectedAt.UTC(); !got.Equal(tc.want) {
				t.Errorf("zone %q: 2026-11-01 stored as %v, want %v", tc.zone, got, tc.want)
			}
		}
	})
}
