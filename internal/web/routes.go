package web

import (
	"io/fs"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pdca/pdca/internal/app"

	"github.com/pdca/pdca/internal/isms"
)

// routes lists every route of pdca on one screen. Pages under /o/{org}/
// check membership and role through inOrg; the API under /api/v1 is
// registered with huma (api_*.go) and checks them in package app.
func (s *Server) routes() {
	static, _ := fs.Sub(staticFS, "static")
	mux := http.NewServeMux()

	// Operations.
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /readyz", s.handleReadyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /favicon.ico", s.handleFavicon)

	// Sign-in.
	mux.HandleFunc("GET /{$}", s.handleRoot)
	mux.HandleFunc("GET /signin", s.handleSigninForm)
	mux.HandleFunc("POST /signin", s.handleSignin)
	mux.HandleFunc("POST /signout", s.handleSignout)
	mux.HandleFunc("GET /auth/oidc/start", s.handleOIDCStart)
	mux.HandleFunc("GET /auth/oidc/callback", s.handleOIDCCallback)
	mux.HandleFunc("GET /account", s.signedIn(s.handleAccount))
	mux.HandleFunc("POST /account/password", s.signedIn(s.handleAccountPassword))
	mux.HandleFunc("POST /account/time-zone", s.signedIn(s.handleAccountTimeZone))
	// Second factor (issue 13).
	mux.HandleFunc("GET /signin/code", s.handleSigninCodeForm)
	mux.HandleFunc("POST /signin/code", s.handleSigninCode)
	mux.HandleFunc("GET /account/mfa", s.signedIn(s.handleMFAForm))
	mux.HandleFunc("POST /account/mfa", s.signedIn(s.handleMFAEnable))
	mux.HandleFunc("POST /account/mfa/disable", s.signedIn(s.handleMFADisable))
	mux.HandleFunc("POST /account/passkeys/options", s.signedIn(s.handlePasskeyRegisterOptions))
	mux.HandleFunc("POST /account/passkeys", s.signedIn(s.handlePasskeyRegister))
	mux.HandleFunc("POST /account/passkeys/{id}/delete", s.signedIn(s.handlePasskeyRemove))
	mux.HandleFunc("POST /signin/passkey/options", s.handlePasskeySigninOptions)
	mux.HandleFunc("POST /signin/passkey", s.handlePasskeySignin)
	mux.HandleFunc("GET /orgs", s.signedIn(s.handleOrgs))
	mux.HandleFunc("POST /invitations/{id}/accept", s.signedIn(s.handleInvitationAnswer(true)))
	mux.HandleFunc("POST /invitations/{id}/decline", s.signedIn(s.handleInvitationAnswer(false)))
	// Issue 18: people in the UI: invitation links (public: the token is
	// the proof) and password reset by email.
	mux.HandleFunc("GET /invitations/{token}", s.handleInvitationLink)
	mux.HandleFunc("POST /invitations/{token}", s.signedIn(s.handleInvitationLinkAnswer))
	mux.HandleFunc("POST /invitations/{token}/join", s.handleInvitationJoin)
	mux.HandleFunc("GET /signin/forgot", s.handleForgotForm)
	mux.HandleFunc("POST /signin/forgot", s.handleForgot)
	mux.HandleFunc("GET /signin/reset/{token}", s.handleResetForm)
	mux.HandleFunc("POST /signin/reset/{token}", s.handleReset)
	mux.HandleFunc("GET /orgs/new", s.signedIn(s.handleOrgNew))
	mux.HandleFunc("POST /orgs/new", s.signedIn(s.handleOrgCreate))

	// Reporting an incident through an organisation's public link, without
	// signing in (issue 15).
	mux.HandleFunc("GET /report/{token}", s.handlePublicReportForm)
	mux.HandleFunc("POST /report/{token}", s.handlePublicReport)

	// Issue 18: My work. A person's private calendar feed, read by
	// calendar applications without a session (GET /calendar/{token}.ics).
	mux.HandleFunc("GET /calendar/{file}", s.handleCalendarFeed)

	// Inside an organisation: every page is listed in orgRoutes.
	for _, rt := range s.orgRoutes() {
		mux.HandleFunc(rt.Pattern, s.inOrg(rt.Action, rt.Handler))
	}

	// JSON API: huma registers on its own mux, behind authentication.
	apiMux := http.NewServeMux()
	s.mux = apiMux
	s.api = s.newAPI()
	s.apiOrgRoutes(s.api)
	s.apiMemberRoutes(s.api)
	s.apiTokenRoutes(s.api)
	s.apiMetricRoutes(s.api)
	s.apiRecordRoutes(s.api)
	s.apiRecordKindRoutes(s.api) // Issue 19: record kinds of an organisation's own.
	s.apiRecordEntryRoutes(s.api)
	// Import profiles (issue 15).
	s.apiProfileRoutes(s.api)
	// Processes and improvement cycles (issue 4).
	s.apiProcessRoutes(s.api)
	// Deviations, corrective actions, internal audits (issue 5).
	s.apiDeviationRoutes(s.api)
	s.apiInternalAuditRoutes(s.api)
	// Risks and the Statement of Applicability (issue 5).
	s.apiRiskRoutes(s.api)
	s.apiSoARoutes(s.api)
	s.apiFrameworkRoutes(s.api) // Issue 19: the register of each framework
	// Reminders, notifications and evidence exports (issue 6).
	s.apiNotificationRoutes(s.api)
	// Events out: webhook subscriptions (issue 17).
	s.apiWebhookRoutes(s.api)
	// What the pages do besides (issue 17): reviews, exports, access, settings.
	s.apiReviewRoutes(s.api)
	s.apiExportRoutes(s.api)
	s.apiInvitationRoutes(s.api)
	s.apiSettingsRoutes(s.api)
	// Issue 18: documents.
	s.apiDocumentRoutes(s.api)
	// Issue 18: acknowledgement of policies.
	s.apiAcknowledgementRoutes(s.api)
	// Issue 18: My work.
	s.apiMyWorkRoutes(s.api)
	// Issue 19: importing frameworks and mappings.
	s.apiFrameworkImportRoutes(s.api)
	// Issue 19: standards as tags.
	s.apiStandardRoutes(s.api)
	mux.Handle(apiPrefix, apiMux)
	s.apiMux = apiMux

	s.mux = mux
	s.handler = s.authenticate(mux)
}

// apiPrefix is where the JSON API is mounted.
const apiPrefix = "/api/v1/"

// OrgRoute is a page inside an organisation and the action it needs.
type OrgRoute struct {
	Pattern string
	Action  isms.Action
	Handler func(http.ResponseWriter, *http.Request, *app.Member)
}

// orgRoutes lists every page under /o/{org}/. Tests walk this table to
// check tenant isolation and the role matrix on every route.
func (s *Server) orgRoutes() []OrgRoute {
	return []OrgRoute{
		{"GET /o/{org}/{$}", isms.ActRead, s.handleHome},
		{"GET /o/{org}/people", isms.ActRead, s.handlePeople},
		{"POST /o/{org}/people", isms.ActManageMembers, s.handleMemberAdd},
		{"POST /o/{org}/people/{user}/role", isms.ActManageMembers, s.handleMemberRole},
		{"GET /o/{org}/people/{user}/remove", isms.ActManageMembers, s.handleMemberRemoveConfirm},
		{"POST /o/{org}/people/{user}/remove", isms.ActManageMembers, s.handleMemberRemove},
		// Issue 18: people in the UI: resend and revoke invitations.
		{"POST /o/{org}/people/invitations/{id}/resend", isms.ActManageMembers, s.handleInvitationResend},
		{"GET /o/{org}/people/invitations/{id}/revoke", isms.ActManageMembers, s.handleInvitationRevokeConfirm},
		{"POST /o/{org}/people/invitations/{id}/revoke", isms.ActManageMembers, s.handleInvitationRevoke},
		{"GET /o/{org}/settings", isms.ActManageOrg, s.handleOrgSettings},
		{"POST /o/{org}/settings", isms.ActManageOrg, s.handleOrgSettingsUpdate},
		// Sign-in security: require a second factor (issue 13).
		{"GET /o/{org}/security", isms.ActManageOrg, s.handleOrgSecurity},
		{"POST /o/{org}/security/mfa", isms.ActManageOrg, s.handleOrgRequireMFA},
		// How imports read slashed dates (issue 15).
		{"POST /o/{org}/settings/date-order", isms.ActManageOrg, s.handleDateOrder},
		{"GET /o/{org}/tokens", isms.ActManageTokens, s.handleTokens},
		{"POST /o/{org}/tokens", isms.ActManageTokens, s.handleTokenCreate},
		{"POST /o/{org}/tokens/{id}/revoke", isms.ActManageTokens, s.handleTokenRevoke},
		{"GET /o/{org}/metrics", isms.ActRead, s.handleMetrics},
		{"GET /o/{org}/metrics/{key}", isms.ActRead, s.handleMetricDef},
		{"POST /o/{org}/metrics/{key}", isms.ActManageMetrics, s.handleMetricDefUpdate},
		{"POST /o/{org}/metrics/{key}/values", isms.ActManageMetrics, s.handleMetricValue},
		{"GET /o/{org}/metrics/{key}/{period}", isms.ActRead, s.handleMetricDrill},
		{"GET /o/{org}/records", isms.ActRead, s.handleRecords},
		{"GET /o/{org}/records/{kind}", isms.ActRead, s.handleRecordList},
		{"GET /o/{org}/records/{kind}/{id}", isms.ActRead, s.handleRecord},
		// Records entered by hand and incident reports (issue 15).
		{"GET /o/{org}/records/{kind}/new", isms.ActWriteRecords, s.handleRecordNew},
		{"POST /o/{org}/records/{kind}", isms.ActWriteRecords, s.handleRecordCreate},
		{"GET /o/{org}/records/{kind}/{id}/edit", isms.ActWriteRecords, s.handleRecordEdit},
		{"POST /o/{org}/records/{kind}/{id}", isms.ActWriteRecords, s.handleRecordUpdate},
		{"GET /o/{org}/records/{kind}/{id}/delete", isms.ActWriteRecords, s.handleRecordDeleteConfirm},
		{"POST /o/{org}/records/{kind}/{id}/delete", isms.ActWriteRecords, s.handleRecordDelete},
		{"GET /o/{org}/report", isms.ActReportIncident, s.handleReportForm},
		{"POST /o/{org}/report", isms.ActReportIncident, s.handleReport},
		{"GET /o/{org}/report/done", isms.ActReportIncident, s.handleReported},
		{"GET /o/{org}/report-link", isms.ActManageOrg, s.handleReportLink},
		{"POST /o/{org}/report-link", isms.ActManageOrg, s.handleReportLinkRotate},
		{"POST /o/{org}/report-link/disable", isms.ActManageOrg, s.handleReportLinkDisable},
		{"POST /o/{org}/imports", isms.ActImport, s.handleImportUpload},
		{"POST /o/{org}/imports/{token}/confirm", isms.ActImport, s.handleImportConfirm},
		// Issue 19: record kinds of an organisation's own.
		{"GET /o/{org}/record-kinds", isms.ActRead, s.handleRecordKinds},
		{"POST /o/{org}/record-kinds", isms.ActManageMetrics, s.handleRecordKindCreate},
		{"GET /o/{org}/record-kinds/{key}/delete", isms.ActManageMetrics, s.handleRecordKindDeleteConfirm},
		{"POST /o/{org}/record-kinds/{key}/delete", isms.ActManageMetrics, s.handleRecordKindDelete},
		// Import profiles: saved mappings of a source's files (issue 15).
		{"GET /o/{org}/import-profiles", isms.ActRead, s.handleProfiles},
		{"POST /o/{org}/import-profiles/new", isms.ActImport, s.handleProfileSample},
		{"POST /o/{org}/import-profiles", isms.ActImport, s.handleProfileCreate},
		{"POST /o/{org}/import-profiles/import", isms.ActImport, s.handleProfileImport},
		{"GET /o/{org}/import-profiles/{name}", isms.ActRead, s.handleProfile},
		{"GET /o/{org}/import-profiles/{name}/export", isms.ActRead, s.handleProfileExport},
		{"GET /o/{org}/import-profiles/{name}/edit", isms.ActImport, s.handleProfileEdit},
		{"POST /o/{org}/import-profiles/{name}/edit", isms.ActImport, s.handleProfileUpdate},
		{"GET /o/{org}/import-profiles/{name}/delete", isms.ActImport, s.handleProfileDeleteConfirm},
		{"POST /o/{org}/import-profiles/{name}/delete", isms.ActImport, s.handleProfileDelete},
		// Processes and improvement cycles (issue 4).
		{"GET /o/{org}/processes", isms.ActRead, s.handleProcesses},
		{"GET /o/{org}/processes/new", isms.ActWriteRecords, s.handleProcessNew},
		{"POST /o/{org}/processes", isms.ActWriteRecords, s.handleProcessCreate},
		{"GET /o/{org}/processes/{id}", isms.ActRead, s.handleProcess},
		{"POST /o/{org}/processes/{id}", isms.ActWriteRecords, s.handleProcessUpdate},
		{"GET /o/{org}/cycles", isms.ActRead, s.handleCycles},
		{"POST /o/{org}/cycles", isms.ActManageMetrics, s.handleCycleCreate},
		{"GET /o/{org}/cycles/{id}", isms.ActRead, s.handleCycle},
		// Deviations, corrective actions, internal audits (issue 5).
		{"GET /o/{org}/deviations", isms.ActRead, s.handleDeviations},
		{"GET /o/{org}/deviations/new", isms.ActWriteRecords, s.handleDeviationNew},
		{"POST /o/{org}/deviations", isms.ActWriteRecords, s.handleDeviationCreate},
		{"POST /o/{org}/deviations/settings", isms.ActManageMetrics, s.handleDeviationSettings},
		{"GET /o/{org}/deviations/{id}", isms.ActRead, s.handleDeviation},
		{"POST /o/{org}/deviations/{id}/assign", isms.ActWriteRecords, s.handleDeviationAssign},
		{"POST /o/{org}/deviations/{id}/correction", isms.ActWriteRecords, s.handleDeviationCorrection},
		{"POST /o/{org}/deviations/{id}/root-cause", isms.ActWriteRecords, s.handleDeviationRootCause},
		{"POST /o/{org}/deviations/{id}/actions", isms.ActWriteRecords, s.handleDeviationAction},
		{"POST /o/{org}/deviations/{id}/actions/{aid}/done", isms.ActWriteRecords, s.handleDeviationActionDone},
		{"GET /o/{org}/deviations/{id}/actions/{aid}/evidence", isms.ActRead, s.handleActionEvidence},
		{"POST /o/{org}/deviations/{id}/check", isms.ActWriteRecords, s.handleDeviationCheck},
		{"POST /o/{org}/deviations/{id}/analyse", isms.ActWriteRecords, s.handleDeviationTransition("analyse")},
		{"POST /o/{org}/deviations/{id}/plan", isms.ActWriteRecords, s.handleDeviationTransition("plan")},
		{"POST /o/{org}/deviations/{id}/start", isms.ActWriteRecords, s.handleDeviationTransition("start")},
		{"POST /o/{org}/deviations/{id}/verify", isms.ActWriteRecords, s.handleDeviationTransition("verify")},
		{"POST /o/{org}/deviations/{id}/close", isms.ActWriteRecords, s.handleDeviationTransition("close")},
		{"POST /o/{org}/deviations/{id}/reopen", isms.ActWriteRecords, s.handleDeviationTransition("reopen")},
		// Closing an observation without a check is for ISMS managers: manage_metrics is held by exactly admin and isms_manager.
		{"POST /o/{org}/deviations/{id}/close-observation", isms.ActManageMetrics, s.handleDeviationTransition("close-observation")},
		{"GET /o/{org}/audits", isms.ActRead, s.handleIAudits},
		{"POST /o/{org}/audits", isms.ActWriteRecords, s.handleIAuditCreate},
		{"GET /o/{org}/audits/{id}", isms.ActRead, s.handleIAudit},
		{"GET /o/{org}/audits/{id}/report", isms.ActRead, s.handleIAuditReport},
		{"POST /o/{org}/audits/{id}/held", isms.ActWriteRecords, s.handleIAuditHeld},
		{"POST /o/{org}/audits/{id}/findings", isms.ActWriteRecords, s.handleFindingCreate},
		{"POST /o/{org}/audits/{id}/findings/{fid}/close", isms.ActWriteRecords, s.handleFindingClose},
		// Risks and the Statement of Applicability (issue 5).
		{"GET /o/{org}/risks", isms.ActRead, s.handleRisks},
		{"POST /o/{org}/risks", isms.ActWriteRecords, s.handleRiskCreate},
		{"POST /o/{org}/risks/intervals", isms.ActManageMetrics, s.handleRiskIntervals},
		{"GET /o/{org}/risks/{id}", isms.ActRead, s.handleRisk},
		{"POST /o/{org}/risks/{id}", isms.ActWriteRecords, s.handleRiskUpdate},
		{"POST /o/{org}/risks/{id}/reassess", isms.ActWriteRecords, s.handleRiskReassess},
		{"GET /o/{org}/soa", isms.ActRead, s.handleSoA},
		{"GET /o/{org}/soa.csv", isms.ActRead, s.handleSoAExport("csv")},
		{"GET /o/{org}/soa.xlsx", isms.ActRead, s.handleSoAExport("xlsx")},
		{"GET /o/{org}/soa/{control}", isms.ActRead, s.handleSoAControl},
		{"POST /o/{org}/soa/{control}", isms.ActWriteRecords, s.handleSoAUpdate},
		// Bulk edit and import of SoA decisions (issue 14).
		{"POST /o/{org}/soa/bulk", isms.ActWriteRecords, s.handleSoABulk},
		{"GET /o/{org}/soa/import", isms.ActWriteRecords, s.handleSoAImportForm},
		{"POST /o/{org}/soa/import", isms.ActWriteRecords, s.handleSoAImportUpload},
		{"POST /o/{org}/soa/import/confirm", isms.ActWriteRecords, s.handleSoAImportConfirm},
		// Issue 19: the register of each framework (docs/frameworks.md);
		// {key}.csv and {key}.xlsx are the register's exports.
		{"GET /o/{org}/frameworks", isms.ActRead, s.handleFrameworks},
		{"POST /o/{org}/frameworks/{key}/enable", isms.ActManageOrg, s.handleFrameworkEnable},
		{"GET /o/{org}/frameworks/{key}/disable", isms.ActManageOrg, s.handleFrameworkDisableConfirm},
		{"POST /o/{org}/frameworks/{key}/disable", isms.ActManageOrg, s.handleFrameworkDisable},
		{"GET /o/{org}/frameworks/{key}", isms.ActRead, s.handleFrameworkRegister},
		{"GET /o/{org}/frameworks/{key}/r/{req}", isms.ActRead, s.handleFrameworkRequirement},
		{"POST /o/{org}/frameworks/{key}/r/{req}", isms.ActWriteRecords, s.handleFrameworkRequirementUpdate},
		// Reminders, notifications and evidence exports (issue 6).
		{"GET /o/{org}/notifications", isms.ActRead, s.handleNotifications},
		{"POST /o/{org}/notifications", isms.ActRead, s.handleNotificationPrefs},
		{"POST /o/{org}/notifications/settings", isms.ActManageMetrics, s.handleReminderSettings},
		{"GET /o/{org}/exports", isms.ActRead, s.handleExports},
		{"GET /o/{org}/exports/bundle.zip", isms.ActReadAudit, s.handleBundle},
		{"GET /o/{org}/exports/poam.json", isms.ActRead, s.handlePOAM},
		{"GET /o/{org}/exports/{file}", isms.ActRead, s.handleExport},
		{"GET /o/{org}/reviews", isms.ActRead, s.handleReviews},
		{"POST /o/{org}/reviews", isms.ActManageMetrics, s.handleReviewCreate},
		{"GET /o/{org}/reviews/{id}", isms.ActRead, s.handleReview},
		{"GET /o/{org}/reviews/{id}/pack.pdf", isms.ActRead, s.handleReviewPDF},
		{"POST /o/{org}/reviews/{id}", isms.ActManageMetrics, s.handleReviewUpdate},
		{"POST /o/{org}/reviews/{id}/hold", isms.ActManageMetrics, s.reviewMove(isms.ReviewHeld, "The review is marked as held.")},
		{"POST /o/{org}/reviews/{id}/reopen", isms.ActManageMetrics, s.reviewMove(isms.ReviewDraft, "The review is a draft again.")},
		{"POST /o/{org}/reviews/{id}/sign", isms.ActDecide, s.reviewMove(isms.ReviewSigned, "Signed: the review is locked and its snapshot frozen.")},
		{"POST /o/{org}/reviews/{id}/decisions", isms.ActDecide, s.handleReviewDecision},
		{"POST /o/{org}/reviews/{id}/decisions/{action}/done", isms.ActWriteRecords, s.handleDecisionDone},
		// Events out: webhook subscriptions (issue 17).
		{"GET /o/{org}/webhooks", isms.ActManageOrg, s.handleWebhooks},
		{"POST /o/{org}/webhooks", isms.ActManageOrg, s.handleWebhookCreate},
		{"GET /o/{org}/webhooks/{id}", isms.ActManageOrg, s.handleWebhook},
		{"POST /o/{org}/webhooks/{id}/enable", isms.ActManageOrg, s.handleWebhookActive(true)},
		{"POST /o/{org}/webhooks/{id}/disable", isms.ActManageOrg, s.handleWebhookActive(false)},
		{"GET /o/{org}/webhooks/{id}/delete", isms.ActManageOrg, s.handleWebhookDeleteConfirm},
		{"POST /o/{org}/webhooks/{id}/delete", isms.ActManageOrg, s.handleWebhookDelete},
		{"POST /o/{org}/webhooks/{id}/deliveries/{did}/redeliver", isms.ActManageOrg, s.handleWebhookRedeliver},
		// Issue 18: documents (the register of documented information, docs/documents.md).
		{"GET /o/{org}/documents", isms.ActRead, s.handleDocuments},
		{"GET /o/{org}/documents/new", isms.ActWriteRecords, s.handleDocumentNew},
		{"POST /o/{org}/documents", isms.ActWriteRecords, s.handleDocumentCreate},
		{"GET /o/{org}/documents/{id}", isms.ActRead, s.handleDocument},
		{"POST /o/{org}/documents/{id}", isms.ActWriteRecords, s.handleDocumentUpdate},
		{"GET /o/{org}/documents/{id}/draft", isms.ActWriteRecords, s.handleDocumentDraftForm},
		{"POST /o/{org}/documents/{id}/draft", isms.ActWriteRecords, s.handleDocumentDraft},
		{"POST /o/{org}/documents/{id}/file", isms.ActWriteRecords, s.handleDocumentFileUpload},
		{"POST /o/{org}/documents/{id}/links", isms.ActWriteRecords, s.handleDocumentLink},
		{"GET /o/{org}/documents/{id}/retire", isms.ActManageMetrics, s.handleDocumentRetireConfirm},
		{"POST /o/{org}/documents/{id}/retire", isms.ActManageMetrics, s.handleDocumentRetire},
		{"GET /o/{org}/documents/{id}/versions/{vid}", isms.ActRead, s.handleDocumentVersion},
		{"GET /o/{org}/documents/{id}/versions/{vid}/file", isms.ActRead, s.handleDocumentFile},
		{"GET /o/{org}/documents/{id}/versions/{vid}/pdf", isms.ActRead, s.handleDocumentPDF},
		{"POST /o/{org}/documents/{id}/versions/{vid}/submit", isms.ActWriteRecords, s.handleDocumentSubmit},
		// Approving: any member may try; app checks the document's approvers.
		{"POST /o/{org}/documents/{id}/versions/{vid}/approve", isms.ActRead, s.handleDocumentDecide(true)},
		{"POST /o/{org}/documents/{id}/versions/{vid}/reject", isms.ActRead, s.handleDocumentDecide(false)},
		// Issue 18: acknowledgement of policies.
		{"GET /o/{org}/acknowledgements", isms.ActRead, s.handleAcknowledgements},
		{"GET /o/{org}/acknowledgements/register", isms.ActReadAudit, s.handleAckRegister},
		{"GET /o/{org}/acknowledgements/versions/{vid}", isms.ActRead, s.handleAckVersion},
		{"POST /o/{org}/acknowledgements/versions/{vid}", isms.ActRead, s.handleAcknowledge},
		{"GET /o/{org}/acknowledgements/versions/{vid}/file", isms.ActRead, s.handleAckVersionFile},
		{"GET /o/{org}/documents/{id}/publish", app.ActPublishDocuments, s.handlePublishForm},
		{"POST /o/{org}/documents/{id}/publish", app.ActPublishDocuments, s.handlePublish},
		{"GET /o/{org}/audit", isms.ActReadAudit, s.handleAudit},
		{"GET /o/{org}/audit.csv", isms.ActReadAudit, s.handleAuditCSV},
		// Issue 18: My work. Every member has their own list and feed.
		{"GET /o/{org}/my-work", isms.ActRead, s.handleMyWork},
		{"POST /o/{org}/my-work/calendar", isms.ActRead, s.handleCalendarRotate},
		{"POST /o/{org}/my-work/calendar/revoke", isms.ActRead, s.handleCalendarRevoke},
		// Issue 19: importing frameworks and mappings (the framework pages themselves are another part's).
		{"GET /o/{org}/frameworks/import", isms.ActManageOrg, s.handleFrameworkImportForm},
		{"POST /o/{org}/frameworks/import", isms.ActManageOrg, s.handleFrameworkImport},
		{"GET /o/{org}/frameworks/mappings/import", isms.ActManageOrg, s.handleMappingImportForm},
		{"POST /o/{org}/frameworks/mappings/import", isms.ActManageOrg, s.handleMappingImport},
		// Issue 19: standards as tags (manage_metrics for a review or a metric, app).
		{"POST /o/{org}/standards/{entity}/{id}", isms.ActWriteRecords, s.handleSetStandards},
	}
}

// OrgRoutes returns the organisation page table (pattern and action).
func (s *Server) OrgRoutes() []OrgRoute { return s.orgRoutes() }

// API returns the huma API, whose OpenAPI document lists every API route.
func (s *Server) API() huma.API { return s.api }

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// apiActions declares the action each API operation needs. Package app
// enforces it; the role matrix test checks every operation of the OpenAPI
// document against this table, and fails for an operation missing here.
var apiActions = map[string]isms.Action{
	"list-orgs":         isms.ActRead,
	"get-org":           isms.ActRead,
	"list-members":      isms.ActRead,
	"remove-member":     isms.ActManageMembers,
	"list-tokens":       isms.ActRead, // each member lists their own
	"create-token":      isms.ActManageTokens,
	"list-audit-events": isms.ActReadAudit,
	"list-metrics":      isms.ActRead,
	"rate-metrics":      isms.ActRead,
	"rate-metric":       isms.ActRead,
	"list-measurements": isms.ActRead,
	"create-metric":     isms.ActManageMetrics,
	"update-metric":     isms.ActManageMetrics,
	"set-manual-value":  isms.ActManageMetrics,
	"list-records":      isms.ActRead,
	"get-record":        isms.ActRead,
	"import-records":    isms.ActImport,
	// Import profiles (issue 15).
	"list-import-profiles":  isms.ActRead,
	"get-import-profile":    isms.ActRead,
	"put-import-profile":    isms.ActImport,
	"delete-import-profile": isms.ActImport,
	// Records entered by hand and incident reports (issue 15).
	"create-record":   isms.ActWriteRecords,
	"update-record":   isms.ActWriteRecords,
	"delete-record":   isms.ActWriteRecords,
	"report-incident": isms.ActReportIncident,
	// Processes and improvement cycles (issue 4).
	"list-processes": isms.ActRead,
	"get-process":    isms.ActRead,
	"create-process": isms.ActWriteRecords,
	"update-process": isms.ActWriteRecords,
	"list-cycles":    isms.ActRead,
	"get-cycle":      isms.ActRead,
	"create-cycle":   isms.ActManageMetrics,
	// Deviations, corrective actions, internal audits (issue 5).
	"list-deviations":             isms.ActRead,
	"get-deviation":               isms.ActRead,
	"get-deviation-stats":         isms.ActRead,
	"create-deviation":            isms.ActWriteRecords,
	"assign-deviation":            isms.ActWriteRecords,
	"set-deviation-settings":      isms.ActManageMetrics,
	"record-deviation-correction": isms.ActWriteRecords,
	"record-deviation-root-cause": isms.ActWriteRecords,
	"add-corrective-action":       isms.ActWriteRecords,
	"complete-corrective-action":  isms.ActWriteRecords,
	"record-effectiveness-check":  isms.ActWriteRecords,
	"deviation-analyse":           isms.ActWriteRecords,
	"deviation-plan":              isms.ActWriteRecords,
	"deviation-start":             isms.ActWriteRecords,
	"deviation-verify":            isms.ActWriteRecords,
	"deviation-close":             isms.ActWriteRecords,
	"deviation-reopen":            isms.ActWriteRecords,
	"deviation-close-observation": isms.ActManageMetrics,
	"list-internal-audits":        isms.ActRead,
	"get-internal-audit":          isms.ActRead,
	"create-internal-audit":       isms.ActWriteRecords,
	"raise-audit-finding":         isms.ActWriteRecords,
	"close-audit-finding":         isms.ActWriteRecords,
	// Risks and the Statement of Applicability (issue 5).
	"list-risks":         isms.ActRead,
	"get-risk":           isms.ActRead,
	"create-risk":        isms.ActWriteRecords,
	"update-risk":        isms.ActWriteRecords,
	"reassess-risk":      isms.ActWriteRecords,
	"get-risk-stats":     isms.ActRead,
	"set-risk-intervals": isms.ActManageMetrics,
	"list-soa":           isms.ActRead,
	"get-soa-control":    isms.ActRead,
	"update-soa-control": isms.ActWriteRecords,
	"import-soa":         isms.ActWriteRecords,
	// Issue 19: the register of each framework.
	"list-frameworks":              isms.ActRead,
	"enable-framework":             isms.ActManageOrg,
	"disable-framework":            isms.ActManageOrg,
	"list-framework-requirements":  isms.ActRead,
	"get-framework-requirement":    isms.ActRead,
	"update-framework-requirement": isms.ActWriteRecords,
	// Reminders, notifications and evidence exports (issue 6).
	"list-due-items":         isms.ActRead,
	"get-notification-prefs": isms.ActRead,
	"set-notification-prefs": isms.ActRead,
	"get-reminder-settings":  isms.ActRead,
	"set-reminder-settings":  isms.ActManageMetrics,
	"list-deliveries":        isms.ActManageMembers,
	// Events out: webhook subscriptions (issue 17).
	"list-webhooks":           isms.ActManageOrg,
	"create-webhook":          isms.ActManageOrg,
	"get-webhook":             isms.ActManageOrg,
	"delete-webhook":          isms.ActManageOrg,
	"list-webhook-deliveries": isms.ActManageOrg,
	"redeliver-webhook":       isms.ActManageOrg,
	"set-webhook-active":      isms.ActManageOrg,
	// Issue 19: record kinds of an organisation's own.
	"list-record-kinds":  isms.ActRead,
	"get-record-kind":    isms.ActRead,
	"create-record-kind": isms.ActManageMetrics,
	"update-record-kind": isms.ActManageMetrics,
	"delete-record-kind": isms.ActManageMetrics,
	// Issue 18: acknowledgement of policies.
	"publish-document-version":      app.ActPublishDocuments,
	"list-acknowledgements":         isms.ActRead, // the register for read_audit, one's own for others
	"get-acknowledgement-version":   isms.ActRead,
	"download-acknowledgement-file": isms.ActRead,
	"acknowledge-document-version":  isms.ActRead,
	// What the pages do besides (issue 17).
	"list-reviews":             isms.ActRead,
	"get-review":               isms.ActRead,
	"create-review":            isms.ActManageMetrics,
	"update-review":            isms.ActManageMetrics,
	"hold-review":              isms.ActManageMetrics,
	"reopen-review":            isms.ActManageMetrics,
	"sign-review":              isms.ActDecide,
	"add-review-decision":      isms.ActDecide,
	"complete-review-decision": isms.ActWriteRecords, // or the decision's owner
	"download-review-pack":     isms.ActRead,
	"get-review-snapshot":      isms.ActRead,
	"list-exports":             isms.ActRead,
	"download-export":          isms.ActRead, // and what the register needs (the audit trail: read_audit)
	"download-evidence-bundle": isms.ActReadAudit,
	"download-poam":            isms.ActRead,
	"download-action-evidence": isms.ActRead,
	"list-invitations":         isms.ActManageMembers,
	"get-invitation":           isms.ActManageMembers,
	"create-invitation":        isms.ActManageMembers,
	"revoke-invitation":        isms.ActManageMembers,
	"set-member-role":          isms.ActManageMembers,
	"revoke-token":             isms.ActManageMembers, // another member's; one's own needs manage_tokens
	"get-mfa-requirement":      isms.ActRead,
	"set-mfa-requirement":      isms.ActManageOrg,
	"get-date-order":           isms.ActRead,
	"set-date-order":           isms.ActManageOrg,
	"get-report-link":          isms.ActManageOrg,
	"rotate-report-link":       isms.ActManageOrg,
	"disable-report-link":      isms.ActManageOrg,
	"mark-internal-audit-held": isms.ActWriteRecords,
	"bulk-update-soa":          isms.ActWriteRecords,
	"get-record-counts":        isms.ActRead,
	// Issue 18: documents (docs/documents.md).
	"list-documents":           isms.ActRead,
	"get-document":             isms.ActRead,
	"create-document":          isms.ActWriteRecords,
	"update-document":          isms.ActWriteRecords,
	"put-document-draft":       isms.ActWriteRecords,
	"get-document-version":     isms.ActRead,
	"download-document-file":   isms.ActRead,
	"download-document-pdf":    isms.ActRead,
	"submit-document-version":  isms.ActWriteRecords,
	"approve-document-version": isms.ActRead, // and being one of the document's approvers (app)
	"reject-document-version":  isms.ActRead, // likewise
	"retire-document":          isms.ActManageMetrics,
	"add-document-link":        isms.ActWriteRecords,
	"remove-document-link":     isms.ActWriteRecords,
	// Issue 18: people in the UI.
	"resend-invitation":   isms.ActManageMembers,
	"update-org-settings": isms.ActManageOrg,
	// Issue 18: My work. Each member's own list and calendar feed.
	"list-my-work":         isms.ActRead,
	"rotate-calendar-feed": isms.ActRead,
	"revoke-calendar-feed": isms.ActRead,
	// Issue 19: importing frameworks and mappings.
	"import-framework": isms.ActManageOrg,
	"import-mappings":  isms.ActManageOrg,
	// Issue 19: standards as tags.
	"get-standards": isms.ActRead,
	"set-standards": isms.ActWriteRecords, // manage_metrics for a review or a metric (app)
}

// APIAction returns the action an API operation needs.
func APIAction(operationID string) (isms.Action, bool) {
	a, ok := apiActions[operationID]
	return a, ok
}
