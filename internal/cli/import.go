package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// ImportCmd is pdca import.
type ImportCmd struct {
	Org        string `required:"" help:"Organisation slug."`
	Kind       string `enum:",access_removals,incidents,restore_tests,suppliers,supplier_assessments,changes,vulnerabilities,training,deviations,audit_findings" default:"" help:"Record kind: access_removals, incidents, restore_tests, suppliers, supplier_assessments, changes, vulnerabilities, training, deviations or audit_findings. Optional with --profile (the profile's kind)."`
	File       string `required:"" type:"existingfile" help:"The file to import."`
	Format     string `enum:",csv,xlsx,json,trivy,grype" default:"" help:"File format: csv, xlsx, json, or a scanner report (trivy, grype). Default: from the file's extension."`
	DryRun     bool   `name:"dry-run" help:"Check the file and say what would change, storing nothing."`
	ScannedAt  string `name:"scanned-at" help:"Scan time (RFC 3339) for a scanner report that has none."`
	DayFirst   bool   `name:"day-first" xor:"dayorder" help:"Read slashed dates day first: 05/10/2026 is 5 October. Default: the organisation's date order; without one, slashed dates are refused."`
	MonthFirst bool   `name:"month-first" xor:"dayorder" help:"Read slashed dates month first: 05/10/2026 is May 10."`
	Profile    string `help:"Read the file with this saved import profile (any case; see pdca profile list); none: without a profile. Default: the profile of the kind whose file pattern matches the file name, if exactly one does."`
	JSON       bool   `name:"json" help:"Print the result as a JSON object (with the profile, the date order and, on a dry run, the first 20 rows as read) instead of the summary lines."`
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
	if c.Kind == "" && (c.Profile == "" || strings.EqualFold(c.Profile, app.NoProfile)) {
		return isms.Errorf(isms.EINVALID, "--kind: give the record kind of the file, or --profile NAME to take the kind of a saved profile")
	}
	if (format == importer.FormatTrivy || format == importer.FormatGrype) && c.Profile != "" && !strings.EqualFold(c.Profile, app.NoProfile) {
		return isms.Errorf(isms.EINVALID, "--profile: a scanner report is read by its own format, not with a profile; leave --profile out")
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
		DryRun: c.DryRun, ScannedAt: scannedAt, DayOrder: c.dayOrder(), Profile: c.Profile,
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
	took := time.Since(start)
	loc, pattern := c.context(e, a, res)
	if c.JSON {
		return writeImportJSON(e.stdout, c.File, res, loc)
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
	fmt.Fprintf(e.stdout, " in %s\n", took.Round(time.Millisecond))
	if line := readWith(c.Profile, res, pattern); line != "" {
		fmt.Fprintln(e.stdout, line)
	}
	if res.DryRun && len(res.Sample) > 0 {
		return writeSample(e.stdout, res, loc)
	}
	return nil
}

// context returns what the result lines need beyond the result: the
// organisation's zone (for the sample) and the file pattern of the profile
// that was picked by it. The import is done by now, so a failed look-up
// (the profile deleted meanwhile) only shortens the output: UTC, no pattern.
func (c *ImportCmd) context(e *env, a *app.App, res *app.ImportResult) (*time.Location, string) {
	loc := time.UTC
	if c.JSON || (res.DryRun && len(res.Sample) > 0) {
		if m, err := a.Org(e.ctx, app.System, c.Org); err == nil {
			loc = m.Org.Location()
		}
	}
	if !res.ProfileMatched || res.Profile == "" {
		return loc, ""
	}
	sp, err := a.ImportProfile(e.ctx, app.System, c.Org, res.Profile)
	if err != nil {
		return loc, ""
	}
	return loc, sp.Profile.FilePattern
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
