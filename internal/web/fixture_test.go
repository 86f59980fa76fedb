package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// password is every test person's password.
const password = "correct horse battery"

// org is an organisation with one member per role.
type org struct {
	*isms.Organization
	users map[isms.Role]*isms.User
}

// mustOrg creates an organisation and one person per role, with emails
// <role>@<slug>.example.
func mustOrg(t *testing.T, a *app.App, slug, name string) *org {
	t.Helper()
	ctx := context.Background()
	o := &org{Organization: &isms.Organization{Slug: slug, Name: name, TimeZone: "Europe/Helsinki"}, users: map[isms.Role]*isms.User{}}
	if err := a.CreateOrg(ctx, app.System, o.Organization); err != nil {
		t.Fatalf("create org %s: %v", slug, err)
	}
	// Test organisations have existed since 2020, so the periods the tests
	// rate are rated (periods before an organisation existed are not).
	since := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := a.DB.Write(ctx, func(tx *store.Tx) error { return tx.BackdateOrg(ctx, o.ID, since) }); err != nil {
		t.Fatalf("backdate org %s: %v", slug, err)
	}
	o.CreatedAt = since
	for _, r := range isms.Roles() {
		// Names are words ("The isms manager"): pages show names, and a
		// role id in one would read as a raw identifier (TestNoRawIdentifiers).
		u := &isms.User{Email: string(r) + "@" + slug + ".example", Name: "The " + strings.ReplaceAll(string(r), "_", " ")}
		if err := a.CreateUser(ctx, app.System, u, password); err != nil {
			t.Fatalf("create user: %v", err)
		}
		if _, err := a.AddMember(ctx, app.System, slug, u.Email, r); err != nil {
			t.Fatalf("add member: %v", err)
		}
		o.users[r] = u
	}
	return o
}

// mustToken creates an API token for the member with the role.
func mustToken(t *testing.T, a *app.App, o *org, role isms.Role, scope isms.TokenScope) (*isms.Token, string) {
	t.Helper()
	tok, secret, err := a.CreateToken(context.Background(), app.System, o.Slug, o.users[role].Email, string(role)+" "+string(scope), scope)
	if err != nil {
		t.Fatalf("create token: %v", err)
	}
	return tok, secret
}

// incidentsCSV is a file of two incidents of October 2026, the first one
// critical and acted on within 4 h; its title names the organisation.
func incidentsCSV(orgName string) string {
	return "ref,title,severity,detected_at,action_started_at,resolved_at,root_cause\n" +
		"INC-1,Phishing at " + orgName + ",critical,2026-10-01 08:00,2026-10-01 09:30,,\n" +
		"INC-2,Outage,high,2026-10-05 10:00,2026-10-05 11:00,2026-10-06,expired certificate\n"
}

// Values of the record and metric wildcards that exist in every
// organisation with mustRecords' data.
const (
	recordKind   = "incidents"
	metricKey    = "incident-response-start"
	metricPeriod = "2026-10"
)

// mustRecords imports incidentsCSV into the organisation and returns the
// id of INC-1.
func mustRecords(t *testing.T, a *app.App, o *org) int64 {
	t.Helper()
	ctx := context.Background()
	_, err := a.Import(ctx, app.System, app.ImportRequest{Org: o.Slug, Kind: recordKind, Format: "csv", FileName: "incidents.csv", File: strings.NewReader(incidentsCSV(o.Name))})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	recs, _, err := a.Records(ctx, app.System, o.Slug, recordKind, store.RecordFilter{Query: "INC-1", Limit: 10})
	if err != nil || len(recs) != 1 {
		t.Fatalf("records: %v, %v", recs, err)
	}
	return recs[0].ID
}

// uploadToken uploads incidents for preview as the client and returns the
// upload's token from the confirm form.
func (e *env) uploadToken(t *testing.T, c *http.Client, slug string) string {
	t.Helper()
	r := e.do(t, c, http.MethodPost, "/o/"+slug+"/imports", formFor("POST /o/{org}/imports", nil), nil)
	m := regexp.MustCompile(`/imports/([^/"]+)/confirm`).FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil {
		t.Fatalf("upload: %d, no confirm form:\n%s", r.status, r.body)
	}
	return m[1]
}

func id(n int64) string { return strconv.FormatInt(n, 10) }
