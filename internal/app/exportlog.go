package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"strconv"

	"github.com/pdca/pdca/internal/export"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// ExportInfo is what the audit trail records of one export or evidence
// download (action export.download).
type ExportInfo struct {
	Kind    string            `json:"kind"`   // a register name, "evidence-bundle", "poam", "review-pack", "audit-trail", "action-evidence"
	Format  string            `json:"format"` // csv, xlsx, zip, json, pdf, file
	Filters map[string]string `json:"filters,omitempty"`
	Rows    int               `json:"rows,omitempty"` // rows (registers), files (bundle); 0 when not counted
	Bytes   int64             `json:"bytes"`
	SHA256  string            `json:"sha256,omitempty"` // of the bytes handed out
	Via     string            `json:"via"`              // web, api (a token), cli
}

// RecordExport appends an export.download event for what the principal
// just exported. It takes the writer for one short transaction and needs
// only membership: the export itself checked the finer right.
func (a *App) RecordExport(ctx context.Context, p Principal, slug string, x ExportInfo) error {
	switch {
	case p.System:
		x.Via = "cli"
	case p.Token != nil:
		x.Via = "api"
	default:
		x.Via = "web"
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "export.download", "export", x.Kind, nil, x)
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// RegisterFile builds one register as csv or xlsx and records the export
// in the audit trail before returning the bytes. ENOTFOUND, EFORBIDDEN as
// ExportRegister; EINVALID for another format.
func (a *App) RegisterFile(ctx context.Context, p Principal, slug, name, format string) ([]byte, *export.Table, error) {
	if format != "csv" && format != "xlsx" {
		return nil, nil, isms.Errorf(isms.EINVALID, "format %q: use csv or xlsx", format)
	}
	t, err := a.ExportRegister(ctx, p, slug, name)
	if err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	if format == "xlsx" {
		err = export.WriteXLSX(&buf, t)
	} else {
		err = export.WriteCSV(&buf, t)
	}
	if err != nil {
		return nil, nil, err
	}
	x := ExportInfo{Kind: name, Format: format, Rows: len(t.Rows), Bytes: int64(buf.Len()), SHA256: sum(buf.Bytes())}
	if err := a.RecordExport(ctx, p, slug, x); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), t, nil
}

// POAMDownload is POAM, recorded in the audit trail as an export.
func (a *App) POAMDownload(ctx context.Context, p Principal, slug string) ([]byte, error) {
	doc, err := a.POAM(ctx, p, slug)
	if err != nil {
		return nil, err
	}
	x := ExportInfo{Kind: "poam", Format: "json", Bytes: int64(len(doc)), SHA256: sum(doc)}
	if err := a.RecordExport(ctx, p, slug, x); err != nil {
		return nil, err
	}
	return doc, nil
}

// ReviewPackDownload is ReviewPDF, recorded in the audit trail as an
// export; the pack is written to w only once the event is stored.
func (a *App) ReviewPackDownload(ctx context.Context, p Principal, slug string, id int64, w io.Writer) error {
	var buf bytes.Buffer
	if err := a.ReviewPDF(ctx, p, slug, id, &buf); err != nil {
		return err
	}
	x := ExportInfo{Kind: "review-pack", Format: "pdf", Filters: map[string]string{"review_id": itoa(id)}, Bytes: int64(buf.Len()), SHA256: sum(buf.Bytes())}
	if err := a.RecordExport(ctx, p, slug, x); err != nil {
		return err
	}
	_, err := buf.WriteTo(w)
	return err
}

// ExportHasher counts and hashes bytes streamed to a client, for exports
// too long to hold in memory (the audit trail CSV): record the export with
// Info once the stream ends.
type ExportHasher struct {
	w io.Writer
	h hash.Hash
	n int64
}

// NewExportHasher wraps w.
func NewExportHasher(w io.Writer) *ExportHasher { return &ExportHasher{w: w, h: sha256.New()} }

// Write writes to the wrapped writer and hashes what was written.
func (e *ExportHasher) Write(b []byte) (int, error) {
	n, err := e.w.Write(b)
	e.h.Write(b[:n])
	e.n += int64(n)
	return n, err
}

// Info fills in the size and hash of what passed through.
func (e *ExportHasher) Info(x ExportInfo) ExportInfo {
	x.Bytes, x.SHA256 = e.n, hex.EncodeToString(e.h.Sum(nil))
	return x
}
