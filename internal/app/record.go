package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// ImportRequest is one file to import.
type ImportRequest struct {
	Org      string
	Kind     isms.RecordKind
	Format   importer.Format // csv, xlsx, json, trivy, grype
	FileName string
	File     io.Reader
	DryRun   bool
	// ScannedAt is the scan time for a scanner report that has none.
	ScannedAt *time.Time
	// DayOrder says how to read slashed dates (05/10/2026); unset, the
	// organisation's date order is used, and without one they are refused.
	DayOrder importer.DayOrder
	// Profile names the saved import profile to read the file with (any
	// case); NoProfile reads it without one. Unset, the profile of the
	// kind whose file pattern matches FileName is used, if one does. With
	// a profile, Kind may be left unset: the profile's kind is taken.
	Profile string
	profile *isms.ImportProfile // resolved by Import
	spec    *isms.KindSpec      // a custom kind's, resolved by Import (issue 19)
	// Progress, when set, is called every ProgressEvery rows with the rows
	// read and the bytes (XLSX: sheet rows) consumed.
	Progress func(rows int, offset int64)
}

// ProgressEvery is how often Import reports progress, in rows.
const ProgressEvery = 5000

// ImportResult says what an import did (or would do, on a dry run).
type ImportResult struct {
	ImportID  int64 // 0 on a dry run
	Kind      isms.RecordKind
	Rows      int
	Created   int
	Updated   int
	Unchanged int
	// Fixed counts vulnerabilities a scan closed (part of Updated).
	Fixed  int
	SHA256 string
	DryRun bool
	// Layout is how a CSV file was read (delimiter, encoding).
	Layout importer.Layout
	// Profile is the import profile the file was read with ("" for none);
	// ProfileMatched says it was picked by its file pattern, not named.
	Profile        string
	ProfileMatched bool
	// DayOrder is how slashed dates were read: the import's own order,
	// else the profile's, else the organisation's ("" refused them).
	DayOrder importer.DayOrder
	// Sample holds the first SampleRows good rows as parsed (times in
	// UTC), for the preview; empty for a scanner report.
	Sample []isms.Record
	// Spec is the specification of a kind of the organisation's own
	// (issue 19), for showing the sample; nil for a built-in kind.
	Spec *isms.KindSpec
}

// importFile is Import without its metrics.
//
// Import reads a file of records and stores it all or nothing: a file with
// any bad row stores nothing and returns *importer.Error listing the bad
// rows (line, column, value, reason; the first importer.MaxErrors of them
// and the count of all). Re-importing a row with the same natural key
// updates that record; an identical row changes nothing. Created records
// are covered by one records.import audit event (each record keeps the
// import's id); every updated record gets its own event with before and
// after. Requires import. Enqueues a metric recompute.
//
// The file is read, checked and compared with the stored records outside
// any write transaction (a dry run never takes the writer, so imports do
// not hold up other organisations); the rows to store are staged in a
// temporary file and written in one short transaction at the end. If
// anything in the organisation changed in between (its audit chain moved),
// the staged rows are compared again inside that transaction, so the
// counts and audit events always describe what was written.
func (a *App) importFile(ctx context.Context, p Principal, req ImportRequest) (*ImportResult, error) {
	if _, ok := isms.LookupKind(string(req.Kind)); !ok && req.Kind == "" && req.Profile == "" {
		return nil, isms.Errorf(isms.EINVALID, "unknown record kind %q", string(req.Kind))
	}
	file, sum, err := hashedFile(req)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{DryRun: req.DryRun}
	start := time.Now()
	var st *stage
	if !req.DryRun {
		if st, err = newStage(); err != nil {
			return nil, err
		}
		defer st.remove()
	}
	var m *Member
	var version int64
	var scan importer.Scan
	err = a.DB.ReadOne(ctx, func(tx *store.Tx) error {
		if m, err = member(ctx, tx, p, req.Org); err != nil {
			return err
		}
		if err := m.can(isms.ActImport); err != nil {
			return err
		}
		// The chain head is read before any record: a change committed
		// after this read moves it, and the write below notices.
		if version, err = orgVersion(ctx, tx, m.Org.ID); err != nil {
			return err
		}
		if !isScan(req.Format) {
			if req.profile, res.ProfileMatched, err = importProfile(ctx, tx, m.Org.ID, &req); err != nil {
				return err
			}
			if req.profile != nil {
				res.Profile = req.profile.Name
			}
		}
		res.Kind = req.Kind
		// Issue 19: a kind of the organisation's own is read with its
		// definition.
		if !isms.IsBuiltinKind(string(req.Kind)) {
			spec, err := kindSpec(ctx, tx, m.Org.ID, req.Kind)
			if err != nil {
				return err
			}
			req.spec, res.Spec = &spec, &spec
		}
		if isScan(req.Format) {
			if req.Kind != isms.KindVulnerabilities {
				return isms.Errorf(isms.EINVALID, "--format %s imports vulnerabilities; use --kind vulnerabilities", req.Format)
			}
			if scan, err = importer.ParseScan(file, req.Format, req.ScannedAt); err != nil || !req.DryRun {
				return err
			}
			return a.importScan(ctx, tx, m, scan, 0, res)
		}
		return a.importTable(ctx, tx, m, req, file, st, res)
	})
	if err != nil {
		return nil, err
	}
	res.SHA256 = sum()
	read := time.Since(start)
	if req.DryRun {
		a.Log.Info("import read", "org_id", m.Org.ID, "kind", string(req.Kind), "rows", res.Rows, "dry_run", true, "read_ms", read.Milliseconds())
		return res, nil
	}
	if err := st.finish(); err != nil {
		return nil, err
	}
	fresh := true
	writeStart := time.Now()
	var ah *ahead
	if !isScan(req.Format) && res.Created >= a.importAhead() {
		if ah, err = a.writeAhead(ctx, p, m, req, st); err != nil {
			return nil, err
		}
	}
	defer func() {
		var ahead int
		if ah != nil {
			ahead = ah.written
		}
		a.Log.Info("import written", "org_id", m.Org.ID, "kind", string(req.Kind), "rows", res.Rows, "created", res.Created, "updated", res.Updated,
			"rechecked", !fresh, "written_ahead", ahead, "read_ms", read.Milliseconds(), "write_ms", time.Since(writeStart).Milliseconds())
	}()
	err = a.waitPending(ctx, func() error {
		return a.DB.Write(ctx, func(tx *store.Tx) error {
			m, err := member(ctx, tx, p, req.Org)
			if err != nil {
				return err
			}
			if err := m.can(isms.ActImport); err != nil {
				return err
			}
			if err := tx.LockOrg(ctx, m.Org.ID); err != nil {
				return err
			}
			now, err := orgVersion(ctx, tx, m.Org.ID)
			if err != nil {
				return err
			}
			im := &store.Import{OrgID: m.Org.ID, Kind: req.Kind, Format: string(req.Format), FileName: req.FileName, ActorID: p.UserID, Actor: p.Label}
			if ah != nil {
				im.ID, im.At = ah.pend.ImportID, tx.Now
			} else {
				if err := a.checkPending(ctx, tx, m.Org.ID, req.Kind); err != nil {
					return err
				}
				if err := tx.CreateImport(ctx, im); err != nil {
					return err
				}
			}
			fresh = now == version
			switch {
			case isScan(req.Format):
				// A scan is small and reconciled with the asset's stored
				// findings, so it is compared here, against the latest state.
				*res = ImportResult{Kind: req.Kind, SHA256: res.SHA256}
				err = a.importScan(ctx, tx, m, scan, im.ID, res)
			case ah != nil:
				err = a.applyAhead(ctx, tx, m, req.Kind, ah, fresh, res)
			default:
				err = a.applyStage(ctx, tx, m, req.Kind, st, im.ID, fresh, res)
			}
			if err != nil {
				return err
			}
			im.Rows, im.Created, im.Updated, im.Unchanged, im.SHA256 = res.Rows, res.Created, res.Updated, res.Unchanged, res.SHA256
			if err := tx.FinishImport(ctx, im); err != nil {
				return err
			}
			res.ImportID = im.ID
			summary := map[string]any{"kind": req.Kind, "file": req.FileName, "format": req.Format, "sha256": res.SHA256,
				"rows": res.Rows, "created": res.Created, "updated": res.Updated, "unchanged": res.Unchanged}
			if res.Profile != "" {
				summary["profile"] = res.Profile
			}
			if res.Layout.Delimiter != "" {
				summary["delimiter"], summary["encoding"] = res.Layout.Delimiter, res.Layout.Encoding
			}
			if err := audit(ctx, tx, m.Org.ID, p, "records.import", "import", im.ID, nil, summary); err != nil {
				return err
			}
			if err := a.importEvent(ctx, tx, m.Org.ID, im.ID, string(req.Kind), res); err != nil {
				return err
			}
			if res.Created+res.Updated > 0 {
				return a.enqueueRecompute(ctx, tx, m.Org.ID)
			}
			return nil
		})
	})
	if ah != nil {
		if err != nil {
			a.dropAhead(ah) // removes nothing if the import was committed after all
		} else {
			ah.removeFiles()
		}
	}
	if err != nil {
		return nil, err
	}
	a.analyzeAfterImport(ctx, m.Org.ID, req.Kind, res.Created)
	return res, nil
}

// DefaultAnalyzeAfter is App.AnalyzeAfter's default: an import that
// creates this many records refreshes PostgreSQL's statistics of their
// table. Autovacuum would, once a tenth of the table has changed, within
// about a minute; the lists and the recompute that follow an import
// should not plan on the statistics of the table before it.
const DefaultAnalyzeAfter = 10_000

// analyzeAfterImport refreshes the statistics of the kind's table after a
// committed import that created many records (PostgreSQL only). The import
// is stored whatever happens here, so a failure is logged, not returned.
func (a *App) analyzeAfterImport(ctx context.Context, orgID int64, kind isms.RecordKind, created int) {
	after := a.AnalyzeAfter
	if after <= 0 {
		after = DefaultAnalyzeAfter
	}
	if created < after || a.DB.Engine != store.Postgres {
		return
	}
	// The import is committed: the statistics are worth finishing if the
	// caller has gone, within a bound.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	start := time.Now()
	if err := a.DB.AnalyzeRecords(ctx, orgID, kind); err != nil {
		a.Log.Warn("statistics not refreshed after an import; autovacuum will", "org_id", orgID, "kind", string(kind), "err", err)
		return
	}
	a.Log.Info("statistics refreshed after an import", "org_id", orgID, "kind", string(kind), "created", created, "ms", time.Since(start).Milliseconds())
}

func (a *App) importAhead() int {
	if a.ImportAhead > 0 {
		return a.ImportAhead
	}
	return DefaultImportAhead
}

// CanImport checks that p may import into the organisation, so a caller
// who may not is refused before sending a file. ENOTFOUND, EFORBIDDEN.
func (a *App) CanImport(ctx context.Context, p Principal, org string) error {
	return a.DB.ReadOne(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, org)
		if err != nil {
			return err
		}
		return m.can(isms.ActImport)
	})
}

// hashedFile returns the file to parse and a function returning the
// SHA-256 of the whole file once it has been parsed. A workbook is hashed
// first and handed over as the file itself (it is read by random access,
// from disk); any other file is hashed as the parser reads it.
func hashedFile(req ImportRequest) (io.Reader, func() string, error) {
	h := sha256.New()
	if f, ok := req.File.(*os.File); ok && req.Format == importer.FormatXLSX {
		if _, err := io.Copy(h, f); err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", req.FileName, err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", req.FileName, err)
		}
		sum := hex.EncodeToString(h.Sum(nil))
		return f, func() string { return sum }, nil
	}
	file := io.TeeReader(req.File, h)
	return file, func() string {
		_, _ = io.Copy(io.Discard, file) // hash the whole file even if the reader stopped early
		return hex.EncodeToString(h.Sum(nil))
	}, nil
}

func isScan(f importer.Format) bool {
	return f == importer.FormatTrivy || f == importer.FormatGrype
}

// orgVersion is the organisation's audit chain length: every change to
// its data appends an event, so an unchanged length means nothing changed.
func orgVersion(ctx context.Context, tx *store.Tx, orgID int64) (int64, error) {
	seq, _, err := tx.ChainHead(ctx, orgID)
	if isms.ErrorCode(err) == isms.ENOTFOUND {
		return 0, nil
	}
	return seq, err
}

// JobRecomputeMetrics is the job kind that recomputes an organisation's
// stored measurements.
const JobRecomputeMetrics = "recompute_metrics"

// importTable streams a CSV, XLSX or JSON file. Memory holds the
// organisation's existing records of the kind (to tell created, updated and
// unchanged) and the importer's set of keys seen, never the whole file.
//
// tx reads (it is not a write transaction): each row is classified against
// the stored records and, unless st is nil (a dry run), staged for the
// write.
func (a *App) importTable(ctx context.Context, tx *store.Tx, m *Member, req ImportRequest, file io.Reader, st *stage, res *ImportResult) error {
	existing, err := newExisting(ctx, tx, m.Org.ID, req.Kind, a.ImportPreload)
	if err != nil {
		return err
	}
	prof := req.profile
	opts := importer.Options{Kind: req.Kind, Format: req.Format, Location: m.Org.Location(), DayOrder: req.DayOrder, Profile: prof, Spec: req.spec}
	if prof != nil {
		if opts.DayOrder == importer.DayOrderUnset {
			opts.DayOrder = importer.DayOrder(prof.DateOrder)
		}
	}
	if opts.DayOrder == importer.DayOrderUnset {
		opts.DayOrder = importer.DayOrder(m.Org.DateOrder)
	}
	res.DayOrder = opts.DayOrder
	if req.Kind == isms.KindSupplierAssessments {
		known := map[string]bool{}
		if err := tx.EachRecord(ctx, m.Org.ID, isms.KindSuppliers, func(r isms.Record) error {
			known[strings.ToLower(strings.TrimSpace(r.Texts["name"]))] = true
			return nil
		}); err != nil {
			return err
		}
		opts.KnownSuppliers = func(name string) bool { return known[strings.ToLower(strings.TrimSpace(name))] }
	}
	rd, err := importer.NewReader(file, opts)
	if err != nil {
		return err
	}
	defer rd.Close()
	res.Layout = rd.Layout()
	var bad importer.Error
	// Rows are compared in batches: one query finds the stored records of
	// a batch's keys (keys are unique within a file).
	batch := make([]isms.Record, 0, store.KeyBatch)
	flush := func() error {
		defer func() { batch = batch[:0] }()
		if bad.Count() > 0 || len(batch) == 0 {
			return nil // the file will be rejected: store nothing
		}
		if err := existing.fetch(batch); err != nil {
			return err
		}
		for _, r := range batch {
			if err := st.add(classify(existing, r, res)); err != nil {
				return err
			}
		}
		return nil
	}
	for {
		row, err := rd.Next()
		if err == io.EOF {
			break
		}
		var rowErr *importer.Error
		if errors.As(err, &rowErr) {
			bad.Add(rowErr.Errors...)
			continue
		} else if err != nil {
			return fmt.Errorf("read %s: %w", req.FileName, err)
		}
		res.Rows++
		if len(res.Sample) < SampleRows {
			res.Sample = append(res.Sample, row.Record)
		}
		if req.Progress != nil && res.Rows%ProgressEvery == 0 {
			req.Progress(res.Rows, rd.Offset())
		}
		if bad.Count() > 0 {
			continue // the file will be rejected: keep reading only to count the bad rows
		}
		if batch = append(batch, row.Record); len(batch) == store.KeyBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if req.Progress != nil && res.Rows%ProgressEvery != 0 {
		req.Progress(res.Rows, rd.Offset())
	}
	if bad.Count() > 0 {
		return &bad
	}
	return nil
}

// existingRecords finds the stored record of a natural key during one
// import: from memory when the kind has few records (all of them are
// loaded once), else by batches of keys.
type existingRecords struct {
	ctx   context.Context
	tx    *store.Tx
	orgID int64
	kind  isms.RecordKind
	all   bool                   // mem holds every stored record of the kind
	mem   map[string]isms.Record // else the current batch's
}

func newExisting(ctx context.Context, tx *store.Tx, orgID int64, kind isms.RecordKind, limit int) (*existingRecords, error) {
	e := &existingRecords{ctx: ctx, tx: tx, orgID: orgID, kind: kind}
	n, err := tx.CountRecordsOfUpTo(ctx, orgID, kind, limit)
	if err != nil || n > limit {
		return e, err
	}
	e.all, e.mem = true, make(map[string]isms.Record, n)
	return e, tx.EachRecord(ctx, orgID, kind, func(r isms.Record) error {
		e.mem[r.Key] = r
		return nil
	})
}

// fetch makes get answer for the keys of a batch of records: nothing to
// do when every record is in memory, else it reads the stored records of
// these keys, in place of the previous batch's.
func (e *existingRecords) fetch(batch []isms.Record) error {
	if e.all {
		return nil
	}
	keys := make([]string, len(batch))
	for i := range batch {
		keys[i] = batch[i].Key
	}
	e.mem = make(map[string]isms.Record, len(keys))
	return e.tx.RecordsByKeys(e.ctx, e.orgID, e.kind, keys, func(r isms.Record) error {
		e.mem[r.Key] = r
		return nil
	})
}

func (e *existingRecords) get(key string) (isms.Record, bool) {
	r, ok := e.mem[key]
	return r, ok
}

// classify compares a row with the stored record of its key: it counts
// the row as created, updated or unchanged and returns what writing it
// takes (an update carries the stored record, for the audit event).
func classify(existing *existingRecords, r isms.Record, res *ImportResult) staged {
	// Keys are unique within a file (the importer rejects repeats) and
	// within a scan's changes, so classified rows are not remembered: on a
	// large import that would hold every row in memory.
	old, ok := existing.get(r.Key)
	if !ok {
		res.Created++
		return staged{Op: opCreate, Rec: r}
	}
	if old.Equal(r) {
		res.Unchanged++
		return staged{Op: opSame, Rec: r}
	}
	r.ID = old.ID
	res.Updated++
	return staged{Op: opUpdate, Rec: r, Old: &old}
}

// write stores one classified row, with the audit event of an update.
func (s staged) write(ctx context.Context, tx *store.Tx, m *Member, importID int64) error {
	switch s.Op {
	case opCreate:
		return tx.InsertRecord(ctx, m.Org.ID, &s.Rec, importID)
	case opUpdate:
		if err := tx.UpdateRecord(ctx, m.Org.ID, &s.Rec); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, m.Principal, "record.update", string(s.Rec.Kind), s.Rec.ID, recordJSON(*s.Old), recordJSON(s.Rec))
	}
	return nil
}

// importScan reconciles a parsed Trivy or Grype report with the asset's
// known vulnerabilities, and writes the changes when importID is not 0
// (tx is then the write transaction; else it only reads, for a dry run).
func (a *App) importScan(ctx context.Context, tx *store.Tx, m *Member, scan importer.Scan, importID int64, res *ImportResult) error {
	existing := &existingRecords{ctx: ctx, tx: tx, orgID: m.Org.ID, kind: isms.KindVulnerabilities, all: true, mem: map[string]isms.Record{}}
	var ofAsset []isms.Record
	if err := tx.EachRecord(ctx, m.Org.ID, isms.KindVulnerabilities, func(r isms.Record) error {
		existing.mem[r.Key] = r
		if r.Texts["asset"] == scan.Asset {
			ofAsset = append(ofAsset, r)
		}
		return nil
	}); err != nil {
		return err
	}
	res.Rows = len(scan.Findings)
	changed := importer.Reconcile(scan, ofAsset)
	for _, r := range changed {
		old, known := existing.mem[r.Key]
		if known && old.Texts["asset"] == scan.Asset {
			if _, wasFixed := old.Times["fixed_at"]; !wasFixed {
				if _, nowFixed := r.Times["fixed_at"]; nowFixed {
					res.Fixed++
				}
			}
		}
		s := classify(existing, r, res)
		if importID == 0 {
			continue
		}
		if err := s.write(ctx, tx, m, importID); err != nil {
			return err
		}
	}
	res.Unchanged += len(scan.Findings) - (res.Created + res.Updated - res.Fixed)
	if res.Unchanged < 0 {
		res.Unchanged = 0
	}
	return nil
}

// recordJSON is a record's values for the audit trail.
func recordJSON(r isms.Record) map[string]any {
	out := map[string]any{"key": r.Key}
	for k, v := range r.Texts {
		out[k] = v
	}
	for k, v := range r.Bools {
		out[k] = v
	}
	for k, v := range r.Times {
		out[k] = v.UTC().Format(time.RFC3339)
	}
	if len(r.Attributes) > 0 {
		out["attributes"] = r.Attributes
	}
	return out
}
