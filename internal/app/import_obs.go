package app

import (
	"context"
	"errors"
	"io"
	"os"

	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/obs"
)

// Import reads a file of records and stores it all or nothing (importFile
// has the whole contract: bad rows return *importer.Error, EINVALID,
// EFORBIDDEN, ENOTFOUND), and counts it in pdca's metrics: the import by
// outcome, the rows read, the bytes of the file and the rows rejected.
func (a *App) Import(ctx context.Context, p Principal, req ImportRequest) (*ImportResult, error) {
	var size func() int64
	if f, ok := req.File.(*os.File); ok {
		// Kept as a file: XLSX is read from it at random (ReaderAt).
		size = func() int64 {
			if fi, err := f.Stat(); err == nil {
				return fi.Size()
			}
			return 0
		}
	} else if req.File != nil {
		c := &countingReader{r: req.File}
		req.File, size = c, func() int64 { return c.n }
	}
	res, err := a.importFile(ctx, p, req)
	if size != nil {
		obs.ImportBytes.Add(float64(size()))
	}
	var bad *importer.Error
	switch {
	case err == nil && req.DryRun:
		obs.Imports.WithLabelValues("dry_run").Inc()
		obs.ImportRows.Add(float64(res.Rows))
	case err == nil:
		obs.Imports.WithLabelValues("stored").Inc()
		obs.ImportRows.Add(float64(res.Rows))
	case errors.As(err, &bad):
		obs.Imports.WithLabelValues("rejected").Inc()
		obs.ImportRejects.Add(float64(max(bad.Rows, 1)))
	default:
		obs.Imports.WithLabelValues("failed").Inc()
	}
	return res, err
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}
