package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// ExportCmd groups export commands.
type ExportCmd struct {
	Bundle   ExportBundleCmd   `cmd:"" help:"Write the evidence bundle for a certification audit: every register, the audit trail and a SHA-256 manifest, as a zip."`
	Register ExportRegisterCmd `cmd:"" help:"Write one register as CSV or XLSX."`
	POAM     ExportPOAMCmd     `cmd:"" name:"poam" help:"Write the open deviations and corrective actions as an OSCAL 1.0.4 Plan of Action and Milestones (JSON)."`
}

// ExportPOAMCmd is pdca export poam.
type ExportPOAMCmd struct {
	Org   string `required:"" help:"Organisation slug."`
	Out   string `required:"" help:"JSON file to write."`
	Force bool   `help:"Overwrite --out if it exists."`
}

// Run writes the POA&M.
func (c *ExportPOAMCmd) Run(g *Globals, e *env) error {
	if err := checkOut(c.Out, c.Force); err != nil {
		return err
	}
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	doc, err := a.POAMDownload(e.ctx, app.System, c.Org)
	if err != nil {
		return err
	}
	if err := writePrivate(c.Out, doc); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "POA&M written to %s (%d bytes, validated against OSCAL 1.0.4)\n", c.Out, len(doc))
	return nil
}

// ExportBundleCmd is pdca export bundle.
type ExportBundleCmd struct {
	Org   string `required:"" help:"Organisation slug."`
	Out   string `required:"" help:"Zip file to write."`
	Force bool   `help:"Overwrite --out if it exists."`
}

// Run writes the bundle.
func (c *ExportBundleCmd) Run(g *Globals, e *env) error {
	if err := checkOut(c.Out, c.Force); err != nil {
		return err
	}
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	var buf bytes.Buffer
	manifest, err := a.EvidenceBundle(e.ctx, app.System, c.Org, &buf)
	if err != nil {
		return err
	}
	if err := writePrivate(c.Out, buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "evidence bundle written to %s (%d bytes); its manifest:\n%s", c.Out, buf.Len(), manifest)
	return nil
}

// ExportRegisterCmd is pdca export register.
type ExportRegisterCmd struct {
	Org    string `required:"" help:"Organisation slug."`
	Name   string `required:"" help:"Register: processes, cycles, metrics, measurements, audit-trail, records-<kind> (e.g. records-incidents), and those of other modules."`
	Format string `default:"csv" enum:"csv,xlsx" help:"csv or xlsx."`
	Out    string `required:"" help:"File to write."`
	Force  bool   `help:"Overwrite --out if it exists."`
}

// Run writes the register.
func (c *ExportRegisterCmd) Run(g *Globals, e *env) error {
	if err := checkOut(c.Out, c.Force); err != nil {
		return err
	}
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	b, t, err := a.RegisterFile(e.ctx, app.System, c.Org, c.Name, c.Format)
	if err != nil {
		return err
	}
	if err := writePrivate(c.Out, b); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %d rows written to %s\n", t.Title, len(t.Rows), c.Out)
	return nil
}

// writePrivate writes data to path readable by its owner only (0600),
// also when --force replaces a file of another mode: it writes a new file
// next to it and renames it over.
func writePrivate(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return isms.Errorf(isms.EINVALID, "write %s: %v", path, err)
	}
	defer os.Remove(f.Name())
	// CreateTemp makes the file 0600; Chmod makes it so whatever the umask.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return isms.Errorf(isms.EINVALID, "write %s: %v", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return isms.Errorf(isms.EINVALID, "write %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		return isms.Errorf(isms.EINVALID, "write %s: %v", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return isms.Errorf(isms.EINVALID, "write %s: %v", path, err)
	}
	return nil
}

// checkOut refuses to overwrite a file unless forced.
func checkOut(path string, force bool) error {
	if _, err := os.Stat(path); err == nil && !force {
		return isms.Errorf(isms.EINVALID, "%s already exists; choose another file or pass --force to overwrite it", path)
	}
	return nil
}
