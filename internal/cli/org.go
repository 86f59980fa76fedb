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
type OrgListCmd struct{}

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
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tNAME")
	for _, o := range orgs {
		fmt.Fprintf(tw, "%s\t%s\n", o.OrgSlug, o.OrgName)
	}
	return tw.Flush()
}
