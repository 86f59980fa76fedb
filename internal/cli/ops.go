package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// BackupCmd is pdca backup.
type BackupCmd struct {
	Out   string `required:"" help:"File to write the copy to."`
	Force bool   `help:"Overwrite --out if it exists."`
}

// Run writes the backup.
func (c *BackupCmd) Run(g *Globals, e *env) error {
	if store.EngineOf(g.DB) == store.Postgres {
		return isms.Errorf(isms.EINVALID, "pdca backup copies SQLite files; for PostgreSQL use pg_dump, e.g. pg_dump --format=custom --file=pdca.dump \"$PDCA_DB\"")
	}
	if _, err := os.Stat(c.Out); err == nil {
		if !c.Force {
			return isms.Errorf(isms.EINVALID, "%s already exists; choose another file or pass --force to overwrite it", c.Out)
		}
		if err := os.Remove(c.Out); err != nil {
			return isms.Errorf(isms.EINVALID, "cannot overwrite %s: %v", c.Out, err)
		}
	}
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	start := time.Now()
	if err := a.DB.Backup(e.ctx, c.Out); err != nil {
		return err
	}
	st, err := os.Stat(c.Out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backup written to %s (%d bytes in %s)\n", c.Out, st.Size(), time.Since(start).Round(time.Millisecond))
	return nil
}

// AuditCmd groups audit trail commands.
type AuditCmd struct {
	Verify AuditVerifyCmd `cmd:"" help:"Recompute every audit chain and name the first altered or removed event. Exits 1 if any chain is broken."`
}

// AuditVerifyCmd is pdca audit verify.
type AuditVerifyCmd struct{}

// Run verifies the chains.
func (c *AuditVerifyCmd) Run(g *Globals, e *env) error {
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	reports, ok, err := a.VerifyAudit(e.ctx, app.System)
	if err != nil {
		return err
	}
	for _, r := range reports {
		name := r.OrgSlug
		if r.OrgID == isms.SystemOrgID {
			name = "(system)"
		}
		if r.Problem == nil {
			fmt.Fprintf(e.stdout, "ok      %-20s %d events\n", name, r.Events)
		} else {
			fmt.Fprintf(e.stdout, "BROKEN  %-20s at event %d: %s\n", name, r.Problem.Seq, r.Problem.Reason)
		}
	}
	if !ok {
		fmt.Fprintln(e.stderr, "pdca: the audit trail was altered; the first broken event of each chain is named above")
		return exitError{1}
	}
	fmt.Fprintf(e.stdout, "audit trail intact (%d chains)\n", len(reports))
	return nil
}

// VersionCmd is pdca version.
type VersionCmd struct{}

// Run prints the version.
func (c *VersionCmd) Run(e *env) error {
	fmt.Fprintf(e.stdout, "pdca %s\n", Version)
	return nil
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
