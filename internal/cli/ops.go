package cli

import (
	"crypto/ed25519"
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
	Verify     AuditVerifyCmd     `cmd:"" help:"Recompute every audit chain and name the first altered or removed event; with --checkpoint, also check that every chain still extends a signed checkpoint. Exits 1 if anything is wrong."`
	Keygen     AuditKeygenCmd     `cmd:"" help:"Write a new Ed25519 key for signing audit checkpoints (private key to --out, public key to --out.pub)."`
	Checkpoint AuditCheckpointCmd `cmd:"" help:"Sign a statement of every audit chain's head (organisation, sequence, hash, time) and write it to --out."`
}

// AuditKeygenCmd is pdca audit keygen.
type AuditKeygenCmd struct {
	Out   string `required:"" help:"File for the private key (mode 0600); the public key goes to this name plus .pub."`
	Force bool   `help:"Overwrite existing key files."`
}

// Run writes the key pair.
func (c *AuditKeygenCmd) Run(e *env) error {
	for _, p := range []string{c.Out, c.Out + ".pub"} {
		if err := checkOut(p, c.Force); err != nil {
			return err
		}
	}
	priv, pub, err := isms.GenerateKey()
	if err != nil {
		return err
	}
	if err := writePrivate(c.Out, priv); err != nil {
		return err
	}
	if err := writePrivate(c.Out+".pub", pub); err != nil {
		return err
	}
	k, _ := isms.ParsePublicKey(pub)
	fmt.Fprintf(e.stdout, "private key written to %s (keep it off the database host's backups); public key %s written to %s.pub\n", c.Out, isms.KeyFingerprint(k), c.Out)
	return nil
}

// readPrivateKey reads a key written by pdca audit keygen.
func readPrivateKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, isms.Errorf(isms.EINVALID, "read audit key: %v", err)
	}
	k, err := isms.ParsePrivateKey(b)
	if err != nil {
		return nil, isms.Errorf(isms.EINVALID, "%s: %s", path, isms.ErrorMessage(err))
	}
	return k, nil
}

// AuditCheckpointCmd is pdca audit checkpoint.
type AuditCheckpointCmd struct {
	Key   string `required:"" help:"Private key file written by pdca audit keygen."`
	Out   string `required:"" help:"File to write the signed checkpoint (JSON) to."`
	Force bool   `help:"Overwrite --out if it exists."`
}

// Run takes and writes the checkpoint.
func (c *AuditCheckpointCmd) Run(g *Globals, e *env) error {
	if err := checkOut(c.Out, c.Force); err != nil {
		return err
	}
	key, err := readPrivateKey(c.Key)
	if err != nil {
		return err
	}
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	cp, err := a.TakeCheckpoint(e.ctx, app.System, key, app.CheckpointCLI, false)
	if err != nil {
		return err
	}
	if err := writePrivate(c.Out, cp.JSON()); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "checkpoint of %d chains at %s written to %s (SHA-256 %s, key %s)\n", len(cp.Heads), cp.Time, c.Out, cp.SHA256(), cp.KeyID)
	return nil
}

// AuditVerifyCmd is pdca audit verify.
type AuditVerifyCmd struct {
	Checkpoint string `help:"A signed checkpoint (pdca audit checkpoint, or audit-checkpoint.json from an evidence bundle) every chain must still extend." type:"existingfile"`
	PublicKey  string `name:"public-key" help:"The public key (.pub) that signed --checkpoint." type:"existingfile"`
}

// Run verifies the chains.
func (c *AuditVerifyCmd) Run(g *Globals, e *env) error {
	if (c.Checkpoint == "") != (c.PublicKey == "") {
		return isms.Errorf(isms.EINVALID, "--checkpoint and --public-key go together: the checkpoint is trusted only with the key that signed it")
	}
	var cp *isms.Checkpoint
	if c.Checkpoint != "" {
		var err error
		if cp, err = readCheckpoint(c.Checkpoint, c.PublicKey); err != nil {
			return err
		}
	}
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
	if cp != nil {
		problems, err := a.VerifyCheckpoint(e.ctx, app.System, cp)
		if err != nil {
			return err
		}
		for _, p := range problems {
			fmt.Fprintf(e.stdout, "BROKEN  %s\n", p)
		}
		if len(problems) > 0 {
			ok = false
		} else {
			fmt.Fprintf(e.stdout, "every chain extends the checkpoint of %s (%d chains, key %s)\n", cp.Time, len(cp.Heads), cp.KeyID)
		}
	}
	if !ok {
		fmt.Fprintln(e.stderr, "pdca: the audit trail was altered; what is wrong with each chain is named above")
		return exitError{1}
	}
	fmt.Fprintf(e.stdout, "audit trail intact (%d chains)\n", len(reports))
	return nil
}

// readCheckpoint reads a checkpoint file and checks its signature.
func readCheckpoint(path, pubPath string) (*isms.Checkpoint, error) {
	pb, err := os.ReadFile(pubPath)
	if err != nil {
		return nil, isms.Errorf(isms.EINVALID, "read public key: %v", err)
	}
	pub, err := isms.ParsePublicKey(pb)
	if err != nil {
		return nil, isms.Errorf(isms.EINVALID, "%s: %s", pubPath, isms.ErrorMessage(err))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, isms.Errorf(isms.EINVALID, "read checkpoint: %v", err)
	}
	cp, err := isms.ParseCheckpoint(b)
	if err == nil {
		err = cp.Verify(pub)
	}
	if err != nil {
		return nil, isms.Errorf(isms.EINVALID, "%s: %s", path, isms.ErrorMessage(err))
	}
	return cp, nil
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
