package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// The register of one framework (issue 19, item 2): the organisation's
// decisions (soa_entries under the framework's key) over the framework's
// requirements, paged and filtered in SQL, and the coverage figures.

// FrameworkCoverage counts a framework's requirements (controls and
// enhancements, withdrawn ones left out) by the organisation's decisions.
// Evidence, metric and deviation counts are of applicable requirements.
type FrameworkCoverage struct {
	Requirements   int
	Decided        int
	Applicable     int
	Implemented    int
	WithEvidence   int // evidence text or a linked document
	WithMetric     int // a linked process with at least one metric definition
	OpenDeviations int // a linked process has an open deviation (Annex A: or a deviation names the control)
}

// FrameworkCoverage computes the coverage of the framework in the
// organisation in one statement.
func (tx *Tx) FrameworkCoverage(ctx context.Context, orgID int64, f *isms.Framework) (FrameworkCoverage, error) {
	var c FrameworkCoverage
	err := tx.queryRow(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN e.control_id IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN e.applicable THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN e.applicable AND e.status = 'implemented' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN e.applicable AND (e.evidence <> '' OR EXISTS (SELECT 1 FROM soa_documents sd
			WHERE sd.org_id = $1 AND sd.catalogue = $2 AND sd.control_id = r.req_id)) THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN e.applicable AND EXISTS (SELECT 1 FROM soa_processes sp JOIN process_metrics pm ON pm.process_id = sp.process_id
			WHERE sp.org_id = $1 AND sp.catalogue = $2 AND sp.control_id = r.req_id AND pm.org_id = $1
			AND EXISTS (SELECT 1 FROM metric_definitions md WHERE md.org_id = $1 AND md.metric_key = pm.metric_key)) THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN e.applicable AND (EXISTS (SELECT 1 FROM soa_processes sp JOIN deviations d ON d.process_id = sp.process_id
			WHERE sp.org_id = $1 AND sp.catalogue = $2 AND sp.control_id = r.req_id AND d.org_id = $1 AND d.status <> 'closed')
			OR ($4 AND EXISTS (SELECT 1 FROM deviations d WHERE d.org_id = $1 AND d.control_ref = r.req_id AND d.status <> 'closed'))) THEN 1 ELSE 0 END), 0)
		FROM framework_requirements r
		LEFT JOIN soa_entries e ON e.org_id = $1 AND e.catalogue = $2 AND e.control_id = r.req_id
		WHERE r.framework_id = $3 AND r.kind <> 'group' AND NOT r.withdrawn`,
		orgID, f.Key, f.ID, f.Key == isms.FrameworkAnnexA).Scan(&c.Requirements, &c.Decided, &c.Applicable, &c.Implemented,
		&c.WithEvidence, &c.WithMetric, &c.OpenDeviations)
	if err != nil {
		return c, fmt.Errorf("framework coverage %s: %w", f.Key, err)
	}
	return c, nil
}

// RegisterFilter narrows a framework's register; zero values do not
// filter.
type RegisterFilter struct {
	Group         string // a group's identifier: the requirements under it, at any depth
	Applicability string // yes, no or undecided
	Status        isms.ImplementationStatus
	Text          string // in the identifier, label, title or statement
	Offset, Limit int
	NoCount       bool // no count of all that match: the page's Total is -1
}

// RegisterRow is one requirement of a framework with the organisation's
// decision about it.
type RegisterRow struct {
	isms.Requirement
	GroupID, GroupTitle string // the nearest group above it
	Decided             bool
	Applicable          bool
	Justification       string
	Status              isms.ImplementationStatus
	OwnerID             int64
	Owner               string // the owner's name
	Evidence            string
	UpdatedBy           string
	UpdatedAt           *time.Time
	ProcessIDs          []int64
	DocumentIDs         []int64
}

// Decision is "applicable", "excluded" or "not yet decided".
func (r RegisterRow) Decision() string {
	switch {
	case !r.Decided:
		return "not yet decided"
	case r.Applicable:
		return "applicable"
	}
	return "excluded"
}

// registerSubtree is the WITH clause of the requirements under the group
// whose identifier is the placeholder group (the framework's id is $3): a
// level at a time, each row's children sought on (framework_id,
// parent_id), migration 0045. CROSS JOIN keeps SQLite from putting the
// framework's requirements first and the subtree inside, which read every
// requirement for each row of the subtree (1 s for a group of a framework
// of 100,000; TestRegisterSubtreePlan).
func registerSubtree(group string) string {
	return `WITH RECURSIVE sub (req_id) AS (SELECT req_id FROM framework_requirements WHERE framework_id = $3 AND req_id = ` + group + `
			UNION ALL SELECT c.req_id FROM sub CROSS JOIN framework_requirements c WHERE c.framework_id = $3 AND c.parent_id = sub.req_id) `
}

// registerCountFrom is registerFrom without the joins no filter reads
// (the parent, grandparent and owner): a count of every requirement of a
// large framework paid for them (docs/BENCHMARKS.md, "Framework
// registers").
const registerCountFrom = ` FROM framework_requirements r
	LEFT JOIN soa_entries e ON e.org_id = $1 AND e.catalogue = $2 AND e.control_id = r.req_id`

const registerFrom = ` FROM framework_requirements r
	LEFT JOIN framework_requirements p ON p.framework_id = r.framework_id AND p.req_id = r.parent_id
	LEFT JOIN framework_requirements gp ON gp.framework_id = r.framework_id AND gp.req_id = p.parent_id
	LEFT JOIN soa_entries e ON e.org_id = $1 AND e.catalogue = $2 AND e.control_id = r.req_id
	LEFT JOIN users u ON u.id = e.owner_id`

const registerColumns = `r.req_id, r.parent_id, r.kind, r.class, r.label, r.title, r.statement, r.guidance, r.withdrawn, r.position,
	COALESCE(CASE WHEN p.kind = 'group' THEN p.req_id ELSE gp.req_id END, ''), COALESCE(CASE WHEN p.kind = 'group' THEN p.title ELSE gp.title END, ''),
	e.control_id IS NOT NULL, COALESCE(e.applicable, false), COALESCE(e.justification, ''), COALESCE(e.status, ''),
	COALESCE(e.owner_id, 0), COALESCE(u.name, ''), COALESCE(e.evidence, ''), COALESCE(e.updated_by, ''), e.updated_at`

func scanRegisterRow(row interface{ Scan(...any) error }) (*RegisterRow, error) {
	var r RegisterRow
	var kind, status string
	var at nullTime
	if err := row.Scan(&r.ID, &r.ParentID, &kind, &r.Class, &r.Label, &r.Title, &r.Statement, &r.Guidance, &r.Withdrawn, &r.Position,
		&r.GroupID, &r.GroupTitle, &r.Decided, &r.Applicable, &r.Justification, &status, &r.OwnerID, &r.Owner, &r.Evidence, &r.UpdatedBy, &at); err != nil {
		return nil, err
	}
	r.Kind, r.Status = isms.RequirementKind(kind), isms.ImplementationStatus(status)
	if at.Valid {
		t := at.Time.UTC()
		r.UpdatedAt = &t
	}
	return &r, nil
}

// FrameworkRegister returns a page of the framework's requirements that
// can be decided (controls and enhancements, not withdrawn), in document
// order, with the organisation's decisions, and the count of all that
// match the filter (unless NoCount).
func (tx *Tx) FrameworkRegister(ctx context.Context, orgID int64, f *isms.Framework, flt RegisterFilter) (*Page[*RegisterRow], error) {
	args := []any{orgID, f.Key, f.ID}
	cond := []string{"r.framework_id = $3", "r.kind <> 'group'", "NOT r.withdrawn"}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	with := ""
	if flt.Group != "" {
		with = registerSubtree(arg(flt.Group))
		cond = append(cond, "r.req_id IN (SELECT req_id FROM sub)")
	}
	switch flt.Applicability {
	case "yes":
		cond = append(cond, "e.control_id IS NOT NULL AND e.applicable")
	case "no":
		cond = append(cond, "e.control_id IS NOT NULL AND NOT e.applicable")
	case "undecided":
		cond = append(cond, "e.control_id IS NULL")
	case "":
	default:
		return nil, isms.Errorf(isms.EINVALID, "applicability %q: use yes, no or undecided", flt.Applicability)
	}
	if flt.Status != "" {
		cond = append(cond, "e.applicable AND e.status = "+arg(string(flt.Status)))
	}
	if q := strings.ToLower(strings.TrimSpace(flt.Text)); q != "" {
		q = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q)
		l := arg("%" + q + "%")
		cond = append(cond, fmt.Sprintf(`(LOWER(r.req_id) LIKE %[1]s ESCAPE '\' OR LOWER(r.label) LIKE %[1]s ESCAPE '\' OR LOWER(r.title) LIKE %[1]s ESCAPE '\' OR LOWER(r.statement) LIKE %[1]s ESCAPE '\')`, l))
	}
	where := " WHERE " + strings.Join(cond, " AND ")
	out := &Page[*RegisterRow]{Offset: max(0, flt.Offset), Limit: flt.Limit}
	if out.Limit <= 0 || out.Limit > 500 {
		out.Limit = 100
	}
	if flt.NoCount {
		out.Total = -1
	} else if err := tx.queryRow(ctx, with+`SELECT COUNT(*)`+registerCountFrom+where, args...).Scan(&out.Total); err != nil {
		return nil, fmt.Errorf("count register %s: %w", f.Key, err)
	}
	lim, off := arg(out.Limit+1), arg(out.Offset)
	order := `r.position`
	if flt.Group != "" {
		// A group's subtree is read by its identifiers and sorted, not
		// found by reading the framework in order up to it.
		order = `r.position + 0`
	}
	rows, err := tx.query(ctx, with+`SELECT `+registerColumns+registerFrom+where+` ORDER BY `+order+` LIMIT `+lim+` OFFSET `+off, args...)
	if err != nil {
		return nil, fmt.Errorf("list register %s: %w", f.Key, err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRegisterRow(rows)
		if err != nil {
			return nil, fmt.Errorf("scan register row: %w", err)
		}
		out.Items = append(out.Items, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out.Items) > out.Limit {
		out.Items, out.More = out.Items[:out.Limit], true
	}
	return out, nil
}

// RegisterRequirement returns one requirement of the framework with the
// organisation's decision, linked processes and documents, or ENOTFOUND.
func (tx *Tx) RegisterRequirement(ctx context.Context, orgID int64, f *isms.Framework, reqID string) (*RegisterRow, error) {
	r, err := scanRegisterRow(tx.queryRow(ctx, `SELECT `+registerColumns+registerFrom+` WHERE r.framework_id = $3 AND r.req_id = $4`, orgID, f.Key, f.ID, reqID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, isms.Errorf(isms.ENOTFOUND, "requirement %q is not in %s", reqID, f.Title)
	}
	if err != nil {
		return nil, fmt.Errorf("read requirement %s: %w", reqID, err)
	}
	if r.ProcessIDs, err = tx.ids(ctx, `SELECT process_id FROM soa_processes WHERE org_id = $1 AND catalogue = $2 AND control_id = $3 ORDER BY process_id`, orgID, f.Key, reqID); err != nil {
		return nil, err
	}
	if r.DocumentIDs, err = tx.ids(ctx, `SELECT document_id FROM soa_documents WHERE org_id = $1 AND catalogue = $2 AND control_id = $3 ORDER BY document_id`, orgID, f.Key, reqID); err != nil {
		return nil, err
	}
	return r, nil
}

func (tx *Tx) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list links: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// RegisterDecision is a decision about a requirement of a framework with
// the fields the generic register adds to the Statement of Applicability.
type RegisterDecision struct {
	SoARow
	OwnerID     int64 // 0: none
	Evidence    string
	DocumentIDs []int64
}

// SaveRegisterDecision inserts or replaces the decision, its linked
// processes (SaveSoAEntry), owner, evidence and documents. The app checks
// first that the owner, processes and documents are the organisation's.
func (tx *Tx) SaveRegisterDecision(ctx context.Context, orgID int64, d *RegisterDecision) error {
	if err := tx.SaveSoAEntry(ctx, orgID, &d.SoARow); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE soa_entries SET owner_id = $1, evidence = $2 WHERE org_id = $3 AND catalogue = $4 AND control_id = $5`,
		nullID(d.OwnerID), d.Evidence, orgID, d.Catalogue, d.ControlID); err != nil {
		return fmt.Errorf("save owner and evidence of %s: %w", d.ControlID, err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM soa_documents WHERE org_id = $1 AND catalogue = $2 AND control_id = $3`, orgID, d.Catalogue, d.ControlID); err != nil {
		return fmt.Errorf("unlink documents: %w", err)
	}
	for _, id := range d.DocumentIDs {
		if _, err := tx.exec(ctx, `INSERT INTO soa_documents (org_id, catalogue, control_id, document_id) VALUES ($1, $2, $3, $4)`,
			orgID, d.Catalogue, d.ControlID, id); err != nil {
			return fmt.Errorf("link document %d: %w", id, err)
		}
	}
	return nil
}

// MappedCover is an implemented requirement of another enabled framework
// that maps to a requirement of this one.
type MappedCover struct {
	ReqID           string // the requirement of this framework
	OtherKey        string
	OtherTitle      string // the other framework's title
	OtherReq        string
	OtherLabel      string
	OtherReqTitle   string
	Relation        isms.MappingRelation // read from this requirement's end
	OtherStatus     isms.ImplementationStatus
	OtherDecided    bool
	OtherApplicable bool
}

// MappedCovers returns, for the given requirements of the framework, the
// requirements of the organisation's other enabled frameworks that map
// to them and that it has decided applicable and implemented.
func (tx *Tx) MappedCovers(ctx context.Context, orgID int64, f *isms.Framework, reqIDs []string) (map[string][]MappedCover, error) {
	out := map[string][]MappedCover{}
	if len(reqIDs) == 0 {
		return out, nil
	}
	args := []any{orgID, f.ID}
	for _, id := range reqIDs {
		args = append(args, id)
	}
	in := marks(3, len(reqIDs))
	// Both ends: from the source end as stored, from the target end with
	// the relation inverted (in Go).
	rows, err := tx.query(ctx, `SELECT 1, m.source_req, o.key, o.title, m.target_req, COALESCE(orq.label, ''), COALESCE(orq.title, ''), m.relation, e.status
			FROM framework_mappings m JOIN frameworks o ON o.id = m.target_framework_id
			JOIN org_frameworks ofw ON ofw.org_id = $1 AND ofw.framework_id = o.id
			JOIN soa_entries e ON e.org_id = $1 AND e.catalogue = o.key AND e.control_id = m.target_req AND e.applicable AND e.status = 'implemented'
			LEFT JOIN framework_requirements orq ON orq.framework_id = o.id AND orq.req_id = m.target_req
			WHERE (m.org_id IS NULL OR m.org_id = $1) AND (o.org_id IS NULL OR o.org_id = $1) AND m.source_framework_id = $2 AND o.id <> $2 AND m.source_req IN `+in+`
		UNION ALL SELECT 2, m.target_req, o.key, o.title, m.source_req, COALESCE(orq.label, ''), COALESCE(orq.title, ''), m.relation, e.status
			FROM framework_mappings m JOIN frameworks o ON o.id = m.source_framework_id
			JOIN org_frameworks ofw ON ofw.org_id = $1 AND ofw.framework_id = o.id
			JOIN soa_entries e ON e.org_id = $1 AND e.catalogue = o.key AND e.control_id = m.source_req AND e.applicable AND e.status = 'implemented'
			LEFT JOIN framework_requirements orq ON orq.framework_id = o.id AND orq.req_id = m.source_req
			WHERE (m.org_id IS NULL OR m.org_id = $1) AND (o.org_id IS NULL OR o.org_id = $1) AND m.target_framework_id = $2 AND o.id <> $2 AND m.target_req IN `+in+`
		ORDER BY 2, 3, 5`, args...)
	if err != nil {
		return nil, fmt.Errorf("list mapped coverage: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var end int
		var c MappedCover
		var rel, status string
		if err := rows.Scan(&end, &c.ReqID, &c.OtherKey, &c.OtherTitle, &c.OtherReq, &c.OtherLabel, &c.OtherReqTitle, &rel, &status); err != nil {
			return nil, fmt.Errorf("scan mapped coverage: %w", err)
		}
		c.Relation, c.OtherStatus, c.OtherDecided, c.OtherApplicable = isms.MappingRelation(rel), isms.ImplementationStatus(status), true, true
		if end == 2 {
			c.Relation = c.Relation.Inverse()
		}
		if c.OtherLabel == "" {
			c.OtherLabel = c.OtherReq
		}
		out[c.ReqID] = append(out[c.ReqID], c)
	}
	return out, rows.Err()
}

// RequirementDecision is the organisation's decision about a requirement
// of a framework (for the other end of a mapping).
func (tx *Tx) RequirementDecision(ctx context.Context, orgID int64, catalogue, reqID string) (decided, applicable bool, status isms.ImplementationStatus, err error) {
	var st string
	err = tx.queryRow(ctx, `SELECT applicable, status FROM soa_entries WHERE org_id = $1 AND catalogue = $2 AND control_id = $3`, orgID, catalogue, reqID).Scan(&applicable, &st)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, "", nil
	}
	if err != nil {
		return false, false, "", fmt.Errorf("read decision %s: %w", reqID, err)
	}
	return true, applicable, isms.ImplementationStatus(st), nil
}

// RisksNaming returns the references of the organisation's risks that
// name the requirement of the catalogue among their controls.
func (tx *Tx) RisksNaming(ctx context.Context, orgID int64, catalogue, reqID string) ([]RiskRef, error) {
	rows, err := tx.query(ctx, `SELECT r.id, r.number, r.asset, r.threat FROM risk_controls rc JOIN risks r ON r.id = rc.risk_id
		WHERE rc.org_id = $1 AND rc.catalogue = $2 AND rc.control_id = $3 AND r.org_id = $1 ORDER BY r.number`, orgID, catalogue, reqID)
	if err != nil {
		return nil, fmt.Errorf("list risks naming %s: %w", reqID, err)
	}
	defer rows.Close()
	var out []RiskRef
	for rows.Next() {
		var r RiskRef
		var number int
		var asset, threat string
		if err := rows.Scan(&r.ID, &number, &asset, &threat); err != nil {
			return nil, err
		}
		r.Ref, r.Title = fmt.Sprintf("R-%03d", number), asset+": "+threat
		out = append(out, r)
	}
	return out, rows.Err()
}

// RiskRef names a risk.
type RiskRef struct {
	ID         int64
	Ref, Title string
}

// DocumentChoice is a document that a requirement can link.
type DocumentChoice struct {
	ID         int64
	Ref, Title string
}

// LinkableDocuments returns the organisation's documents that are not
// retired, by reference.
func (tx *Tx) LinkableDocuments(ctx context.Context, orgID int64) ([]DocumentChoice, error) {
	rows, err := tx.query(ctx, `SELECT id, ref, title FROM documents WHERE org_id = $1 AND retired_at IS NULL ORDER BY ref, id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	defer rows.Close()
	var out []DocumentChoice
	for rows.Next() {
		var d DocumentChoice
		if err := rows.Scan(&d.ID, &d.Ref, &d.Title); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// FrameworkGroups returns the framework's groups in document order (the
// register's headings and group filter), without the rest of the text.
func (tx *Tx) FrameworkGroups(ctx context.Context, frameworkID int64) ([]isms.Requirement, error) {
	rows, err := tx.query(ctx, `SELECT req_id, parent_id, label, title FROM framework_requirements WHERE framework_id = $1 AND kind = 'group' ORDER BY position`, frameworkID)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	defer rows.Close()
	var out []isms.Requirement
	for rows.Next() {
		r := isms.Requirement{Kind: isms.KindGroup}
		if err := rows.Scan(&r.ID, &r.ParentID, &r.Label, &r.Title); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
