package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/pdca/pdca/internal/export"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
)

// Acknowledgement of policies (issue 18, item 3; docs/acknowledgements.md).
// Publishing puts an approved document version before an audience and asks
// each of its people to read and acknowledge it; acknowledging records the
// exact version hash. Documents and versions are read from the tables of
// migration 0034; this file does not write them.

// ActPublishDocuments is what publishing a document version needs: the
// roles that write the ISMS's records (admin, ISMS manager, process
// owner).
const ActPublishDocuments = isms.ActWriteRecords

// PublishInput is a publication: which version (0: the document's current
// approved one) and to whom.
type PublishInput struct {
	VersionID int64
	Audience  isms.Audience
}

// PublishResult says what a publication did.
type PublishResult struct {
	Publication store.Publication
	Version     *store.AckVersion
	Asked       int // people asked for the first time
	Moved       int // open requests moved from an earlier minor version
	Withdrawn   int // open requests of an earlier major version withdrawn
}

// PublishInfo is what the publish form shows: the document's versions, the
// one that would be published, the members to choose from and the latest
// publication.
type PublishInfo struct {
	Versions []*store.AckVersion
	Current  *store.AckVersion // the approved version, nil when none
	Members  []isms.Membership
	Latest   *store.Publication
}

// currentApproved returns the approved version among vs (latest first), or
// nil.
func currentApproved(vs []*store.AckVersion) *store.AckVersion {
	for _, v := range vs {
		if v.Status == "approved" {
			return v
		}
	}
	return nil
}

// latestApprovedNumber is the highest version number ever approved
// (approved or superseded since).
func latestApprovedNumber(vs []*store.AckVersion) (int, int) {
	for _, v := range vs {
		if v.Status == "approved" || v.Status == "superseded" {
			return v.Major, v.Minor
		}
	}
	return 0, 0
}

// DocumentPublishInfo returns what publishing the document needs. Requires
// ActPublishDocuments.
func (a *App) DocumentPublishInfo(ctx context.Context, p Principal, slug string, documentID int64) (*PublishInfo, error) {
	var out PublishInfo
	err := a.read(ctx, p, slug, ActPublishDocuments, func(tx *store.Tx, m *Member) error {
		vs, err := tx.AckVersions(ctx, m.Org.ID, documentID)
		if err != nil {
			return err
		}
		out.Versions, out.Current = vs, currentApproved(vs)
		if out.Members, err = tx.Members(ctx, m.Org.ID); err != nil {
			return err
		}
		pubs, err := tx.LatestPublications(ctx, m.Org.ID)
		for i := range pubs {
			if pubs[i].DocumentID == documentID {
				out.Latest = &pubs[i]
			}
		}
		return err
	})
	return &out, err
}

// PublishDocumentVersion publishes an approved version of a document to an
// audience (isms.PlanPublish): it asks each person of the audience who has
// not acknowledged a version of the same major, moves open requests of an
// earlier minor version to this one and withdraws open requests of an
// earlier major. Requires ActPublishDocuments. EINVALID for a version that
// is not approved, a retired document, an empty audience or a named person
// who is not a member; ENOTFOUND for another organisation's document.
func (a *App) PublishDocumentVersion(ctx context.Context, p Principal, slug string, documentID int64, in PublishInput) (*PublishResult, error) {
	if err := in.Audience.Validate(); err != nil {
		return nil, err
	}
	var out PublishResult
	err := a.write(ctx, p, slug, ActPublishDocuments, func(tx *store.Tx, m *Member) error {
		vs, err := tx.AckVersions(ctx, m.Org.ID, documentID)
		if err != nil {
			return err
		}
		v := currentApproved(vs)
		if in.VersionID != 0 {
			v = nil
			for _, x := range vs {
				if x.ID == in.VersionID {
					v = x
				}
			}
			if v == nil {
				return isms.Errorf(isms.ENOTFOUND, "version %d is not a version of this document", in.VersionID)
			}
		}
		if v == nil {
			return isms.Errorf(isms.EINVALID, "the document has no approved version; approve one first")
		}
		if err := isms.CanPublish(v.Status, v.Retired); err != nil {
			return err
		}
		members, err := tx.Members(ctx, m.Org.ID)
		if err != nil {
			return err
		}
		for _, u := range in.Audience.People {
			if !slices.ContainsFunc(members, func(ms isms.Membership) bool { return ms.UserID == u }) {
				return isms.Errorf(isms.EINVALID, "audience: person %d is not a member of the organisation", u)
			}
		}
		var audience []int64
		for _, ms := range members {
			if in.Audience.Includes(ms.Role, ms.UserID) {
				audience = append(audience, ms.UserID)
			}
		}
		existing, err := tx.DocumentAcks(ctx, m.Org.ID, documentID)
		if err != nil {
			return err
		}
		reqs := make([]isms.AckRequest, len(existing))
		for i, r := range existing {
			reqs[i] = r.AckRequest
		}
		plan := isms.PlanPublish(v.ID, v.Major, v.Minor, audience, reqs)
		out.Publication = store.Publication{OrgID: m.Org.ID, DocumentID: documentID, VersionID: v.ID, Audience: in.Audience, PublishedBy: p.UserID, Actor: m.Label}
		if err := tx.AddPublication(ctx, &out.Publication); err != nil {
			return err
		}
		for _, id := range plan.Drop {
			if err := tx.DropAck(ctx, m.Org.ID, id); err != nil {
				return err
			}
		}
		for _, id := range plan.Retarget {
			if err := tx.RetargetAck(ctx, m.Org.ID, id, v.ID, out.Publication.ID); err != nil {
				return err
			}
		}
		for _, u := range plan.Create {
			if _, err := tx.AddAck(ctx, m.Org.ID, documentID, v.ID, out.Publication.ID, u); err != nil {
				return err
			}
		}
		out.Version, out.Asked, out.Moved, out.Withdrawn = v, len(plan.Create), len(plan.Retarget), len(plan.Drop)
		if err := ensureAckMetric(ctx, tx, m.Org.ID); err != nil {
			return err
		}
		after := map[string]any{"version": fmt.Sprintf("%d.%d", v.Major, v.Minor), "version_id": v.ID, "sha256": v.SHA256,
			"audience": in.Audience.Kind, "roles": in.Audience.Roles, "people": in.Audience.People,
			"asked": out.Asked, "moved": out.Moved, "withdrawn": out.Withdrawn}
		if err := audit(ctx, tx, m.Org.ID, p, "document.publish", "document", documentID, nil, after); err != nil {
			return err
		}
		return a.enqueueRecompute(ctx, tx, m.Org.ID)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ensureAckMetric adds the policy acknowledgement rate to the
// organisation's metrics when it has not got it yet (its first
// publication): the nine record metrics are created with the
// organisation; this one only matters once something is published.
func ensureAckMetric(ctx context.Context, tx *store.Tx, orgID int64) error {
	if _, err := tx.CurrentMetric(ctx, orgID, measure.AcknowledgementKey); err == nil {
		return nil
	} else if isms.ErrorCode(err) != isms.ENOTFOUND {
		return err
	}
	b, err := json.Marshal(measure.AcknowledgementRate())
	if err != nil {
		return err
	}
	return tx.AddMetricVersion(ctx, &store.MetricDefinition{OrgID: orgID, Key: measure.AcknowledgementKey, Definition: string(b), ChangedBy: "pdca (built-in)"})
}

// AckView is a published version as a member reads it, with their own
// request for it (nil when they were not asked).
type AckView struct {
	Version *store.AckVersion
	Request *store.AckRow
	// Current is the document's approved version now (nil when none);
	// when its major is later than the version's, the version can no
	// longer be acknowledged.
	Current *store.AckVersion
	State   string // the request's state now ("" without one)
}

// publishedVersion reads a version a member may read to acknowledge it:
// one that was approved (approved or superseded since) of a document that
// was published. ENOTFOUND otherwise (drafts stay with the register).
func publishedVersion(ctx context.Context, tx *store.Tx, orgID, versionID int64) (*store.AckVersion, []*store.AckVersion, error) {
	v, err := tx.AckVersion(ctx, orgID, versionID)
	if err != nil {
		return nil, nil, err
	}
	published, err := tx.DocumentPublished(ctx, orgID, v.DocumentID)
	if err != nil {
		return nil, nil, err
	}
	if !published || (v.Status != "approved" && v.Status != "superseded") {
		return nil, nil, isms.Errorf(isms.ENOTFOUND, "published document version not found")
	}
	vs, err := tx.AckVersions(ctx, orgID, v.DocumentID)
	return v, vs, err
}

// AcknowledgementVersion returns a published version to read, with the
// caller's request for it. Requires read.
func (a *App) AcknowledgementVersion(ctx context.Context, p Principal, slug string, versionID int64) (*AckView, error) {
	var out AckView
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		v, vs, err := publishedVersion(ctx, tx, m.Org.ID, versionID)
		if err != nil {
			return err
		}
		out.Version, out.Current = v, currentApproved(vs)
		r, err := tx.UserAck(ctx, m.Org.ID, versionID, m.UserID)
		if err == nil {
			out.Request, out.State = r, r.State(tx.Now)
		} else if isms.ErrorCode(err) != isms.ENOTFOUND {
			return err
		}
		return nil
	})
	return &out, err
}

// AcknowledgementFile returns the attached file of a published version
// (name, media type, bytes). Requires read.
func (a *App) AcknowledgementFile(ctx context.Context, p Principal, slug string, versionID int64) (string, string, []byte, error) {
	var name, typ string
	var data []byte
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		v, _, err := publishedVersion(ctx, tx, m.Org.ID, versionID)
		if err != nil {
			return err
		}
		if v.FileName == "" {
			return isms.Errorf(isms.ENOTFOUND, "version %d.%d has no attached file", v.Major, v.Minor)
		}
		name, typ = v.FileName, v.FileType
		data, err = tx.DocumentFileData(ctx, m.Org.ID, v.ID)
		return err
	})
	return name, typ, data, err
}

// AcknowledgeDocumentVersion records that the caller read and acknowledges
// a version they were asked to, with that version's SHA-256. Requires
// read. ECONFLICT when nothing is asked of them for it (never asked,
// already acknowledged, withdrawn) or a later major version was approved
// since (acknowledge the current one once published).
func (a *App) AcknowledgeDocumentVersion(ctx context.Context, p Principal, slug string, versionID int64) (*store.AckRow, error) {
	var out *store.AckRow
	err := a.write(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		// Every member may acknowledge, but it is a change: a read-only
		// token may not.
		if m.Token != nil && m.Token.Scope == isms.ScopeRead {
			return scopeDenied("acknowledge_document_version")
		}
		if _, _, err := publishedVersion(ctx, tx, m.Org.ID, versionID); err != nil {
			return err
		}
		r, err := tx.UserAck(ctx, m.Org.ID, versionID, m.UserID)
		if isms.ErrorCode(err) == isms.ENOTFOUND {
			return isms.Errorf(isms.ECONFLICT, "you were not asked to acknowledge this version; your requests are on the acknowledgements page")
		} else if err != nil {
			return err
		}
		vs, err := tx.AckVersions(ctx, m.Org.ID, r.DocumentID)
		if err != nil {
			return err
		}
		major, minor := latestApprovedNumber(vs)
		if err := isms.CheckAcknowledge(r.AckRequest, major, minor); err != nil {
			return err
		}
		if err := tx.AcknowledgeAck(ctx, m.Org.ID, r.ID, r.VersionSHA256); err != nil {
			return err
		}
		if out, err = tx.AckByID(ctx, m.Org.ID, r.ID); err != nil {
			return err
		}
		after := map[string]any{"document_id": r.DocumentID, "ref": r.Ref, "version": fmt.Sprintf("%d.%d", r.Major, r.Minor),
			"version_id": r.VersionID, "sha256": out.SHA256, "acknowledged_at": out.Acknowledged}
		if err := audit(ctx, tx, m.Org.ID, p, "document.acknowledge", "acknowledgement", r.ID, nil, after); err != nil {
			return err
		}
		return a.enqueueRecompute(ctx, tx, m.Org.ID)
	})
	return out, err
}

// Acknowledgements returns one page of acknowledgement requests. Requires
// read: a member who may not read the register (ActReadAudit) sees only
// their own, whatever the filter asks.
func (a *App) Acknowledgements(ctx context.Context, p Principal, slug string, f store.AckFilter) (*store.Page[store.AckRow], error) {
	var out *store.Page[store.AckRow]
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		if !m.Role.Can(isms.ActReadAudit) {
			f.UserID = m.UserID
		}
		if f.State != "" && !slices.Contains([]string{isms.AckDone, isms.AckOpen, isms.AckOverdue, "withdrawn"}, f.State) {
			return isms.Errorf(isms.EINVALID, "status: %q is not one of done, open, overdue, withdrawn", f.State)
		}
		f.Now = tx.Now
		var err error
		out, err = tx.AckPage(ctx, m.Org.ID, f)
		return err
	})
	return out, err
}

// askNewMember asks a person who just joined to acknowledge the current
// version of each document whose latest publication's audience includes
// them (in the transaction that added them).
func askNewMember(ctx context.Context, tx *store.Tx, orgID, userID int64, role isms.Role, p Principal) error {
	pubs, err := tx.LatestPublications(ctx, orgID)
	if err != nil {
		return err
	}
	for _, pub := range pubs {
		if !pub.Audience.Includes(role, userID) {
			continue
		}
		vs, err := tx.AckVersions(ctx, orgID, pub.DocumentID)
		if err != nil {
			return err
		}
		v := currentApproved(vs)
		if v == nil {
			continue
		}
		existing, err := tx.DocumentAcks(ctx, orgID, pub.DocumentID)
		if err != nil {
			return err
		}
		var mine []isms.AckRequest
		for _, r := range existing {
			if r.UserID == userID {
				mine = append(mine, r.AckRequest)
			}
		}
		plan := isms.PlanPublish(v.ID, v.Major, v.Minor, []int64{userID}, mine)
		for _, id := range plan.Drop {
			if err := tx.DropAck(ctx, orgID, id); err != nil {
				return err
			}
		}
		for _, id := range plan.Retarget {
			if err := tx.RetargetAck(ctx, orgID, id, v.ID, pub.ID); err != nil {
				return err
			}
		}
		for range plan.Create {
			id, err := tx.AddAck(ctx, orgID, pub.DocumentID, v.ID, pub.ID, userID)
			if err != nil {
				return err
			}
			after := map[string]any{"user_id": userID, "document_id": pub.DocumentID, "version": fmt.Sprintf("%d.%d", v.Major, v.Minor), "reason": "joined"}
			if err := audit(ctx, tx, orgID, p, "acknowledgement.request", "acknowledgement", id, nil, after); err != nil {
				return err
			}
		}
	}
	return nil
}

// dropLeaver withdraws the open requests of a person who left the
// organisation (in the transaction that removed them): a request withdrawn
// before its due date no longer counts in the acknowledgement rate.
func dropLeaver(ctx context.Context, tx *store.Tx, orgID, userID int64, p Principal) error {
	n, err := tx.DropUserAcks(ctx, orgID, userID)
	if err != nil || n == 0 {
		return err
	}
	return audit(ctx, tx, orgID, p, "acknowledgement.withdraw", "membership", userID, nil, map[string]any{"withdrawn": n, "reason": "member removed"})
}

// ackRecord is a request as the metric engine reads it.
func ackRecord(r *store.AckRow) *isms.Record {
	rec := &isms.Record{ID: r.ID, Kind: isms.RecordKind(measure.AcknowledgementKind),
		Key:   fmt.Sprintf("%s · %s %d.%d", r.UserName, r.Ref, r.Major, r.Minor),
		Times: map[string]time.Time{"requested_at": r.RequestedAt, "due_at": r.DueAt},
		Texts: map[string]string{"person": r.UserName, "document": r.Ref + " " + r.Title, "version": fmt.Sprintf("%d.%d", r.Major, r.Minor),
			"version_id": strconv.FormatInt(r.VersionID, 10)}}
	if r.Acknowledged != nil {
		rec.Times["acknowledged_at"] = *r.Acknowledged
	}
	return rec
}

// AckDrillColumns are the columns the drill-down of the acknowledgement
// rate shows.
var AckDrillColumns = []string{"person", "document", "version", "requested_at", "due_at", "acknowledged_at"}

// streamAcks feeds the metric engine the requests made in the window that
// count in the rate (isms.AckRequest.Counts).
func (l *recordLoader) streamAcks(w store.Window, fn func(*measure.Record)) error {
	from, to := w.From, w.To
	if w.Mode != store.WindowRange {
		from, to = time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return l.tx.StreamAcks(l.ctx, l.orgID, from, to, func(r *store.AckRow) {
		if !r.Counts() {
			return
		}
		rec := ackRecord(r)
		fn(&measure.Record{ID: rec.ID, Key: rec.Key, Times: rec.Times, Texts: rec.Texts})
	})
}

// drillRecord reads one record behind a figure: an imported record, or an
// acknowledgement request for the acknowledgement rate.
func drillRecord(ctx context.Context, tx *store.Tx, orgID int64, kind string, id int64) (isms.Record, error) {
	if kind == measure.AcknowledgementKind {
		r, err := tx.AckByID(ctx, orgID, id)
		if err != nil {
			return isms.Record{}, err
		}
		return *ackRecord(r), nil
	}
	return tx.RecordByID(ctx, orgID, isms.RecordKind(kind), id)
}

// ackRegister is the acknowledgement register as an export (CSV, XLSX,
// and the evidence bundle): every request with its person, version,
// dates, state and the hash recorded. Reading it needs ActReadAudit.
func ackRegister() RegisterSource {
	return RegisterSource{Name: "acknowledgements", Title: "Policy acknowledgements", Action: isms.ActReadAudit,
		Build: func(ctx context.Context, tx *store.Tx, o *isms.Organization) (*export.Table, error) {
			t := &export.Table{Columns: []string{"id", "person", "email", "document", "title", "version", "requested_at", "due_at", "acknowledged_at", "withdrawn_at", "status", "sha256"},
				Types: map[string]export.Type{"id": export.Number, "requested_at": export.Time, "due_at": export.Time, "acknowledged_at": export.Time, "withdrawn_at": export.Time}}
			f := store.AckFilter{Now: tx.Now}
			f.Limit = store.MaxPageSize
			for {
				pg, err := tx.AckPage(ctx, o.ID, f)
				if err != nil {
					return nil, err
				}
				for _, r := range pg.Items {
					t.Rows = append(t.Rows, []string{strconv.FormatInt(r.ID, 10), r.UserName, r.Email, r.Ref, r.Title, fmt.Sprintf("%d.%d", r.Major, r.Minor),
						fmtTime(&r.RequestedAt), fmtTime(&r.DueAt), fmtTime(r.Acknowledged), fmtTime(r.Dropped), r.State(tx.Now), r.SHA256})
				}
				if !pg.More {
					return t, nil
				}
				f.Offset += len(pg.Items)
			}
		}}
}

// ackDueItems lists each open acknowledgement request as due on its due
// date, owned by its person, so the reminder rules and the digest follow
// it.
func ackDueItems(ctx context.Context, tx *store.Tx, o *isms.Organization, _ time.Time) ([]DueItem, error) {
	rows, err := tx.OpenAcks(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	out := make([]DueItem, 0, len(rows))
	for _, r := range rows {
		out = append(out, DueItem{Key: fmt.Sprintf("ack:%d:%d", r.VersionID, r.UserID), Kind: "document-acknowledgement",
			Title: fmt.Sprintf("Read and acknowledge %s %s, version %d.%d", r.Ref, r.Title, r.Major, r.Minor),
			Due:   r.DueAt, OwnerID: r.UserID, Link: fmt.Sprintf("/o/%s/acknowledgements/versions/%d", o.Slug, r.VersionID)})
	}
	return out, nil
}
