package web_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
	"github.com/pdca/pdca/internal/web"
)

func init() {
	// The data the operations of issue 17 act on, for the role matrix, the
	// tenant isolation and the authentication tests.
	registerAggregate(aggregate{
		name: "api-coverage",
		fixture: func(t *testing.T, a *app.App, o *org) map[string]string {
			t.Helper()
			ctx := context.Background()
			// Two invitations: one revoke-invitation withdraws, one the reads find.
			kept, err := a.Invite(ctx, app.System, o.Slug, "invited@"+o.Slug+".example", isms.RoleAuditor)
			if err != nil {
				t.Fatal(err)
			}
			gone, err := a.Invite(ctx, app.System, o.Slug, "withdrawn@"+o.Slug+".example", isms.RoleViewer)
			if err != nil {
				t.Fatal(err)
			}
			// A token of the viewer's that revoke-token revokes: only an admin
			// may revoke another member's token.
			tok, _, err := a.CreateToken(ctx, app.System, o.Slug, o.users[isms.RoleViewer].Email, "to revoke", isms.ScopeRead)
			if err != nil {
				t.Fatal(err)
			}
			// A signed review, whose snapshot get-review-snapshot reads.
			signed := mustSignedReview(t, a, o)
			return map[string]string{"invitations.id": id(kept.ID), "revoke-invitation.id": id(gone.ID), "set-member-role.user": id(o.users[isms.RoleAdmin].ID),
				"revoke-token.id": id(tok.ID), "get-review-snapshot.id": id(signed.ID)}
		},
		bodies: map[string]jsonBody{
			"create-review":            `{"period":"2026-Q3","held_on":"2026-10-15","chair_name":"The board's chair","attendees":"The board"}`,
			"update-review":            `{"attendees":"The board","proposals":"Test the restores monthly","comments":{"metrics":"On track"}}`,
			"add-review-decision":      `{"kind":"isms_change","title":"Extend the scope to the new office"}`,
			"complete-review-decision": `{"note":"Done by a test"}`,
			"create-invitation":        `{"email":"newcomer@example.org","role":"viewer"}`,
			// The admin made admin again: a change that disturbs no other test
			// (members.user is removed by remove-member before this runs).
			"set-member-role":          `{"role":"admin"}`,
			"set-mfa-requirement":      `{"require_mfa":false}`,
			"set-date-order":           `{"date_order":"dmy"}`,
			"mark-internal-audit-held": `{"held_on":"2026-06-02"}`,
			"bulk-update-soa":          `{"controls":["A.5.1","A.5.2"],"status":"planned"}`,
		},
	})
}

// mustSignedReview prepares, holds and signs a review of 2026-Q3 held
// yesterday.
func mustSignedReview(t *testing.T, a *app.App, o *org) *isms.Review {
	t.Helper()
	ctx := context.Background()
	r := &isms.Review{Period: "2026-Q3", HeldOn: time.Now().AddDate(0, 0, -1).UTC().Truncate(24 * time.Hour), ChairID: o.users[isms.RoleManagement].ID, Attendees: "The board"}
	if err := a.CreateReview(ctx, app.System, o.Slug, r); err != nil {
		t.Fatal(err)
	}
	for _, to := range []isms.ReviewStatus{isms.ReviewHeld, isms.ReviewSigned} {
		var err error
		if r, err = a.MoveReview(ctx, app.System, o.Slug, r.ID, to); err != nil {
			t.Fatalf("review %s: %v", to, err)
		}
	}
	return r
}

// pageOperations maps each page action (a route of OrgRoutes) to the API
// operation that does the same through the API. Every route is here or in
// uiOnly, never both: a page added without either fails
// TestEveryPageActionHasAnAPIOperation.
var pageOperations = map[string]string{
	// Issue 19: record kinds of an organisation's own.
	"GET /o/{org}/record-kinds":               "list-record-kinds",
	"POST /o/{org}/record-kinds":              "create-record-kind",
	"POST /o/{org}/record-kinds/{key}/delete": "delete-record-kind",

	"GET /o/{org}/people":                "list-members",
	"POST /o/{org}/people":               "create-invitation",
	"POST /o/{org}/people/{user}/role":   "set-member-role",
	"POST /o/{org}/people/{user}/remove": "remove-member",
	// Issue 18: people in the UI.
	"POST /o/{org}/people/invitations/{id}/resend":           "resend-invitation",
	"POST /o/{org}/people/invitations/{id}/revoke":           "revoke-invitation",
	"POST /o/{org}/settings":                                 "update-org-settings",
	"GET /o/{org}/security":                                  "get-mfa-requirement",
	"POST /o/{org}/security/mfa":                             "set-mfa-requirement",
	"POST /o/{org}/settings/date-order":                      "set-date-order",
	"GET /o/{org}/tokens":                                    "list-tokens",
	"POST /o/{org}/tokens":                                   "create-token",
	"POST /o/{org}/tokens/{id}/revoke":                       "revoke-token",
	"GET /o/{org}/metrics":                                   "list-metrics",
	"GET /o/{org}/metrics/{key}":                             "list-metrics",
	"POST /o/{org}/metrics/{key}":                            "update-metric",
	"POST /o/{org}/metrics/{key}/values":                     "set-manual-value",
	"GET /o/{org}/metrics/{key}/{period}":                    "rate-metric",
	"GET /o/{org}/records":                                   "get-record-counts",
	"GET /o/{org}/records/{kind}":                            "list-records",
	"GET /o/{org}/records/{kind}/{id}":                       "get-record",
	"POST /o/{org}/records/{kind}":                           "create-record",
	"POST /o/{org}/records/{kind}/{id}":                      "update-record",
	"POST /o/{org}/records/{kind}/{id}/delete":               "delete-record",
	"POST /o/{org}/report":                                   "report-incident",
	"GET /o/{org}/report-link":                               "get-report-link",
	"POST /o/{org}/report-link":                              "rotate-report-link",
	"POST /o/{org}/report-link/disable":                      "disable-report-link",
	"POST /o/{org}/imports":                                  "import-records", // with dry_run: the preview
	"POST /o/{org}/imports/{token}/confirm":                  "import-records",
	"GET /o/{org}/import-profiles":                           "list-import-profiles",
	"POST /o/{org}/import-profiles":                          "put-import-profile",
	"POST /o/{org}/import-profiles/import":                   "import-records", // with profile
	"GET /o/{org}/import-profiles/{name}":                    "get-import-profile",
	"GET /o/{org}/import-profiles/{name}/export":             "get-import-profile",
	"POST /o/{org}/import-profiles/{name}/edit":              "put-import-profile",
	"POST /o/{org}/import-profiles/{name}/delete":            "delete-import-profile",
	"GET /o/{org}/processes":                                 "list-processes",
	"POST /o/{org}/processes":                                "create-process",
	"GET /o/{org}/processes/{id}":                            "get-process",
	"POST /o/{org}/processes/{id}":                           "update-process",
	"GET /o/{org}/cycles":                                    "list-cycles",
	"POST /o/{org}/cycles":                                   "create-cycle",
	"GET /o/{org}/cycles/{id}":                               "get-cycle",
	"GET /o/{org}/deviations":                                "list-deviations",
	"POST /o/{org}/deviations":                               "create-deviation",
	"POST /o/{org}/deviations/settings":                      "set-deviation-settings",
	"GET /o/{org}/deviations/{id}":                           "get-deviation",
	"POST /o/{org}/deviations/{id}/assign":                   "assign-deviation",
	"POST /o/{org}/deviations/{id}/correction":               "record-deviation-correction",
	"POST /o/{org}/deviations/{id}/root-cause":               "record-deviation-root-cause",
	"POST /o/{org}/deviations/{id}/actions":                  "add-corrective-action",
	"POST /o/{org}/deviations/{id}/actions/{aid}/done":       "complete-corrective-action",
	"GET /o/{org}/deviations/{id}/actions/{aid}/evidence":    "download-action-evidence",
	"POST /o/{org}/deviations/{id}/check":                    "record-effectiveness-check",
	"POST /o/{org}/deviations/{id}/analyse":                  "deviation-analyse",
	"POST /o/{org}/deviations/{id}/plan":                     "deviation-plan",
	"POST /o/{org}/deviations/{id}/start":                    "deviation-start",
	"POST /o/{org}/deviations/{id}/verify":                   "deviation-verify",
	"POST /o/{org}/deviations/{id}/close":                    "deviation-close",
	"POST /o/{org}/deviations/{id}/reopen":                   "deviation-reopen",
	"POST /o/{org}/deviations/{id}/close-observation":        "deviation-close-observation",
	"GET /o/{org}/audits":                                    "list-internal-audits",
	"POST /o/{org}/audits":                                   "create-internal-audit",
	"GET /o/{org}/audits/{id}":                               "get-internal-audit",
	"POST /o/{org}/audits/{id}/held":                         "mark-internal-audit-held",
	"POST /o/{org}/audits/{id}/findings":                     "raise-audit-finding",
	"POST /o/{org}/audits/{id}/findings/{fid}/close":         "close-audit-finding",
	"GET /o/{org}/risks":                                     "list-risks",
	"POST /o/{org}/risks":                                    "create-risk",
	"POST /o/{org}/risks/intervals":                          "set-risk-intervals",
	"GET /o/{org}/risks/{id}":                                "get-risk",
	"POST /o/{org}/risks/{id}":                               "update-risk",
	"POST /o/{org}/risks/{id}/reassess":                      "reassess-risk",
	"GET /o/{org}/soa":                                       "list-soa",
	"GET /o/{org}/soa.csv":                                   "download-export", // statement-of-applicability.csv
	"GET /o/{org}/soa.xlsx":                                  "download-export",
	"GET /o/{org}/soa/{control}":                             "get-soa-control",
	"POST /o/{org}/soa/{control}":                            "update-soa-control",
	"POST /o/{org}/soa/bulk":                                 "bulk-update-soa",
	"POST /o/{org}/soa/import":                               "import-soa", // with dry_run: the preview
	"POST /o/{org}/soa/import/confirm":                       "import-soa",
	"GET /o/{org}/notifications":                             "list-due-items",
	"POST /o/{org}/notifications":                            "set-notification-prefs",
	"POST /o/{org}/notifications/settings":                   "set-reminder-settings",
	"GET /o/{org}/exports":                                   "list-exports",
	"GET /o/{org}/exports/bundle.zip":                        "download-evidence-bundle",
	"GET /o/{org}/exports/poam.json":                         "download-poam",
	"GET /o/{org}/exports/{file}":                            "download-export",
	"GET /o/{org}/reviews":                                   "list-reviews",
	"POST /o/{org}/reviews":                                  "create-review",
	"GET /o/{org}/reviews/{id}":                              "get-review",
	"GET /o/{org}/reviews/{id}/pack.pdf":                     "download-review-pack",
	"POST /o/{org}/reviews/{id}":                             "update-review",
	"POST /o/{org}/reviews/{id}/hold":                        "hold-review",
	"POST /o/{org}/reviews/{id}/reopen":                      "reopen-review",
	"POST /o/{org}/reviews/{id}/sign":                        "sign-review",
	"POST /o/{org}/reviews/{id}/decisions":                   "add-review-decision",
	"POST /o/{org}/reviews/{id}/decisions/{action}/done":     "complete-review-decision",
	"GET /o/{org}/audit":                                     "list-audit-events",
	"GET /o/{org}/audit.csv":                                 "download-export", // audit-trail.csv
	"GET /o/{org}/webhooks":                                  "list-webhooks",
	"POST /o/{org}/webhooks":                                 "create-webhook",
	"GET /o/{org}/webhooks/{id}":                             "get-webhook",
	"POST /o/{org}/webhooks/{id}/enable":                     "set-webhook-active",
	"POST /o/{org}/webhooks/{id}/disable":                    "set-webhook-active",
	"POST /o/{org}/webhooks/{id}/delete":                     "delete-webhook",
	"POST /o/{org}/webhooks/{id}/deliveries/{did}/redeliver": "redeliver-webhook",
	// Issue 19: the register of each framework ({key}.csv and {key}.xlsx
	// are the register route's exports of the same rows).
	"GET /o/{org}/frameworks":                "list-frameworks",
	"POST /o/{org}/frameworks/{key}/enable":  "enable-framework",
	"POST /o/{org}/frameworks/{key}/disable": "disable-framework",
	"GET /o/{org}/frameworks/{key}":          "list-framework-requirements",
	"GET /o/{org}/frameworks/{key}/r/{req}":  "get-framework-requirement",
	"POST /o/{org}/frameworks/{key}/r/{req}": "update-framework-requirement",
	// Issue 18: documents.
	"GET /o/{org}/documents":                              "list-documents",
	"POST /o/{org}/documents":                             "create-document",
	"GET /o/{org}/documents/{id}":                         "get-document",
	"POST /o/{org}/documents/{id}":                        "update-document",
	"POST /o/{org}/documents/{id}/draft":                  "put-document-draft",
	"POST /o/{org}/documents/{id}/file":                   "put-document-draft", // the file in base64
	"POST /o/{org}/documents/{id}/links":                  "add-document-link",
	"POST /o/{org}/documents/{id}/retire":                 "retire-document",
	"GET /o/{org}/documents/{id}/versions/{vid}":          "get-document-version",
	"GET /o/{org}/documents/{id}/versions/{vid}/file":     "download-document-file",
	"GET /o/{org}/documents/{id}/versions/{vid}/pdf":      "download-document-pdf",
	"POST /o/{org}/documents/{id}/versions/{vid}/submit":  "submit-document-version",
	"POST /o/{org}/documents/{id}/versions/{vid}/approve": "approve-document-version",
	"POST /o/{org}/documents/{id}/versions/{vid}/reject":  "reject-document-version",
	// Issue 18: acknowledgement of policies.
	"GET /o/{org}/acknowledgements":                     "list-acknowledgements",
	"GET /o/{org}/acknowledgements/register":            "list-acknowledgements",
	"GET /o/{org}/acknowledgements/versions/{vid}":      "get-acknowledgement-version",
	"POST /o/{org}/acknowledgements/versions/{vid}":     "acknowledge-document-version",
	"GET /o/{org}/acknowledgements/versions/{vid}/file": "download-acknowledgement-file",
	"POST /o/{org}/documents/{id}/publish":              "publish-document-version",
	// Issue 18: My work.
	"GET /o/{org}/my-work":                  "list-my-work",
	"POST /o/{org}/my-work/calendar":        "rotate-calendar-feed",
	"POST /o/{org}/my-work/calendar/revoke": "revoke-calendar-feed",
	// Issue 19: importing frameworks and mappings.
	"POST /o/{org}/frameworks/import":          "import-framework",
	"POST /o/{org}/frameworks/mappings/import": "import-mappings",
	// Issue 19: standards as tags.
	"POST /o/{org}/standards/{entity}/{id}": "set-standards",
}

// uiOnly lists the page routes with no API operation of their own, and
// why: forms and confirmation steps of a browser, and pages that only
// arrange what operations already give.
var uiOnly = map[string]string{
	// Issue 19: record kinds of an organisation's own.
	"GET /o/{org}/record-kinds/{key}/delete": "the confirmation page before deleting a record kind",

	"GET /o/{org}/{$}":                           "the dashboard arranges rate-metrics, get-deviation-stats, get-risk-stats and list-due-items on one page",
	"GET /o/{org}/people/{user}/remove":          "the confirmation step before removing a member",
	"GET /o/{org}/records/{kind}/new":            "the empty form for a new record",
	"GET /o/{org}/records/{kind}/{id}/edit":      "the form to edit a record (get-record gives its fields)",
	"GET /o/{org}/records/{kind}/{id}/delete":    "the confirmation step before deleting a record",
	"GET /o/{org}/report":                        "the form to report an incident",
	"GET /o/{org}/report/done":                   "the receipt page after a report (report-incident answers with the receipt)",
	"POST /o/{org}/import-profiles/new":          "the wizard step that reads a sample file to propose a mapping; the API takes the mapping itself (put-import-profile)",
	"GET /o/{org}/import-profiles/{name}/edit":   "the form to edit an import profile",
	"GET /o/{org}/import-profiles/{name}/delete": "the confirmation step before deleting an import profile",
	"GET /o/{org}/processes/new":                 "the empty form for a new process",
	"GET /o/{org}/deviations/new":                "the empty form for a new deviation",
	"GET /o/{org}/audits/{id}/report":            "the printable HTML report of an internal audit, arranged from get-internal-audit",
	"GET /o/{org}/soa/import":                    "the upload form for SoA decisions",
	"GET /o/{org}/webhooks/{id}/delete":          "the confirmation step before deleting a webhook subscription",
	// Issue 19: the register of each framework.
	"GET /o/{org}/frameworks/{key}/disable": "the confirmation step before disabling a framework",
	// Issue 18: documents.
	"GET /o/{org}/documents/new":         "the empty form for a new document",
	"GET /o/{org}/documents/{id}/draft":  "the editor and upload form for a draft (get-document-version gives the text)",
	"GET /o/{org}/documents/{id}/retire": "the confirmation step before retiring a document",
	// Issue 18: acknowledgement of policies.
	"GET /o/{org}/documents/{id}/publish": "the form to choose the audience (publish-document-version takes it)",
	// Issue 18: people in the UI.
	"GET /o/{org}/people/invitations/{id}/revoke": "the confirmation step before revoking an invitation",
	"GET /o/{org}/settings":                       "the settings form; get-org gives the name and time zone, get-date-order and get-mfa-requirement the rest",
	// Issue 19: importing frameworks and mappings.
	"GET /o/{org}/frameworks/import":          "the upload form for a framework's catalogue",
	"GET /o/{org}/frameworks/mappings/import": "the upload form for mappings between frameworks",
}

// TestEveryPageActionHasAnAPIOperation walks the page routes: each must
// map to an API operation of the OpenAPI document or be declared UI-only
// with a reason, and neither table may name a route that is gone.
func TestEveryPageActionHasAnAPIOperation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := startServer(t, newApp(t, db), nil)
		ops := map[string]bool{}
		for _, op := range apiOps(t, e.srv) {
			ops[op.OperationID] = true
		}
		routes := map[string]bool{}
		for _, rt := range e.srv.OrgRoutes() {
			routes[rt.Pattern] = true
			opID, mapped := pageOperations[rt.Pattern]
			reason, ui := uiOnly[rt.Pattern]
			switch {
			case mapped && ui:
				t.Errorf("%s is both mapped to %s and UI-only: keep one", rt.Pattern, opID)
			case mapped && !ops[opID]:
				t.Errorf("%s maps to %s, which the OpenAPI document lacks", rt.Pattern, opID)
			case ui && strings.TrimSpace(reason) == "":
				t.Errorf("%s is UI-only without a reason", rt.Pattern)
			case !mapped && !ui:
				t.Errorf("page action %s has no API operation: add one (api_*.go) and map it in pageOperations, or declare it in uiOnly with a reason", rt.Pattern)
			}
		}
		for _, table := range []map[string]string{pageOperations, uiOnly} {
			for p := range table {
				if !routes[p] {
					t.Errorf("%s is in a table of %s but is no page route: remove it", p, "api_coverage_test.go")
				}
			}
		}
		// Every operation declares its action (the role matrix reads it).
		for id := range ops {
			if _, ok := web.APIAction(id); !ok {
				t.Errorf("operation %s declares no action in apiActions", id)
			}
		}
	})
}

// TestPageAndAPIActionsAgree checks that a page action and its API
// operation need the same right, except where the table says why not.
func TestPageAndAPIActionsAgree(t *testing.T) {
	t.Parallel()
	// Pairs that differ, and why.
	differ := map[string]string{
		"GET /o/{org}/security":            "the page is an admin's form; whether a second factor is required is no secret to members (RequireMFA needs read)",
		"GET /o/{org}/tokens":              "the page is for those who may make tokens; list-tokens lists each caller's own, which anyone may read",
		"POST /o/{org}/tokens/{id}/revoke": "revoke-token declares the right over another member's token (manage_members); one's own needs manage_tokens, as on the page",
		"GET /o/{org}/audit.csv":           "download-export needs read, and the audit-trail register read_audit, checked by RegisterFile",
		// Issue 18: acknowledgement of policies.
		"GET /o/{org}/acknowledgements/register": "the page is the whole register (read_audit); list-acknowledgements gives anyone their own requests and the register to read_audit",
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := startServer(t, newApp(t, db), nil)
		for _, rt := range e.srv.OrgRoutes() {
			opID, ok := pageOperations[rt.Pattern]
			if !ok {
				continue
			}
			act, _ := web.APIAction(opID)
			if act != rt.Action && differ[rt.Pattern] == "" {
				t.Errorf("%s needs %s, its operation %s needs %s: make them agree or say why in differ", rt.Pattern, rt.Action, opID, act)
			}
		}
	})
}

// TestAPIDocListsEveryOperation checks that docs/api.md names every
// operation of the OpenAPI document.
func TestAPIDocListsEveryOperation(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "api.md"))
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := startServer(t, newApp(t, db), nil)
		for _, op := range apiOps(t, e.srv) {
			if !strings.Contains(string(doc), "`"+op.OperationID+"`") {
				t.Errorf("docs/api.md does not list operation %s (%s %s)", op.OperationID, op.Method, op.Path)
			}
		}
	})
}

// apiCoverageOps is the operations of issue 17, to keep them apart in
// failures of the generated tests.
var apiCoverageOps = []string{"list-reviews", "get-review", "create-review", "update-review", "hold-review", "reopen-review", "sign-review",
	"add-review-decision", "complete-review-decision", "download-review-pack", "get-review-snapshot", "list-exports", "download-export",
	"download-evidence-bundle", "download-poam", "download-action-evidence", "list-invitations", "get-invitation", "create-invitation",
	"revoke-invitation", "set-member-role", "revoke-token", "get-mfa-requirement", "set-mfa-requirement", "get-date-order", "set-date-order",
	"get-report-link", "rotate-report-link", "disable-report-link", "mark-internal-audit-held", "bulk-update-soa", "get-record-counts"}

// TestAPICoverageOperationsConventions checks the conventions of the
// operations of issue 17: a kebab-case id, a summary, a description,
// tags, the 4xx they answer, and a Location on every 201.
func TestAPICoverageOperationsConventions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := startServer(t, newApp(t, db), nil)
		seen := map[string]bool{}
		for _, op := range apiOps(t, e.srv) {
			if !slices.Contains(apiCoverageOps, op.OperationID) {
				continue
			}
			seen[op.OperationID] = true
			if op.Summary == "" || op.Description == "" || len(op.Tags) == 0 {
				t.Errorf("%s: summary %q, description %q, tags %v: give all three", op.OperationID, op.Summary, op.Description, op.Tags)
			}
			if _, ok := op.Responses["404"]; !ok {
				t.Errorf("%s declares no 404 (another organisation's or a missing one)", op.OperationID)
			}
			if r, ok := op.Responses["201"]; ok {
				if _, ok := r.Headers["Location"]; !ok {
					t.Errorf("%s answers 201 without a Location header", op.OperationID)
				}
			}
			if op.Method != http.MethodGet {
				if _, ok := op.Responses["403"]; !ok {
					t.Errorf("%s changes something and declares no 403", op.OperationID)
				}
			}
		}
		for _, id := range apiCoverageOps {
			if !seen[id] {
				t.Errorf("operation %s is not in the OpenAPI document", id)
			}
		}
	})
}
