package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/export"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// CheckpointFile is the evidence bundle's copy of the organisation's
// latest signed audit checkpoint.
const CheckpointFile = "audit-checkpoint.json"

// RegisterSource builds one exportable register of an organisation.
type RegisterSource struct {
	Name   string // file base name: "processes", "records-incidents"
	Title  string
	Action isms.Action // what reading it needs
	Build  func(ctx context.Context, tx *store.Tx, o *isms.Organization) (*export.Table, error)
}

// OnRegister adds an exportable register (aggregates register theirs).
func (a *App) OnRegister(s RegisterSource) { a.registers = append(a.registers, s) }

// Registers lists the registers the principal may export.
func (a *App) Registers(ctx context.Context, p Principal, slug string) ([]RegisterSource, error) {
	m, err := a.Authorize(ctx, p, slug, isms.ActRead)
	if err != nil {
		return nil, err
	}
	var out []RegisterSource
	for _, r := range a.registers {
		if m.can(r.Action) == nil {
			out = append(out, r)
		}
	}
	// Issue 19: the records of each kind of the organisation's own.
	err = a.DB.Read(ctx, func(tx *store.Tx) error {
		ks, err := tx.RecordKinds(ctx, m.Org.ID)
		for _, k := range ks {
			out = append(out, customRegister(k.Spec()))
		}
		return err
	})
	return out, err
}

// customRegister is the register of a kind of the organisation's own,
// named like a built-in kind's (records-customer-complaints).
func customRegister(spec isms.KindSpec) RegisterSource {
	return RegisterSource{Name: "records-" + strings.ReplaceAll(string(spec.Kind), "_", "-"), Title: "Records: " + spec.Title, Action: isms.ActRead, Build: recordsTable(spec)}
}

// ExportRegister builds one register. ENOTFOUND for an unknown name,
// EFORBIDDEN when the role may not read it.
func (a *App) ExportRegister(ctx context.Context, p Principal, slug, name string) (*export.Table, error) {
	var out *export.Table
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		for _, r := range a.registers {
			if r.Name != name {
				continue
			}
			if err := m.can(r.Action); err != nil {
				return err
			}
			out, err = r.Build(ctx, tx, m.Org)
			if out != nil {
				out.Name, out.Title = r.Name, r.Title
			}
			return err
		}
		// Issue 19: a kind of the organisation's own.
		if key, ok := strings.CutPrefix(name, "records-"); ok {
			k, err := tx.RecordKindByKey(ctx, m.Org.ID, strings.ReplaceAll(key, "-", "_"))
			if err == nil {
				r := customRegister(k.Spec())
				if out, err = r.Build(ctx, tx, m.Org); out != nil {
					out.Name, out.Title = r.Name, r.Title
				}
				return err
			}
		}
		return isms.Errorf(isms.ENOTFOUND, "no register %q", name)
	})
	return out, err
}

// EvidenceBundle writes a zip for a certification audit: every register
// as CSV and XLSX (the audit trail with the fields that recompute its
// hash chain), a README and a SHA-256 manifest. Requires read_audit. It
// returns the manifest. The download is recorded in the audit trail
// (export.download) before the zip is written to w.
func (a *App) EvidenceBundle(ctx context.Context, p Principal, slug string, w io.Writer) (string, error) {
	m, err := a.Authorize(ctx, p, slug, isms.ActReadAudit)
	if err != nil {
		return "", err
	}
	regs, err := a.Registers(ctx, p, slug)
	if err != nil {
		return "", err
	}
	at := a.DB.Now().UTC().Truncate(time.Second)
	var files []export.File
	var names []string
	for _, r := range regs {
		t, err := a.ExportRegister(ctx, p, slug, r.Name)
		if err != nil {
			return "", fmt.Errorf("register %s: %w", r.Name, err)
		}
		var c, x bytes.Buffer
		if err := export.WriteCSV(&c, t); err != nil {
			return "", err
		}
		if err := export.WriteXLSX(&x, t); err != nil {
			return "", err
		}
		files = append(files, export.File{Name: "registers/" + r.Name + ".csv", Data: c.Bytes()}, export.File{Name: "registers/" + r.Name + ".xlsx", Data: x.Bytes()})
		names = append(names, fmt.Sprintf("- %s: %s (%d rows)", r.Name, r.Title, len(t.Rows)))
	}
	// The latest signed review: its pack as PDF and its frozen snapshot.
	reviews, err := a.Reviews(ctx, p, slug)
	if err != nil {
		return "", err
	}
	for _, r := range reviews { // newest first
		if r.Status != isms.ReviewSigned {
			continue
		}
		var pdf bytes.Buffer
		if err := a.ReviewPDF(ctx, p, slug, r.ID, &pdf); err != nil {
			return "", fmt.Errorf("review pack: %w", err)
		}
		files = append(files, export.File{Name: "review-" + r.Period + ".pdf", Data: pdf.Bytes()},
			export.File{Name: "review-" + r.Period + "-snapshot.json", Data: []byte(r.Snapshot)})
		names = append(names, "- review-"+r.Period+".pdf: the latest signed management review pack; review-"+r.Period+
			"-snapshot.json is what was shown, SHA-256 "+r.SnapshotSHA256+" (also in the audit trail)")
		break
	}
	// The organisation's latest signed checkpoint of its audit chain, so a
	// copy leaves the database with every bundle.
	var cp *isms.Checkpoint
	if err := a.read(ctx, p, slug, isms.ActReadAudit, func(tx *store.Tx, m *Member) error {
		var err error
		cp, err = latestCheckpoint(ctx, tx, m.Org.ID)
		return err
	}); err != nil {
		return "", err
	}
	if cp != nil {
		h, _ := cp.For(m.Org.ID)
		files = append(files, export.File{Name: CheckpointFile, Data: cp.JSON()})
		names = append(names, fmt.Sprintf("- %s: the latest signed checkpoint of the audit trail (%s, %d events, key %s); check it with pdca audit verify --checkpoint %s --public-key KEY.pub",
			CheckpointFile, cp.Time, h.Seq, cp.KeyID, CheckpointFile))
	}
	poam, err := a.POAM(ctx, p, slug)
	if err != nil {
		return "", fmt.Errorf("poam: %w", err)
	}
	files = append(files, export.File{Name: "poam.json", Data: poam})
	names = append(names, "- poam.json: open deviations and corrective actions as an OSCAL 1.0.4 Plan of Action and Milestones")
	readme := fmt.Sprintf(`Evidence bundle of %s (%s), made by pdca at %s.

Contents:
%s

Check the files: sha256sum -c %s
The audit trail (registers/audit-trail.csv) is a hash chain per
organisation, in seq order; prev_hash is the hash of the event before
(empty for seq 1). Each event's hash is the lower-case hex SHA-256 of the
UTF-8 bytes of this compact JSON array (no spaces), built from the CSV's
columns:

  [org_id, seq, actor_id, actor, action, entity, entity_id, before, after, at, prev_hash]

org_id, seq and actor_id are JSON numbers; every other element is a JSON
string holding the column's text exactly (before and after are JSON
documents kept as text, "" when empty; at is RFC 3339 in UTC with the
fraction of a second to nanoseconds, trailing zeros dropped, as in the
column). Strings are escaped as Go's encoding/json escapes them: " and \
with a backslash; \b, \f, \n, \r and \t; other control characters
as \u00XX (lower-case hex); <, > and & as \u003c, \u003e and \u0026;
U+2028 and U+2029 as \u2028 and \u2029; every other character as itself,
/ included. "pdca audit verify" recomputes
the chains on the database.
The CSV files cannot start spreadsheet formulas: a field beginning with =,
+, -, @, a tab, a carriage return or ' has one ' put in front (plain numbers
excepted). Remove one leading ' from every field that has one before
recomputing the hashes.
`, m.Org.Name, m.Org.Slug, at.Format(time.RFC3339), strings.Join(names, "\n"), export.ManifestName)
	files = append(files, export.File{Name: "README.txt", Data: []byte(readme)})
	var buf bytes.Buffer
	if err := export.WriteBundle(&buf, files, at); err != nil {
		return "", err
	}
	x := ExportInfo{Kind: "evidence-bundle", Format: "zip", Rows: len(files), Bytes: int64(buf.Len()), SHA256: sum(buf.Bytes())}
	if err := a.RecordExport(ctx, p, slug, x); err != nil {
		return "", err
	}
	if _, err := buf.WriteTo(w); err != nil {
		return "", err
	}
	return export.Manifest(files), nil
}

func fmtTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func fmtNum(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// builtinRegisters are the registers of the foundation, records, metrics
// and processes.
func builtinRegisters() []RegisterSource {
	regs := []RegisterSource{
		{Name: "processes", Title: "Processes", Action: isms.ActRead, Build: func(ctx context.Context, tx *store.Tx, o *isms.Organization) (*export.Table, error) {
			ps, err := tx.Processes(ctx, o.ID)
			t := &export.Table{Columns: []string{"id", "name", "purpose", "owner", "owner_email", "trigger", "deadline", "deadline_hours", "impact", "recurrence", "risk", "score", "metrics", "template", "updated_at"}, Types: map[string]export.Type{"id": export.Number, "deadline_hours": export.Number, "impact": export.Number, "recurrence": export.Number, "risk": export.Number, "score": export.Number, "updated_at": export.Time}}
			for _, p := range ps {
				t.Rows = append(t.Rows, []string{strconv.FormatInt(p.ID, 10), p.Name, p.Purpose, p.OwnerName, p.OwnerEmail, p.Trigger, p.Deadline, fmtNum(p.DeadlineHours),
					strconv.Itoa(p.Impact), strconv.Itoa(p.Recurrence), strconv.Itoa(p.Risk), strconv.Itoa(p.Score()), strings.Join(p.Metrics, " "), p.Template, fmtTime(&p.UpdatedAt)})
			}
			return t, err
		}},
		{Name: "cycles", Title: "Improvement cycles", Action: isms.ActRead, Build: func(ctx context.Context, tx *store.Tx, o *isms.Organization) (*export.Table, error) {
			cs, err := tx.Cycles(ctx, o.ID)
			t := &export.Table{Columns: []string{"id", "name", "start", "end", "goals", "length_reason", "focus_reason", "processes", "baseline"}, Types: map[string]export.Type{"id": export.Number, "start": export.Time, "end": export.Time}}
			for _, c := range cs {
				full, chosen, err := tx.Cycle(ctx, o.ID, c.ID)
				if err != nil {
					return nil, err
				}
				var ids, base []string
				for _, cp := range chosen {
					ids = append(ids, strconv.FormatInt(cp.ProcessID, 10))
					base = append(base, cp.Baseline)
				}
				loc := o.Location()
				t.Rows = append(t.Rows, []string{strconv.FormatInt(full.ID, 10), full.Name, full.Start.In(loc).Format(time.DateOnly), full.End.In(loc).Format(time.DateOnly),
					full.Goals, full.LengthReason, full.FocusReason, strings.Join(ids, " "), "[" + strings.Join(base, ",") + "]"})
			}
			return t, err
		}},
		{Name: "metrics", Title: "Metric definitions", Action: isms.ActRead, Build: func(ctx context.Context, tx *store.Tx, o *isms.Organization) (*export.Table, error) {
			defs, err := tx.CurrentMetrics(ctx, o.ID)
			t := &export.Table{Columns: []string{"key", "version", "changed_by", "changed_at", "definition"}, Types: map[string]export.Type{"version": export.Number, "changed_at": export.Time}}
			for _, d := range defs {
				t.Rows = append(t.Rows, []string{d.Key, strconv.FormatInt(d.Version, 10), d.ChangedBy, fmtTime(&d.CreatedAt), d.Definition})
			}
			return t, err
		}},
		{Name: "measurements", Title: "Measurements", Action: isms.ActRead, Build: func(ctx context.Context, tx *store.Tx, o *isms.Organization) (*export.Table, error) {
			ms, err := tx.Measurements(ctx, o.ID)
			t := &export.Table{Columns: []string{"metric", "period", "value", "unit", "status", "population", "met", "missed", "pending", "counted", "definition_version", "as_of", "reason"}, Types: map[string]export.Type{"value": export.Number, "population": export.Number, "met": export.Number, "missed": export.Number, "pending": export.Number, "counted": export.Number, "definition_version": export.Number, "as_of": export.Time}}
			for _, m := range ms {
				t.Rows = append(t.Rows, []string{m.Key, m.Period, fmtNum(round(m.Value)), m.Unit, m.Status, strconv.Itoa(m.Population), strconv.Itoa(m.Met), strconv.Itoa(m.Missed),
					strconv.Itoa(m.Pending), strconv.Itoa(m.Counted), strconv.FormatInt(m.Version, 10), fmtTime(&m.AsOf), m.Reason})
			}
			return t, err
		}},
		{Name: "audit-trail", Title: "Audit trail", Action: isms.ActReadAudit, Build: func(ctx context.Context, tx *store.Tx, o *isms.Organization) (*export.Table, error) {
			t := &export.Table{Columns: []string{"seq", "id", "at", "actor_id", "actor", "action", "entity", "entity_id", "before", "after", "prev_hash", "hash", "org_id"},
				Types: map[string]export.Type{"seq": export.Number, "id": export.Number, "actor_id": export.Number, "org_id": export.Number}}
			err := tx.EachEvent(ctx, o.ID, func(e isms.Event) error {
				t.Rows = append(t.Rows, []string{strconv.FormatInt(e.Seq, 10), strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano), strconv.FormatInt(e.ActorID, 10),
					e.Actor, e.Action, e.Entity, e.EntityID, e.Before, e.After, e.PrevHash, e.Hash, strconv.FormatInt(e.OrgID, 10)})
				return nil
			})
			return t, err
		}},
	}
	for _, spec := range isms.Kinds() {
		regs = append(regs, RegisterSource{Name: "records-" + strings.ReplaceAll(string(spec.Kind), "_", "-"), Title: "Records: " + spec.Title, Action: isms.ActRead, Build: recordsTable(spec)})
	}
	return regs
}

// recordsTable exports one record kind: its columns (RFC 3339 times),
// then the attributes as JSON.
func recordsTable(spec isms.KindSpec) func(ctx context.Context, tx *store.Tx, o *isms.Organization) (*export.Table, error) {
	return func(ctx context.Context, tx *store.Tx, o *isms.Organization) (*export.Table, error) {
		t := &export.Table{Columns: []string{"id"}, Types: map[string]export.Type{"id": export.Number}}
		for _, f := range spec.Fields {
			t.Columns = append(t.Columns, f.Name)
			switch f.Type {
			case isms.FieldTime:
				t.Types[f.Name] = export.Time
			case isms.FieldBool:
				t.Types[f.Name] = export.Bool
			case isms.FieldNumber: // issue 19
				t.Types[f.Name] = export.Number
			}
		}
		t.Columns = append(t.Columns, "attributes")
		err := tx.EachRecord(ctx, o.ID, spec.Kind, func(r isms.Record) error {
			row := []string{strconv.FormatInt(r.ID, 10)}
			for _, f := range spec.Fields {
				switch f.Type {
				case isms.FieldTime:
					if v, ok := r.Times[f.Name]; ok {
						row = append(row, v.UTC().Format(time.RFC3339))
					} else {
						row = append(row, "")
					}
				case isms.FieldBool:
					if v, ok := r.Bools[f.Name]; ok {
						row = append(row, strconv.FormatBool(v))
					} else {
						row = append(row, "")
					}
				default:
					row = append(row, r.Texts[f.Name])
				}
			}
			attrs := ""
			if len(r.Attributes) > 0 {
				b, _ := json.Marshal(r.Attributes)
				attrs = string(b)
			}
			t.Rows = append(t.Rows, append(row, attrs))
			return nil
		})
		return t, err
	}
}
