package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestEveryDownloadIsAudited requests every download route and checks that each left an export.download event
// carrying the SHA-256 of the bytes served. A download route added later
// without a case here fails the test.
func TestEveryDownloadIsAudited(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		admin := o.users[isms.RoleAdmin]
		ap := app.Principal{UserID: admin.ID, Label: admin.Email}
		r := &isms.Review{Period: "2026-Q3", HeldOn: time.Date(2026, 10, 10, 0, 0, 0, 0, time.UTC), ChairID: admin.ID}
		if err := a.CreateReview(ctx, ap, "acme", r); err != nil {
			t.Fatal(err)
		}
		d, err := a.CreateDeviation(ctx, ap, "acme", app.DeviationInput{Title: "Late removal", Kind: "minor", Source: "complaint", Severity: "low"})
		if err != nil {
			t.Fatal(err)
		}
		if d, err = a.AddCorrectiveAction(ctx, ap, "acme", d.ID, app.ActionInput{Title: "Daily feed", DueAt: time.Now().AddDate(0, 1, 0)}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.CompleteAction(ctx, ap, "acme", d.ID, d.Actions[0].ID, "done", &store.EvidenceFile{Name: "proof.txt", Content: []byte("proof")}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		downloads := map[string]string{ // route pattern: a path and the kind recorded
			"GET /o/{org}/exports/{file}":                         "/o/acme/exports/processes.xlsx processes",
			"GET /o/{org}/exports/bundle.zip":                     "/o/acme/exports/bundle.zip evidence-bundle",
			"GET /o/{org}/exports/poam.json":                      "/o/acme/exports/poam.json poam",
			"GET /o/{org}/soa.csv":                                "/o/acme/soa.csv statement-of-applicability",
			"GET /o/{org}/soa.xlsx":                               "/o/acme/soa.xlsx statement-of-applicability",
			"GET /o/{org}/audit.csv":                              "/o/acme/audit.csv audit-trail",
			"GET /o/{org}/reviews/{id}/pack.pdf":                  "/o/acme/reviews/" + id(r.ID) + "/pack.pdf review-pack",
			"GET /o/{org}/deviations/{id}/actions/{aid}/evidence": "/o/acme/deviations/" + id(d.ID) + "/actions/" + id(d.Actions[0].ID) + "/evidence action-evidence",
		}
		for _, rt := range e.srv.OrgRoutes() {
			p := rt.Pattern
			if strings.HasPrefix(p, "GET ") && (strings.Contains(p, "/exports/") || strings.Contains(p, "evidence") || strings.Contains(p, ".csv") ||
				strings.Contains(p, ".xlsx") || strings.Contains(p, ".pdf") || strings.Contains(p, ".zip") || strings.Contains(p, ".json")) {
				if _, ok := downloads[p]; !ok {
					t.Errorf("download route %s has no audit case here", p)
				}
			}
		}
		// Pages take sessions only; the API's downloads (issue 17) are
		// checked the same way by TestAPIDownloadsAreAudited.
		web := e.signIn(t, admin.Email)
		for pattern, c := range downloads {
			path, kind, _ := strings.Cut(c, " ")
			{
				client, via := web, "web"
				res := e.do(t, client, http.MethodGet, path, nil, nil)
				if res.status != http.StatusOK {
					t.Errorf("%s via %s: %d", pattern, via, res.status)
					continue
				}
				es, err := a.Events(ctx, app.System, "acme", store.EventFilter{Action: "export.download", Limit: 1})
				if err != nil || len(es) != 1 {
					t.Fatalf("%s: events %v %v", pattern, es, err)
				}
				var x app.ExportInfo
				_ = json.Unmarshal([]byte(es[0].After), &x)
				sum := sha256.Sum256([]byte(res.body))
				if x.Kind != kind || x.Via != via || x.SHA256 != hex.EncodeToString(sum[:]) || x.Bytes != int64(len(res.body)) || !strings.HasPrefix(es[0].Actor, admin.Email) {
					t.Errorf("%s via %s: event %s by %s", pattern, via, es[0].After, es[0].Actor)
				}
			}
		}
	})
}
