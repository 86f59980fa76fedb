package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// Reporting a suspected incident (issue 15): any member, or anyone with
// the organisation's public link when an admin enabled it, says what
// happened in a short form. The report becomes an incident record with a
// generated ref, detected at the moment of the report (so the incident
// process's time to action starts then), and the incident process's owner
// (else the ISMS managers and admins) is told at once.

// Bounds of a report's fields.
const (
	MaxReportWhat    = 2000
	MaxReportContact = 200
	MaxReportName    = 100
)

// Throttle of reports through the public link (counters shared with the
// sign-in throttle's table, under their own keys).
const (
	ReportsPerAddress = 5  // per ReportWindow from one address
	ReportsPerOrg     = 30 // per ReportWindow into one organisation
	ReportWindow      = time.Hour
)

// IncidentReport is what a reporter types.
type IncidentReport struct {
	What string // what happened (required)
	// NoticedAt is when the reporter noticed it; nil means now.
	NoticedAt *time.Time
	Severity  string // a guess: critical, high, medium, low, or empty
	Contact   string // how to reach the reporter
	// Name is who reports through the public link (optional); a member
	// is named from their account.
	Name string
}

// ReportReceipt is what the reporter is shown afterwards.
type ReportReceipt struct {
	Ref        string
	RecordID   int64
	OrgName    string
	ReportedAt time.Time
	// Told names who was notified; Process is the incident process whose
	// owner was told ("" when there is none and the ISMS managers were).
	Told    []string
	Process string
}

// StageReported is the notification stage of an incident report.
const StageReported isms.Stage = "reported"

// validate trims the report and returns *FieldErrors for bad fields.
func (in *IncidentReport) validate(now time.Time) error {
	in.What, in.Contact, in.Name = strings.TrimSpace(in.What), strings.TrimSpace(in.Contact), strings.TrimSpace(in.Name)
	in.Severity = strings.ToLower(strings.TrimSpace(in.Severity))
	fe := &FieldErrors{Fields: map[string]string{}}
	switch {
	case in.What == "":
		fe.Fields["what"] = "say what happened, in a sentence or two"
	case utf8.RuneCountInString(in.What) > MaxReportWhat:
		fe.Fields["what"] = fmt.Sprintf("at most %d characters; give the gist, the incident owner will ask for details", MaxReportWhat)
	}
	if utf8.RuneCountInString(in.Contact) > MaxReportContact {
		fe.Fields["contact"] = fmt.Sprintf("at most %d characters", MaxReportContact)
	}
	if utf8.RuneCountInString(in.Name) > MaxReportName {
		fe.Fields["name"] = fmt.Sprintf("at most %d characters", MaxReportName)
	}
	if in.Severity != "" && !slices.Contains([]string{"critical", "high", "medium", "low"}, in.Severity) {
		fe.Fields["severity"] = "choose critical, high, medium or low, or leave it empty if unsure"
	}
	if in.NoticedAt != nil && in.NoticedAt.After(now.Add(5*time.Minute)) {
		fe.Fields["noticed_at"] = "is in the future; give when you noticed it, or leave it empty for now"
	}
	if len(fe.Fields) == 0 {
		return nil
	}
	var parts []string
	for _, p := range fe.Problems() {
		parts = append(parts, p.Field+": "+p.Reason)
	}
	fe.err = isms.Errorf(isms.EINVALID, "the report was not sent: %s", strings.Join(parts, "; "))
	return fe
}

// ReportIncident files a member's report. Requires report_incident (every
// role). *FieldErrors for a bad field.
func (a *App) ReportIncident(ctx context.Context, p Principal, slug string, in IncidentReport) (*ReportReceipt, error) {
	var out *ReportReceipt
	err := a.write(ctx, p, slug, isms.ActReportIncident, func(tx *store.Tx, m *Member) error {
		by := p.Label
		if p.UserID != 0 {
			if ms, err := tx.Membership(ctx, m.Org.ID, p.UserID); err == nil && ms.Name != "" {
				by = ms.Name + " <" + ms.Email + ">"
			}
		}
		in.Name = ""
		var err error
		out, err = a.fileReport(ctx, tx, m, in, by, "signed in")
		return err
	})
	return out, err
}

// reportPrincipal is who the audit trail names for a report through the
// public link.
var reportPrincipal = Principal{System: true, Label: "public incident report link"}

// ReportIncidentByLink files a report through an organisation's public
// link, from address. ENOTFOUND when the link is unknown, rotated or
// disabled; ETOOMANY (with RetryAfter) beyond ReportsPerAddress or
// ReportsPerOrg per ReportWindow; *FieldErrors for a bad field.
func (a *App) ReportIncidentByLink(ctx context.Context, token, address string, in IncidentReport) (*ReportReceipt, error) {
	var out *ReportReceipt
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		o, err := tx.OrgByReportToken(ctx, tokenHash(token))
		if err != nil {
			return err
		}
		if err := in.validate(tx.Now); err != nil {
			return err
		}
		if err := countReport(ctx, tx, "report:addr:"+address, ReportsPerAddress, "from your address"); err != nil {
			return err
		}
		if err := countReport(ctx, tx, fmt.Sprintf("report:org:%d", o.ID), ReportsPerOrg, "to this organisation"); err != nil {
			return err
		}
		by := "someone with the public link"
		if in.Name != "" {
			by = in.Name + " (public link)"
		}
		m := &Member{Principal: reportPrincipal, Org: o, Role: isms.RoleViewer}
		out, err = a.fileReport(ctx, tx, m, in, by, "public link")
		return err
	})
	return out, err
}

// countReport counts one report under key, refusing it when the window
// already holds limit.
func countReport(ctx context.Context, tx *store.Tx, key string, limit int, what string) error {
	c, err := tx.LockThrottle(ctx, key)
	if err != nil {
		return err
	}
	if tx.Now.Sub(c.WindowStart) >= ReportWindow {
		c.Failures, c.WindowStart = 0, tx.Now
	}
	if c.Failures >= limit {
		until := c.WindowStart.Add(ReportWindow)
		return tooMany(until.Sub(tx.Now), "too many incident reports %s in the last hour; try again in %s, or call your security contact", what, wait(until.Sub(tx.Now)))
	}
	c.Failures++
	c.LastAt = tx.Now
	return tx.SetThrottle(ctx, c)
}

// ReportLinkOrg returns the organisation of a public report link, to
// show its name on the form (nothing else of it). ENOTFOUND.
func (a *App) ReportLinkOrg(ctx context.Context, token string) (*isms.Organization, error) {
	var o *isms.Organization
	err := a.DB.ReadOne(ctx, func(tx *store.Tx) error {
		var err error
		o, err = tx.OrgByReportToken(ctx, tokenHash(token))
		return err
	})
	return o, err
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// fileReport stores the incident record, notifies, and audits.
func (a *App) fileReport(ctx context.Context, tx *store.Tx, m *Member, in IncidentReport, by, via string) (*ReportReceipt, error) {
	if err := in.validate(tx.Now); err != nil {
		return nil, err
	}
	// One writer per organisation from here (on PostgreSQL; SQLite has
	// one writer), so two reports cannot take the same number.
	if err := tx.LockOrg(ctx, m.Org.ID); err != nil {
		return nil, err
	}
	prefix := fmt.Sprintf("INC-%d-", tx.Now.In(m.Org.Location()).Year())
	last, err := tx.LastRefNumber(ctx, m.Org.ID, isms.KindIncidents, prefix)
	if err != nil {
		return nil, err
	}
	title, _, _ := strings.Cut(in.What, "\n")
	if r := []rune(strings.TrimSpace(title)); len(r) > 120 {
		title = string(r[:119]) + "…"
	}
	rec := isms.Record{Kind: isms.KindIncidents, Times: map[string]time.Time{"detected_at": tx.Now}, Bools: map[string]bool{},
		Texts:      map[string]string{"ref": fmt.Sprintf("%s%04d", prefix, last+1), "title": strings.TrimSpace(title)},
		Attributes: map[string]string{"description": in.What, "reported_by": by, "reported_via": via}}
	if in.Severity != "" {
		rec.Texts["severity"] = in.Severity
	}
	if in.Contact != "" {
		rec.Attributes["contact"] = in.Contact
	}
	noticed := tx.Now
	if in.NoticedAt != nil {
		noticed = in.NoticedAt.UTC()
	}
	rec.Attributes["noticed_at"] = noticed.In(m.Org.Location()).Format("2006-01-02 15:04 MST")
	spec, _ := isms.LookupKind(string(isms.KindIncidents))
	rec.Key = spec.NaturalKey(rec)
	if err := a.insertRecord(ctx, tx, m, spec, &rec, "record.report"); err != nil {
		return nil, err
	}
	out := &ReportReceipt{Ref: rec.Key, RecordID: rec.ID, OrgName: m.Org.Name, ReportedAt: tx.Now}
	if err := a.notifyReport(ctx, tx, m.Org, rec, by, out); err != nil {
		return nil, err
	}
	return out, nil
}

// incidentProcess is the organisation's incident process: the one made
// from the incident template, else one linked to the incident metric.
func incidentProcess(ctx context.Context, tx *store.Tx, orgID int64) (*isms.Process, error) {
	ps, err := tx.Processes(ctx, orgID)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.Template == "incident" {
			return p, nil
		}
	}
	for _, p := range ps {
		if slices.Contains(p.Metrics, "incident-response-start") {
			return p, nil
		}
	}
	return nil, nil
}

// notifyReport tells the incident process's owner, or the ISMS managers
// and admins when there is no such process or its owner left, through
// each person's chosen channels. A report is not held back by a pause or
// the weekly digest: like an escalation, it must not wait.
func (a *App) notifyReport(ctx context.Context, tx *store.Tx, o *isms.Organization, rec isms.Record, by string, out *ReportReceipt) error {
	au, err := loadAudience(ctx, tx, o.ID)
	if err != nil {
		return err
	}
	proc, err := incidentProcess(ctx, tx, o.ID)
	if err != nil {
		return err
	}
	to := au.managers
	if proc != nil {
		if _, ok := au.members[proc.OwnerID]; ok {
			to, out.Process = []int64{proc.OwnerID}, proc.Name
		}
	}
	link := a.PublicURL + "/o/" + o.Slug + "/records/incidents/" + fmt.Sprint(rec.ID)
	sev := rec.Texts["severity"]
	if sev == "" {
		sev = "not guessed"
	}
	text := fmt.Sprintf("%s was reported by %s at %s.\n\nWhat happened:\n%s\n\nSeverity guess: %s\nContact: %s\nOpen: %s\n\nThe time to action of the incident process runs from the report.\n",
		rec.Key, by, rec.Times["detected_at"].In(o.Location()).Format("2006-01-02 15:04 MST"), rec.Attributes["description"], sev, rec.Attributes["contact"], link)
	msg := message{Subject: fmt.Sprintf("[%s] Incident reported: %s %s", o.Name, rec.Key, rec.Texts["title"]), Text: text,
		Kind: "incident-report", Title: rec.Texts["title"], Stage: string(StageReported), Link: link}
	for _, uid := range to {
		mem := au.members[uid]
		if _, err := a.remind(ctx, tx, o, mem, au.prefs[uid], "incident-report:"+rec.Key, StageReported, msg); err != nil {
			return err
		}
		name := mem.Name
		if name == "" {
			name = mem.Email
		}
		out.Told = append(out.Told, name)
	}
	return nil
}

// ReportLinkState says whether the organisation's public report link is
// enabled and since when. Requires the role of manage_org (admins); an
// admin's read-only API token may read it.
func (a *App) ReportLinkState(ctx context.Context, p Principal, slug string) (*store.ReportLink, error) {
	var out *store.ReportLink
	err := a.readRole(ctx, p, slug, isms.ActManageOrg, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = tx.ReportLinkOf(ctx, m.Org.ID)
		return err
	})
	return out, err
}

// RotateReportLink enables the public report link with a new random
// token, which it returns (only its SHA-256 is stored, so it is shown
// once); any previous link stops working. Requires manage_org.
func (a *App) RotateReportLink(ctx context.Context, p Principal, slug string) (string, error) {
	token := rand.Text() + rand.Text() // 52 base32 characters, 260 bits
	err := a.write(ctx, p, slug, isms.ActManageOrg, func(tx *store.Tx, m *Member) error {
		before, err := tx.ReportLinkOf(ctx, m.Org.ID)
		if err != nil {
			return err
		}
		if err := tx.SetReportLink(ctx, m.Org.ID, tokenHash(token), p.UserID); err != nil {
			return err
		}
		action := "report_link.enable"
		if before != nil {
			action = "report_link.rotate"
		}
		return audit(ctx, tx, m.Org.ID, p, action, "report_link", m.Org.ID, nil, map[string]any{"enabled": true})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// DisableReportLink turns the public report link off. Requires
// manage_org.
func (a *App) DisableReportLink(ctx context.Context, p Principal, slug string) error {
	return a.write(ctx, p, slug, isms.ActManageOrg, func(tx *store.Tx, m *Member) error {
		before, err := tx.ReportLinkOf(ctx, m.Org.ID)
		if err != nil || before == nil {
			return err
		}
		if err := tx.DeleteReportLink(ctx, m.Org.ID); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "report_link.disable", "report_link", m.Org.ID, map[string]any{"enabled": true}, map[string]any{"enabled": false})
	})
}
