package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// ProfileCmd groups the import profile commands.
type ProfileCmd struct {
	List   ProfileListCmd   `cmd:"" help:"List the organisation's saved import profiles."`
	Show   ProfileShowCmd   `cmd:"" help:"Print a profile as its JSON file."`
	Export ProfileExportCmd `cmd:"" help:"Write a profile's JSON file (to standard output, or --out)."`
	Import ProfileImportCmd `cmd:"" help:"Save a profile from its JSON file (pdca-import-profile/1)."`
	Delete ProfileDeleteCmd `cmd:"" help:"Delete a profile (asks first on a terminal; --yes otherwise)."`
}

// ProfileListCmd is pdca profile list.
type ProfileListCmd struct {
	Org  string `required:"" help:"Organisation slug."`
	JSON bool   `name:"json" help:"Same as --output json."`
	Output
}

// ProfileListJSON is one element of pdca profile list --json.
type ProfileListJSON struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	FilePattern string `json:"file_pattern"`
	DateOrder   string `json:"date_order"`
	UpdatedAt   string `json:"updated_at"`
}

// Run lists the profiles by name.
func (c *ProfileListCmd) Run(g *Globals, e *env) error {
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	ps, err := a.ImportProfiles(e.ctx, app.System, c.Org)
	if err != nil {
		return err
	}
	out := make([]ProfileListJSON, 0, len(ps))
	for _, sp := range ps {
		out = append(out, ProfileListJSON{Name: sp.Profile.Name, Kind: string(sp.Profile.Kind), FilePattern: sp.Profile.FilePattern,
			DateOrder: sp.Profile.DateOrder, UpdatedAt: sp.UpdatedAt.UTC().Format(time.RFC3339)})
	}
	if c.asJSON(c.JSON) {
		return writeJSON(e.stdout, out)
	}
	if len(out) == 0 {
		fmt.Fprintf(e.stdout, "%s has no import profiles; save one with pdca profile import --org %s --file PROFILE.json\n", c.Org, c.Org)
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tFILE PATTERN\tDATE ORDER")
	for _, p := range out {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Name, p.Kind, dash(p.FilePattern), dateOrderName(p.DateOrder))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// dateOrderName is a profile's date order in the list: dmy, mdy, or what
// an empty one means.
func dateOrderName(o string) string {
	if o == "" {
		return "organisation's"
	}
	return o
}

// ProfileShowCmd is pdca profile show.
type ProfileShowCmd struct {
	Org  string `required:"" help:"Organisation slug."`
	Name string `arg:"" help:"The profile's name (any case)."`
}

// Run prints the profile's JSON.
func (c *ProfileShowCmd) Run(g *Globals, e *env) error {
	return writeProfile(g, e, c.Org, c.Name, e.stdout)
}

// ProfileExportCmd is pdca profile export.
type ProfileExportCmd struct {
	Org  string `required:"" help:"Organisation slug."`
	Name string `arg:"" help:"The profile's name (any case)."`
	Out  string `help:"File to write (default: standard output)."`
}

// Run writes the profile's JSON file.
func (c *ProfileExportCmd) Run(g *Globals, e *env) error {
	if c.Out == "" {
		return writeProfile(g, e, c.Org, c.Name, e.stdout)
	}
	f, err := os.Create(c.Out)
	if err != nil {
		return isms.Errorf(isms.EINVALID, "--out %s: %v", c.Out, err)
	}
	if err := writeProfile(g, e, c.Org, c.Name, f); err != nil {
		f.Close()
		os.Remove(c.Out)
		return err
	}
	if err := f.Close(); err != nil {
		return isms.Errorf(isms.EINVALID, "--out %s: %v", c.Out, err)
	}
	fmt.Fprintf(e.stderr, "wrote profile %q to %s\n", c.Name, c.Out)
	return nil
}

// writeProfile writes the named profile as isms.ProfileJSON.
func writeProfile(g *Globals, e *env, org, name string, w io.Writer) error {
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	sp, err := a.ImportProfile(e.ctx, app.System, org, name)
	if err != nil {
		return err
	}
	b, err := isms.ProfileJSON(sp.Profile)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// ProfileImportCmd is pdca profile import.
type ProfileImportCmd struct {
	Org     string `required:"" help:"Organisation slug."`
	File    string `required:"" type:"existingfile" help:"The profile's JSON file, as pdca profile export writes it."`
	Replace bool   `help:"Replace the profile of the same name (any case) if there is one."`
}

// Run reads, checks and saves the profile.
func (c *ProfileImportCmd) Run(g *Globals, e *env) error {
	f, err := os.Open(c.File)
	if err != nil {
		return isms.Errorf(isms.EINVALID, "open %s: %v", c.File, err)
	}
	data, err := io.ReadAll(io.LimitReader(f, isms.MaxProfileJSON+1))
	f.Close()
	if err != nil {
		return isms.Errorf(isms.EINVALID, "read %s: %v", c.File, err)
	}
	prof, err := isms.ParseProfileJSON(data)
	if err != nil {
		return isms.Errorf(isms.ErrorCode(err), "%s: %s", c.File, isms.ErrorMessage(err))
	}
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	created, err := a.SaveImportProfile(e.ctx, app.System, c.Org, prof, c.Replace)
	if isms.ErrorCode(err) == isms.ECONFLICT && !c.Replace {
		return isms.Errorf(isms.ECONFLICT, "%s: %s has a profile called %q; pass --replace to replace it, or change the name in the file", c.File, c.Org, prof.Name)
	}
	if err != nil {
		return isms.Errorf(isms.ErrorCode(err), "%s: %s", c.File, isms.ErrorMessage(err))
	}
	verb := "replaced"
	if created {
		verb = "created"
	}
	fmt.Fprintf(e.stdout, "%s profile %q (%s) in %s\n", verb, prof.Name, prof.Kind, c.Org)
	return nil
}

// ProfileDeleteCmd is pdca profile delete.
type ProfileDeleteCmd struct {
	Org  string `required:"" help:"Organisation slug."`
	Name string `arg:"" help:"The profile's name (any case)."`
	Yes  bool   `help:"Delete without asking (needed when standard input is not a terminal)."`
}

// Run deletes the profile after confirmation: a question on a terminal,
// --yes otherwise (a script never deletes by accident).
func (c *ProfileDeleteCmd) Run(g *Globals, e *env) error {
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	sp, err := a.ImportProfile(e.ctx, app.System, c.Org, c.Name)
	if err != nil {
		return err
	}
	name := sp.Profile.Name
	if !c.Yes {
		ok, err := confirm(e, fmt.Sprintf("delete import profile %q (%s) of %s? [y/N] ", name, sp.Profile.Kind, c.Org))
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintf(e.stderr, "pdca: profile %q not deleted\n", name)
			return exitError{1}
		}
	}
	if err := a.DeleteImportProfile(e.ctx, app.System, c.Org, name); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "deleted profile %q from %s\n", name, c.Org)
	return nil
}

// confirm asks a yes/no question on a terminal. When standard input is not
// a terminal it refuses (EINVALID naming --yes): a destructive command in a
// script must say so.
func confirm(e *env, question string) (bool, error) {
	f, ok := e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false, isms.Errorf(isms.EINVALID, "standard input is not a terminal, so pdca cannot ask; pass --yes to confirm")
	}
	fmt.Fprint(e.stderr, question)
	line, _ := bufio.NewReader(f).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}
