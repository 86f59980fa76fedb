package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/export"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// Issue 19: importing frameworks and mappings (docs/frameworks-import.md).

// FrameworkCmd is pdca framework.
type FrameworkCmd struct {
	Import FrameworkImportCmd `cmd:"" help:"Import a framework's catalogue from an OSCAL 1.x catalog (JSON), CSV or XLSX file: for every organisation, or with --org for one."`
	List   FrameworkListCmd   `cmd:"" help:"List frameworks: key, version, number of requirements and title, built-in ones first."`
	Map    FrameworkMapCmd    `cmd:"" help:"Import requirement mappings between frameworks from a CSV, XLSX or OSCAL mapping-collection (JSON) file (all or nothing)."`
	Export FrameworkExportCmd `cmd:"" help:"Print a framework's catalogue as CSV (the columns framework import reads)."`
}

// frameworkFormat is --format, else the file's extension.
func frameworkFormat(format, file string) (string, error) {
	if format != "" {
		return format, nil
	}
	f, ok := app.FrameworkFormatFromName(file)
	if !ok {
		return "", isms.Errorf(isms.EINVALID, "cannot tell the format of %s from its extension; pass --format oscal, csv or xlsx", file)
	}
	return f, nil
}

// FrameworkImportCmd is pdca framework import.
type FrameworkImportCmd struct {
	File    string `required:"" type:"existingfile" help:"The catalogue: an OSCAL 1.x catalog (.json; a profile must be resolved first) or a CSV/XLSX table with the columns id, parent, title, text (and optionally kind, label, class, guidance, withdrawn)."`
	Format  string `enum:",oscal,csv,xlsx" default:"" help:"File format: oscal, csv or xlsx. Default: from the file's extension (.json is oscal)."`
	Org     string `help:"Organisation slug: import the framework for this organisation only. Default: every organisation may enable it."`
	Key     string `help:"The framework's key (3 to 64 lower-case letters, digits, dots, hyphens). Default: from its title and version. Importing a key again replaces the text and keeps the decisions."`
	Title   string `help:"The framework's title; required for CSV and XLSX, which carry no metadata; overrides an OSCAL catalog's."`
	Version string `name:"version" help:"The framework's version; overrides an OSCAL catalog's."`
}

// Run imports the catalogue, or stores nothing and says why.
func (c *FrameworkImportCmd) Run(g *Globals, e *env) error {
	a, format, f, err := openFrameworkFile(g, e, c.Format, c.File)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	defer f.Close()
	req := app.FrameworkImportRequest{Format: format, FileName: filepath.Base(c.File), File: f, Key: c.Key, Title: c.Title, Version: c.Version}
	var res *app.FrameworkImportResult
	if c.Org == "" {
		res, err = a.ImportInstanceFramework(e.ctx, app.System, req)
	} else {
		res, err = a.ImportFramework(e.ctx, app.System, c.Org, req)
	}
	if err != nil {
		return err
	}
	verb, scope := "imported", "every organisation may enable it"
	if res.Replaced {
		verb = "replaced the text of"
	}
	if c.Org != "" {
		scope = "private to " + c.Org
	}
	fmt.Fprintf(e.stdout, "%s %s (%s %s): %d requirements; %s\n", verb, res.Framework.Key, res.Framework.Title, res.Framework.Version, res.Framework.Requirements, scope)
	return nil
}

// FrameworkJSON is one element of pdca framework list --output json.
type FrameworkJSON struct {
	Key          string `json:"key"`
	Title        string `json:"title"`
	Version      string `json:"version"`
	Requirements int    `json:"requirements"`
	Builtin      bool   `json:"builtin"`
	Private      bool   `json:"private"` // imported by the organisation, for it only
	Enabled      bool   `json:"enabled"` // in the organisation asked about
}

// FrameworkListCmd is pdca framework list.
type FrameworkListCmd struct {
	Output
	Org  string `help:"Organisation slug: the frameworks it may use (its own imports too) and whether it enabled them. Default: the frameworks every organisation may enable."`
	JSON bool   `name:"json" help:"Same as --output json."`
}

// Run lists the frameworks.
func (c *FrameworkListCmd) Run(g *Globals, e *env) error {
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	fws, err := a.FrameworkSummaries(e.ctx, app.System, c.Org)
	if err != nil {
		return err
	}
	if c.asJSON(c.JSON) {
		out := make([]FrameworkJSON, 0, len(fws))
		for _, f := range fws {
			out = append(out, FrameworkJSON{Key: f.Key, Title: f.Title, Version: f.Version, Requirements: f.Requirements, Builtin: f.Builtin,
				Private: f.OrgID != 0, Enabled: f.Enabled})
		}
		return writeJSON(e.stdout, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	if c.Org != "" {
		fmt.Fprintln(tw, "KEY\tVERSION\tREQUIREMENTS\tSCOPE\tENABLED\tTITLE")
	} else {
		fmt.Fprintln(tw, "KEY\tVERSION\tREQUIREMENTS\tSCOPE\tTITLE")
	}
	for _, f := range fws {
		scope := "instance"
		switch {
		case f.Builtin:
			scope = "built-in"
		case f.OrgID != 0:
			scope = "private"
		}
		if c.Org != "" {
			on := "no"
			if f.Enabled {
				on = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", f.Key, f.Version, f.Requirements, scope, on, f.Title)
		} else {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", f.Key, f.Version, f.Requirements, scope, f.Title)
		}
	}
	return tw.Flush()
}

// FrameworkMapCmd is pdca framework map.
type FrameworkMapCmd struct {
	File   string `required:"" type:"existingfile" help:"The mappings: a CSV/XLSX table with the columns source_framework, source_id, relation, target_framework, target_id (optionally origin, comment), or an OSCAL 1.2 mapping-collection (.json)."`
	Format string `enum:",oscal,csv,xlsx" default:"" help:"File format: oscal, csv or xlsx. Default: from the file's extension (.json is oscal)."`
	Org    string `help:"Organisation slug: mappings only this organisation sees (between frameworks it may use). Default: mappings between instance-wide frameworks, seen by every organisation."`
}

// Run imports the mappings all or nothing.
func (c *FrameworkMapCmd) Run(g *Globals, e *env) error {
	a, format, f, err := openFrameworkFile(g, e, c.Format, c.File)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	defer f.Close()
	req := app.MappingImportRequest{Format: format, FileName: filepath.Base(c.File), File: f}
	var res *app.MappingImportResult
	if c.Org == "" {
		res, err = a.ImportInstanceMappings(e.ctx, app.System, req)
	} else {
		res, err = a.ImportMappings(e.ctx, app.System, c.Org, req)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %d mappings read, %d new (the others were stored already)\n", filepath.Base(c.File), res.Read, res.Added)
	return nil
}

// FrameworkExportCmd is pdca framework export.
type FrameworkExportCmd struct {
	Key string `required:"" help:"The framework's key (pdca framework list)."`
	Org string `help:"Organisation slug, for a framework private to it."`
}

// Run prints the catalogue as CSV on standard output.
func (c *FrameworkExportCmd) Run(g *Globals, e *env) error {
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	fw, err := a.ExportFrameworkCatalogue(e.ctx, app.System, c.Org, c.Key)
	if err != nil {
		return err
	}
	return export.WriteCSV(e.stdout, &export.Table{Name: fw.Key, Title: fw.Title, Columns: importer.CatalogueColumns, Rows: importer.CatalogueRows(fw.Items)})
}

// openFrameworkFile is the start of both imports: the file's format (as
// asked, else from its extension), the file opened, and the app over the
// migrated database; on an error nothing is left open.
func openFrameworkFile(g *Globals, e *env, format, file string) (*app.App, string, *os.File, error) {
	format, err := frameworkFormat(format, file)
	if err != nil {
		return nil, "", nil, err
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, "", nil, isms.Errorf(isms.EINVALID, "open %s: %v", file, err)
	}
	a, err := g.open(e)
	if err != nil {
		f.Close()
		return nil, "", nil, err
	}
	return a, format, f, nil
}
