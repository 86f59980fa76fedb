package app

import (
	"bufio"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// The ways a staged row is written.
const (
	opSame   byte = iota // identical to the stored record: nothing to write
	opCreate             // a new natural key: insert
	opUpdate             // changed: update, with an audit event
)

// staged is one good row of an import file, classified against the
// stored records when the file was read.
type staged struct {
	Op  byte
	Rec isms.Record
	Old *isms.Record // the stored record of an update
}

// stage holds the good rows of an import in a temporary file between the
// read (outside any write transaction) and the write, so memory stays
// bounded whatever the file's size. A nil *stage (a dry run) discards.
type stage struct {
	f   *os.File
	w   *bufio.Writer
	enc *gob.Encoder
	n   int
}

func newStage() (*stage, error) {
	f, err := os.CreateTemp("", "pdca-import-*")
	if err != nil {
		return nil, fmt.Errorf("import staging file: %w", err)
	}
	w := bufio.NewWriterSize(f, 256<<10)
	return &stage{f: f, w: w, enc: gob.NewEncoder(w)}, nil
}

func (s *stage) add(r staged) error {
	if s == nil {
		return nil
	}
	s.n++
	if err := s.enc.Encode(&r); err != nil {
		return fmt.Errorf("stage import row: %w", err)
	}
	return nil
}

// finish flushes the staged rows for reading.
func (s *stage) finish() error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("stage import rows: %w", err)
	}
	return nil
}

// each calls fn with every staged row in file order.
func (s *stage) each(fn func(staged) error) error {
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("read staged import rows: %w", err)
	}
	dec := gob.NewDecoder(bufio.NewReaderSize(s.f, 256<<10))
	for range s.n {
		var r staged
		if err := dec.Decode(&r); err != nil {
			return fmt.Errorf("read staged import row: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (s *stage) remove() {
	s.f.Close()
	os.Remove(s.f.Name())
}

// applyStage writes the staged rows in the write transaction tx. When
// nothing in the organisation changed since they were compared (fresh),
// it writes the creations and updates as staged. Otherwise another change
// may have touched the same keys in between, so every staged row is
// compared again with the records as they are now, and the counts are
// those of this second comparison.
func (a *App) applyStage(ctx context.Context, tx *store.Tx, m *Member, kind isms.RecordKind, st *stage, importID int64, fresh bool, res *ImportResult) error {
	if fresh {
		creates := make([]isms.Record, 0, store.InsertBatch)
		err := st.each(func(s staged) error {
			if s.Op != opCreate {
				return s.write(ctx, tx, m, importID)
			}
			if creates = append(creates, s.Rec); len(creates) == store.InsertBatch {
				err := tx.InsertRecords(ctx, m.Org.ID, creates, importID)
				creates = creates[:0]
				return err
			}
			return nil
		})
		if err != nil {
			return err
		}
		return tx.InsertRecords(ctx, m.Org.ID, creates, importID)
	}
	res.Created, res.Updated, res.Unchanged = 0, 0, 0
	existing, err := newExisting(ctx, tx, m.Org.ID, kind, a.ImportPreload)
	if err != nil {
		return err
	}
	batch := make([]isms.Record, 0, store.KeyBatch)
	flush := func() error {
		defer func() { batch = batch[:0] }()
		if err := existing.fetch(batch); err != nil {
			return err
		}
		for _, r := range batch {
			if err := classify(existing, r, res).write(ctx, tx, m, importID); err != nil {
				return err
			}
		}
		return nil
	}
	err = st.each(func(s staged) error {
		s.Rec.ID = 0
		if batch = append(batch, s.Rec); len(batch) == store.KeyBatch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(batch) > 0 {
		return flush()
	}
	return nil
}

// Write-ahead defaults (App.ImportAhead, App.ImportAheadChunk). A chunk of
// 2,000 rows takes about 60 ms on SQLite on a small machine.
const (
	DefaultImportAhead      = 10000
	DefaultImportAheadChunk = 2000
	// PendingStaleAfter is how long a pending import may go without a
	// sign of life before its rows are taken for abandoned (its process
	// died): housekeeping, or the next import of the same kind, removes
	// them.
	PendingStaleAfter = 10 * time.Minute
)

// errPendingBusy says another import of the same kind into the same
// organisation is writing ahead: its hidden rows may share keys with ours.
var errPendingBusy = errors.New("another import of this kind is being written")

// ahead is the state of an import whose new rows are written before its
// final transaction.
type ahead struct {
	pend    store.PendingImport
	written int    // rows written ahead
	late    *stage // creates whose key was stored after the file was read
	// rest holds the staged rows that are not creations (updates and
	// unchanged rows), so that the final transaction reads only them, not
	// the whole file again (decoding 820,935 staged rows took 2 s there).
	rest *stage
}

// writeAhead writes the staged creations in short transactions, hidden
// until the final transaction commits the pending import. A creation whose
// key was stored by someone else since the file was read is kept in late,
// for the final transaction to compare again. On error, the rows written
// so far are removed.
func (a *App) writeAhead(ctx context.Context, p Principal, m *Member, req ImportRequest, st *stage) (*ahead, error) {
	chunk := a.ImportAheadChunk
	if chunk <= 0 {
		chunk = DefaultImportAheadChunk
	}
	ah := &ahead{}
	im := &store.Import{OrgID: m.Org.ID, Kind: req.Kind, Format: string(req.Format), FileName: req.FileName, ActorID: p.UserID, Actor: p.Label}
	err := a.waitPending(ctx, func() error {
		return a.DB.Write(ctx, func(tx *store.Tx) error {
			if err := tx.LockOrg(ctx, m.Org.ID); err != nil {
				return err
			}
			if err := a.checkPending(ctx, tx, m.Org.ID, req.Kind); err != nil {
				return err
			}
			var err error
			ah.pend, err = tx.BeginPending(ctx, im)
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	rows := make([]isms.Record, 0, chunk)
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		defer func() { rows = rows[:0] }()
		err := a.DB.Write(ctx, func(tx *store.Tx) error {
			if err := tx.LockOrg(ctx, m.Org.ID); err != nil {
				return err
			}
			if err := tx.TouchPending(ctx, ah.pend); err != nil {
				return err
			}
			keys := make([]string, len(rows))
			for i := range rows {
				keys[i] = rows[i].Key
			}
			taken := map[string]bool{}
			if err := tx.RecordsByKeys(ctx, m.Org.ID, req.Kind, keys, func(r isms.Record) error {
				taken[r.Key] = true
				return nil
			}); err != nil {
				return err
			}
			fresh := rows
			if len(taken) > 0 {
				fresh = make([]isms.Record, 0, len(rows))
				for _, r := range rows {
					if !taken[r.Key] {
						fresh = append(fresh, r)
						continue
					}
					if ah.late == nil {
						var err error
						if ah.late, err = newStage(); err != nil {
							return err
						}
					}
					if err := ah.late.add(staged{Op: opCreate, Rec: r}); err != nil {
						return err
					}
				}
			}
			ah.written += len(fresh)
			return tx.InsertRecords(ctx, m.Org.ID, fresh, ah.pend.ImportID)
		})
		if err == nil && a.importChunkHook != nil {
			a.importChunkHook(ah.written)
		}
		return err
	}
	if ah.rest, err = newStage(); err != nil {
		a.dropAhead(ah)
		return nil, err
	}
	err = st.each(func(s staged) error {
		if s.Op != opCreate {
			return ah.rest.add(s)
		}
		if rows = append(rows, s.Rec); len(rows) == chunk {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err == nil && ah.late != nil {
		err = ah.late.finish()
	}
	if err == nil {
		err = ah.rest.finish()
	}
	if err != nil {
		a.dropAhead(ah)
		return nil, err
	}
	return ah, nil
}

// checkPending refuses, with errPendingBusy, while another import of the
// kind into the organisation is writing ahead; one left behind by a dead
// process is removed first (see PendingStaleAfter).
func (a *App) checkPending(ctx context.Context, tx *store.Tx, orgID int64, kind isms.RecordKind) error {
	busy, stale, err := tx.PendingOf(ctx, orgID, kind, tx.Now.Add(-PendingStaleAfter))
	if err != nil {
		return err
	}
	for _, p := range stale {
		if err := a.removePending(ctx, tx, p); err != nil {
			return err
		}
	}
	if busy {
		return errPendingBusy
	}
	return nil
}

// waitPending runs fn until it does not answer errPendingBusy, polling,
// for as long as ctx allows.
func (a *App) waitPending(ctx context.Context, fn func() error) error {
	for {
		err := fn()
		if !errors.Is(err, errPendingBusy) {
			return err
		}
		select {
		case <-ctx.Done():
			return isms.Errorf(isms.ETOOMANY, "another import of this kind into the organisation is still being written; try again when it has finished")
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// removePending deletes the rows of an abandoned pending import and the
// import itself, in tx (which holds the writer: used for the few rows an
// abandoned import leaves when another import finds it).
func (a *App) removePending(ctx context.Context, tx *store.Tx, p store.PendingImport) error {
	for {
		n, err := tx.DeletePendingRows(ctx, p, 100000)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	a.Log.Warn("abandoned import removed", "org_id", p.OrgID, "import_id", p.ImportID, "kind", string(p.Kind))
	return tx.DropPending(ctx, p)
}

// dropAhead removes the rows written ahead by a failed import, a chunk per
// transaction, even when the import's context was cancelled.
func (a *App) dropAhead(ah *ahead) {
	ah.removeFiles()
	if err := a.dropPending(context.Background(), ah.pend); err != nil {
		a.Log.Error("remove rows of a failed import", "org_id", ah.pend.OrgID, "import_id", ah.pend.ImportID, "err", err)
	}
}

func (a *App) dropPending(ctx context.Context, p store.PendingImport) error {
	chunk := a.ImportAheadChunk
	if chunk <= 0 {
		chunk = DefaultImportAheadChunk
	}
	for {
		var n int64
		err := a.DB.Write(ctx, func(tx *store.Tx) error {
			var err error
			if n, err = tx.DeletePendingRows(ctx, p, chunk); err != nil || n > 0 {
				return err
			}
			return tx.DropPending(ctx, p)
		})
		if err != nil || n == 0 {
			return err
		}
	}
}

// SweepPending removes the rows of imports whose process died while
// writing ahead (housekeeping). It returns how many imports it removed.
func (a *App) SweepPending(ctx context.Context) (int, error) {
	var stale []store.PendingImport
	err := a.DB.ReadOne(ctx, func(tx *store.Tx) error {
		var err error
		stale, err = tx.StalePending(ctx, tx.Now.Add(-PendingStaleAfter))
		return err
	})
	if err != nil {
		return 0, err
	}
	for i, p := range stale {
		if err := a.dropPending(ctx, p); err != nil {
			return i, err
		}
		a.Log.Warn("abandoned import removed", "org_id", p.OrgID, "import_id", p.ImportID, "kind", string(p.Kind))
	}
	return len(stale), nil
}

// removeFiles removes the temporary files of the rows kept for the final
// transaction.
func (ah *ahead) removeFiles() {
	for _, st := range []*stage{ah.late, ah.rest} {
		if st != nil {
			st.remove()
		}
	}
}

// applyAhead writes, in the final transaction, what writeAhead left: the
// updates, and the late creations compared again with the records as they
// are now. When the organisation changed since the file was read (fresh is
// false), the updates and unchanged rows are compared again too; the
// counts are then those of this comparison plus the rows written ahead.
// It ends by making the rows written ahead visible.
func (a *App) applyAhead(ctx context.Context, tx *store.Tx, m *Member, kind isms.RecordKind, ah *ahead, fresh bool, res *ImportResult) error {
	importID := ah.pend.ImportID
	var existing *existingRecords
	var batch []isms.Record
	flush := func() error {
		defer func() { batch = batch[:0] }()
		if err := existing.fetch(batch); err != nil {
			return err
		}
		for _, r := range batch {
			if err := classify(existing, r, res).write(ctx, tx, m, importID); err != nil {
				return err
			}
		}
		return nil
	}
	recheck := func(s staged) error {
		s.Rec.ID = 0
		if batch = append(batch, s.Rec); len(batch) == store.KeyBatch {
			return flush()
		}
		return nil
	}
	if !fresh || ah.late != nil {
		var err error
		if existing, err = newExisting(ctx, tx, m.Org.ID, kind, a.ImportPreload); err != nil {
			return err
		}
		batch = make([]isms.Record, 0, store.KeyBatch)
	}
	if fresh {
		if ah.late != nil {
			res.Created -= ah.late.n // counted again below
		}
		if err := ah.rest.each(func(s staged) error {
			if s.Op == opUpdate {
				return s.write(ctx, tx, m, importID)
			}
			return nil
		}); err != nil {
			return err
		}
	} else {
		res.Created, res.Updated, res.Unchanged = ah.written, 0, 0
		if err := ah.rest.each(func(s staged) error {
			return recheck(s) // creations were written ahead, or are late
		}); err != nil {
			return err
		}
	}
	if ah.late != nil {
		if err := ah.late.each(recheck); err != nil {
			return err
		}
	}
	if len(batch) > 0 {
		if err := flush(); err != nil {
			return err
		}
	}
	return tx.CommitPending(ctx, ah.pend)
}
