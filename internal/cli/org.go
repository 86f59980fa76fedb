package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// OrgCmd groups organisation commands.
type OrgCmd struct {
	Create OrgCreateCmd `cmd:"" help:"Create an organisation (a tenant)."`
	List   OrgListCmd   `cmd:"" help:"List organisations."`
	// DateOrder sets how imports read slashed dates.
	DateOrder OrgDateOrderCmd `cmd:"" name:"date-order" help:"Set how imports read slashed dates such as 05/10/2026."`
}

// OrgDateOrderCmd is pdca org date-order.
type OrgDateOrderCmd struct {
	Org   string `required:"" help:"Organisation slug."`
	Order string `arg:"" enum:"dmy,mdy,none" help:"dmy: day first (05/10/2026 is 5 October); mdy: month first (May 10); none: refuse slashed dates unless the import gives the order."`
}

// Run stores the organisation's date order.
func (c *OrgDateOrderCmd) Run(g *Globals, e *env) error {
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	order := c.Order
	if order == "none" {
		order = ""
	}
	if err := a.SetDateOrder(e.ctx, app.System, c.Org, order); err != nil {
		return err
	}
	switch order {
	case "dmy":
		fmt.Fprintf(e.stdout, "%s: imports read slashed dates day first (05/10/2026 is 5 October)\n", c.Org)
	case "mdy":
		fmt.Fprintf(e.stdout, "%s: imports read slashed dates month first (05/10/2026 is May 10)\n", c.Org)
	default:
		fmt.Fprintf(e.stdout, "%s: imports refuse slashed dates unless the import gives the order (--day-first, --month-first)\n", c.Org)
	}
	return nil
}

// OrgCreateCmd is pdca org create.
type OrgCreateCmd struct {
	Slug  string `required:"" help:"Short name used in URLs and commands, e.g. acme (lower-case letters, digits, hyphens)."`
	Name  string `required:"" help:"Display name, e.g. \"Acme Oy\"."`
	TZ    string `name:"tz" default:"UTC" help:"IANA time zone in which periods and local timestamps are read, e.g. Europe/Helsinki."`
	Admin string `help:"Email of an existing person to make the organisation's admin."`
}

// Run creates the organisation.
func (c *OrgCreateCmd) Run(g *Globals, e *env) error {
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	o := &isms.Organization{Slug: c.Slug, Name: c.Name, TimeZone: c.TZ}
	if err := a.CreateOrg(e.ctx, app.System, o); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created organisation %s (%s, time zone %s)\n", o.Slug, o.Name, o.TimeZone)
	if c.Admin != "" {
		if _, err := a.AddMember(e.ctx, app.System, o.Slug, c.Admin, isms.RoleAdmin); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s is its admin\n", c.Admin)
	}
	return nil
}

// OrgListCmd is pdca org list.
type OrgListCmd struct {
	Output
}

// Run lists organisations.
func (c *OrgListCmd) Run(g *Globals, e *env) error {
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	orgs, err := a.Orgs(e.ctx, app.System)
	if err != nil {
		return err
	}
	if c.asJSON(false) {
		out := make([]OrgJSON, 0, len(orgs))
		for _, o := range orgs {
			out = append(out, OrgJSON{ID: o.OrgID, Slug: o.OrgSlug, Name: o.OrgName})
		}
		return writeJSON(e.stdout, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tNAME")
	for _, o := range orgs {
		fmt.Fprintf(tw, "%s\t%s\n", o.OrgSlug, o.OrgName)
	}
	return tw.Flush()
}
