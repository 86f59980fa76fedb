package cli

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// UserCmd groups people commands.
type UserCmd struct {
	Create   UserCreateCmd   `cmd:"" help:"Create a person who can sign in, optionally as a member of an organisation."`
	Password UserPasswordCmd `cmd:"" help:"Set a person's password."`
	Add      UserAddCmd      `cmd:"" help:"Give an existing person a role in an organisation."`
	Remove   UserRemoveCmd   `cmd:"" help:"Remove a member from an organisation: their access ends at once and their API tokens there are revoked."`
	Token    TokenCmd        `cmd:"" help:"Manage API tokens for scripts."`
	// Issue 18: who may create organisations in the UI.
	Operator UserOperatorCmd `cmd:"" help:"Make a person an operator of this server (who may create organisations in the UI), or no longer one."`
}

// UserOperatorCmd is pdca user operator.
type UserOperatorCmd struct {
	Email  string `required:"" help:"Email of an existing person."`
	Revoke bool   `help:"Make them no longer an operator."`
}

// Run sets or clears the flag.
func (c *UserOperatorCmd) Run(g *Globals, e *env) error {
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	if err := a.SetOperator(e.ctx, app.System, c.Email, !c.Revoke); err != nil {
		return err
	}
	if c.Revoke {
		fmt.Fprintf(e.stdout, "%s is no longer an operator\n", isms.NormalizeEmail(c.Email))
	} else {
		fmt.Fprintf(e.stdout, "%s is an operator: they may create organisations in the UI (unless serve --allow-org-create=no)\n", isms.NormalizeEmail(c.Email))
	}
	return nil
}

// UserCreateCmd is pdca user create.
type UserCreateCmd struct {
	Email        string `required:"" help:"Email address (the sign-in name)."`
	Name         string `required:"" help:"Full name."`
	PasswordFile string `name:"password-file" type:"existingfile" help:"Read the password from this file instead of a prompt. Passwords are never taken as flag values."`
	NoPassword   bool   `name:"no-password" help:"Create the person without a password (single sign-on only)."`
	Org          string `help:"Slug of an organisation to add the person to."`
	Role         string `default:"viewer" enum:"admin,isms_manager,process_owner,management,auditor,viewer" help:"Role in --org (${enum})."`
}

// Run creates the person.
func (c *UserCreateCmd) Run(g *Globals, e *env) error {
	password := ""
	if !c.NoPassword {
		var err error
		if password, err = readPassword(e, c.PasswordFile, "Password for "+c.Email+": "); err != nil {
			return err
		}
		if err := isms.ValidatePassword(password); err != nil {
			return err
		}
	}
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	u := &isms.User{Email: c.Email, Name: c.Name}
	if err := a.CreateUser(e.ctx, app.System, u, password); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created %s (%s)\n", u.Email, u.Name)
	if c.Org != "" {
		if _, err := a.AddMember(e.ctx, app.System, c.Org, u.Email, isms.Role(c.Role)); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added to %s as %s\n", c.Org, c.Role)
	}
	return nil
}

// UserPasswordCmd is pdca user password.
type UserPasswordCmd struct {
	Email        string `required:"" help:"Email of the person."`
	PasswordFile string `name:"password-file" type:"existingfile" help:"Read the new password from this file instead of a prompt."`
}

// Run sets the password.
func (c *UserPasswordCmd) Run(g *Globals, e *env) error {
	password, err := readPassword(e, c.PasswordFile, "New password for "+c.Email+": ")
	if err != nil {
		return err
	}
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	if err := a.SetPasswordByEmail(e.ctx, app.System, c.Email, password); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "password of %s changed; every session of theirs ended\n", c.Email)
	return nil
}

// UserAddCmd is pdca user add.
type UserAddCmd struct {
	Email string `required:"" help:"Email of an existing person."`
	Org   string `required:"" help:"Organisation slug."`
	Role  string `required:"" enum:"admin,isms_manager,process_owner,management,auditor,viewer" help:"Role (${enum})."`
}

// Run adds the membership.
func (c *UserAddCmd) Run(g *Globals, e *env) error {
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	if _, err := a.AddMember(e.ctx, app.System, c.Org, c.Email, isms.Role(c.Role)); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s is now %s in %s\n", c.Email, c.Role, c.Org)
	return nil
}

// UserRemoveCmd is pdca user remove.
type UserRemoveCmd struct {
	Email string `required:"" help:"Email of the member."`
	Org   string `required:"" help:"Organisation slug."`
}

// Run removes the membership.
func (c *UserRemoveCmd) Run(g *Globals, e *env) error {
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	members, err := a.Members(e.ctx, app.System, c.Org)
	if err != nil {
		return err
	}
	email := isms.NormalizeEmail(c.Email)
	for _, m := range members {
		if m.Email == email {
			if err := a.RemoveMember(e.ctx, app.System, c.Org, m.UserID); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s removed from %s; their API tokens there are revoked\n", email, c.Org)
			return nil
		}
	}
	return isms.Errorf(isms.ENOTFOUND, "%s is not a member of %s", c.Email, c.Org)
}

// TokenCmd groups token commands.
type TokenCmd struct {
	Create TokenCreateCmd `cmd:"" help:"Create an API token; the secret is printed once."`
	Revoke TokenRevokeCmd `cmd:"" help:"Revoke an API token."`
	List   TokenListCmd   `cmd:"" help:"List an organisation's API tokens."`
}

// TokenCreateCmd is pdca user token create.
type TokenCreateCmd struct {
	Org     string `required:"" help:"Organisation slug."`
	Email   string `required:"" help:"The member the token acts as."`
	Name    string `required:"" help:"What the token is for, e.g. \"HR import\"."`
	Scope   string `default:"read" enum:"read,write" help:"read or write (${enum})."`
	Expires string `help:"When the token stops working: 12h, 30d, 90d, a date (2026-12-31, valid through that day, UTC) or an RFC 3339 time. Default: never."`
}

// Run creates the token and prints its secret once.
func (c *TokenCreateCmd) Run(g *Globals, e *env) error {
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	t, secret, err := a.CreateTokenExpiring(e.ctx, app.System, c.Org, c.Email, c.Name, isms.TokenScope(c.Scope), c.Expires)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "token %d (%s, %s, expires %s) created; copy the secret now, it is not stored:\n", t.ID, t.Name, t.Scope, expiry(t.ExpiresAt))
	fmt.Fprintln(e.stdout, secret)
	return nil
}

// TokenRevokeCmd is pdca user token revoke.
type TokenRevokeCmd struct {
	Org string `required:"" help:"Organisation slug."`
	ID  int64  `required:"" name:"id" help:"Token id (see pdca user token list)."`
}

// Run revokes the token.
func (c *TokenRevokeCmd) Run(g *Globals, e *env) error {
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	if err := a.RevokeToken(e.ctx, app.System, c.Org, c.ID); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "token %d revoked\n", c.ID)
	return nil
}

// TokenListCmd is pdca user token list.
type TokenListCmd struct {
	Org string `required:"" help:"Organisation slug."`
	Output
}

// Run lists the tokens.
func (c *TokenListCmd) Run(g *Globals, e *env) error {
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	asJSON := c.asJSON(false)
	out := []TokenJSON{}
	if !asJSON {
		fmt.Fprintln(tw, "ID\tNAME\tSCOPE\tUSER\tCREATED\tLAST USED\tEXPIRES\tREVOKED")
	}
	// A page at a time, as the API reads them: every token, oldest first.
	for off := 0; ; off += store.MaxPageSize {
		pg, err := a.TokenList(e.ctx, app.System, c.Org, app.TokenFilter{Page: app.Page{Limit: store.MaxPageSize, Offset: off}})
		if err != nil {
			return err
		}
		for _, t := range pg.Items {
			if asJSON {
				out = append(out, TokenJSON{ID: t.ID, Name: t.Name, Scope: string(t.Scope), UserID: t.UserID, CreatedAt: t.CreatedAt.UTC(),
					LastUsedAt: utcPtr(t.LastUsedAt), ExpiresAt: utcPtr(t.ExpiresAt), RevokedAt: utcPtr(t.RevokedAt)})
				continue
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Scope, t.UserID, t.CreatedAt.UTC().Format("2006-01-02T15:04:05Z07:00"), fmtTime(t.LastUsedAt), expiry(t.ExpiresAt), fmtTime(t.RevokedAt))
		}
		if !pg.More {
			if asJSON {
				return writeJSON(e.stdout, out)
			}
			return tw.Flush()
		}
	}
}

// expiry shows a token's expiry, "never" for none.
func expiry(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return fmtTime(t)
}
