package app

import (
	"bufio"
	"context"
	"encoding/gob"
	"fmt"
	"io"
	"os"

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
