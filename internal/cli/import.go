package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// ImportCmd is pdca import.
type ImportCmd struct {
	Org        string `required:"" help:"Organisation slug."`
	Kind       string `required:"" enum:"access_removals,incidents,restore_tests,suppliers,supplier_assessments,changes,vulnerabilities,training,deviations,audit_findings" help:"Record kind: ${enum}."`
	File       string `required:"" type:"existingfile" help:"The file to import."`
	Format     string `enum:",csv,xlsx,json,trivy,grype" default:"" help:"File format: csv, xlsx, json, or a scanner report (trivy, grype). Default: from the file's extension."`
	DryRun     bool   `name:"dry-run" help:"Check the file and say what would change, storing nothing."`
	ScannedAt  string `name:"scanned-at" help:"Scan time (RFC 3339) for a scanner report that has none."`
	DayFirst   bool   `name:"day-first" xor:"dayorder" help:"Read slashed dates day first: 05/10/2026 is 5 October. Default: the organisation's date order; without one, slashed dates are refused."`
	MonthFirst bool   `name:"month-first" xor:"dayorder" help:"Read slashed dates month first: 05/10/2026 is May 10."`
}

// Run imports the file all or nothing. Exit 1 with every bad row listed if
// any row is bad.
func (c *ImportCmd) Run(g *Globals, e *env) error {
	format := importer.Format(c.Format)
	if format == "" {
		f, ok := importer.FormatFromName(c.File)
		if !ok {
			return isms.Errorf(isms.EINVALID, "cannot tell the format of %s from its extension; pass --format csv, xlsx, json, trivy or grype", c.File)
		}
		format = f
	}
	var scannedAt *time.Time
	if c.ScannedAt != "" {
		t, err := time.Parse(time.RFC3339, c.ScannedAt)
		if err != nil {
			return isms.Errorf(isms.EINVALID, "--scanned-at %q: use RFC 3339, e.g. 2026-11-05T08:00:00Z", c.ScannedAt)
		}
		scannedAt = &t
	}
	f, err := os.Open(c.File)
	if err != nil {
		return isms.Errorf(isms.EINVALID, "open %s: %v", c.File, err)
	}
	defer f.Close()
	size := int64(0)
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	start := time.Now()
	res, err := a.Import(e.ctx, app.System, app.ImportRequest{
		Org: c.Org, Kind: isms.RecordKind(c.Kind), Format: format, FileName: filepath.Base(c.File), File: f,
		DryRun: c.DryRun, ScannedAt: scannedAt, DayOrder: c.dayOrder(),
		Progress: func(rows int, offset int64) {
			if rows < app.ProgressEvery {
				return
			}
			if format != importer.FormatXLSX && size > 0 {
				fmt.Fprintf(e.stderr, "import: %d rows read (%.0f%% of %s)\n", rows, 100*float64(offset)/float64(size), filepath.Base(c.File))
			} else {
				fmt.Fprintf(e.stderr, "import: %d rows read\n", rows)
			}
		},
	})
	var bad *importer.Error
	if errors.As(err, &bad) {
		fmt.Fprintf(e.stderr, "pdca: %s was rejected: nothing was stored. Fix these rows (%s) and import the file again:\n", c.File, bad.Summary())
		for _, re := range bad.Errors {
			fmt.Fprintf(e.stderr, "  %s\n", re.String())
		}
		if more := bad.More(); more != "" {
			fmt.Fprintf(e.stderr, "  %s not listed\n", more)
		}
		return exitError{1}
	}
	if err != nil {
		return err
	}
	verb := "imported"
	if res.DryRun {
		verb = "dry run, nothing stored"
	}
	if res.Layout.Delimiter != "" {
		verb += " (" + res.Layout.String() + ")"
	}
	fmt.Fprintf(e.stdout, "%s %s: %d rows: %d created, %d updated, %d unchanged", filepath.Base(c.File), verb, res.Rows, res.Created, res.Updated, res.Unchanged)
	if format == importer.FormatTrivy || format == importer.FormatGrype {
		fmt.Fprintf(e.stdout, " (%d fixed by this scan)", res.Fixed)
	}
	fmt.Fprintf(e.stdout, " in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// dayOrder is the day order the flags give, unset without one.
func (c *ImportCmd) dayOrder() importer.DayOrder {
	switch {
	case c.DayFirst:
		return importer.DayFirst
	case c.MonthFirst:
		return importer.MonthFirst
	}
	return importer.DayOrderUnset
}
