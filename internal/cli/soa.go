package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// SoACmd is pdca soa.
type SoACmd struct {
	Import SoAImportCmd `cmd:"" help:"Import SoA decisions (applicable, justification, status) from a CSV or XLSX file with the columns of the SoA export (all or nothing)."`
}

// SoAImportCmd is pdca soa import.
type SoAImportCmd struct {
	Org    string `required:"" help:"Organisation slug."`
	File   string `required:"" type:"existingfile" help:"The file to import: an SoA export (CSV or XLSX) edited in a spreadsheet."`
	Format string `enum:",csv,xlsx" default:"" help:"File format: csv or xlsx. Default: from the file's extension."`
	DryRun bool   `name:"dry-run" help:"Check the file and say what would change, storing nothing."`
}

// Run imports the decisions all or nothing: exit 1 with every bad row
// listed if any row is bad.
func (c *SoAImportCmd) Run(g *Globals, e *env) error {
	format := importer.Format(c.Format)
	if format == "" {
		f, ok := importer.FormatFromName(c.File)
		if !ok || f == importer.FormatJSON {
			return isms.Errorf(isms.EINVALID, "cannot tell the format of %s from its extension; pass --format csv or xlsx", c.File)
		}
		format = f
	}
	f, err := os.Open(c.File)
	if err != nil {
		return isms.Errorf(isms.EINVALID, "open %s: %v", c.File, err)
	}
	defer f.Close()
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	res, err := a.ImportSoA(e.ctx, app.System, app.ImportSoARequest{Org: c.Org, Format: format, FileName: filepath.Base(c.File), File: f, DryRun: c.DryRun})
	var bad *importer.Error
	if errors.As(err, &bad) {
		fmt.Fprintf(e.stderr, "pdca: %s was rejected: nothing was stored. Fix these rows (%s) and import the file again:\n", c.File, bad.Summary())
		for _, re := range bad.Errors {
			fmt.Fprintf(e.stderr, "  %s\n", re.String())
		}
		if bad.Truncated() {
			fmt.Fprintf(e.stderr, "  ... and %s more problems not listed\n", importer.Thousands(bad.Count()-len(bad.Errors)))
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
	fmt.Fprintf(e.stdout, "%s %s: %d rows: %d created, %d updated, %d unchanged\n", filepath.Base(c.File), verb, res.Rows, res.Created, res.Updated, res.Unchanged)
	for _, d := range res.Changes {
		for _, fc := range d.Fields {
			fmt.Fprintf(e.stdout, "  line %d %s %s: %q → %q\n", d.Line, d.ControlID, fc.Field, fc.Before, fc.After)
		}
	}
	if len(res.Ignored) > 0 {
		fmt.Fprintf(e.stderr, "pdca: columns not read (not columns of the SoA export): %v\n", res.Ignored)
	}
	return nil
}
