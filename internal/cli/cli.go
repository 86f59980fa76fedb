// Package cli is pdca's command line: one kong struct per subcommand,
// each calling package app. Run is the whole program, so tests call it
// with arguments and buffers.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/alecthomas/kong"
	"golang.org/x/term"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/jobs"
	"github.com/pdca/pdca/internal/store"
)

// Version is set at build time with -ldflags "-X github.com/pdca/pdca/internal/cli.Version=v1.2.3".
var Version = "dev"

// Globals are the flags every subcommand has.
type Globals struct {
	DB       string `name:"db" env:"PDCA_DB" default:"pdca.db" help:"Database: a SQLite file path, or a postgres:// URL for PostgreSQL."`
	LogLevel string `name:"log-level" env:"PDCA_LOG_LEVEL" default:"" enum:",debug,info,warn,error" help:"Log level (debug, info, warn, error) of the JSON log on standard error; default info for serve, warn for every other command, whose standard output holds only its result."`
}

// CLI is the whole command line.
type CLI struct {
	Globals

	Serve   ServeCmd   `cmd:"" help:"Start the web UI and JSON API."`
	Org     OrgCmd     `cmd:"" help:"Manage organisations."`
	User    UserCmd    `cmd:"" help:"Manage people, their memberships and API tokens."`
	Import  ImportCmd  `cmd:"" help:"Import operational records from a CSV, XLSX, JSON or scanner file (all or nothing)."`
	Metrics MetricsCmd `cmd:"" help:"Rate every metric for a period."`
	Export  ExportCmd  `cmd:"" help:"Export registers and the evidence bundle for auditors."`
	Backup  BackupCmd  `cmd:"" help:"Write a consistent copy of the SQLite database."`
	Audit   AuditCmd   `cmd:"" help:"Check the audit trail."`
	Version VersionCmd `cmd:"" help:"Print the version."`
	OpenAPI OpenAPICmd `cmd:"" name:"openapi" help:"Print the JSON API's OpenAPI document (as served at /api/v1/openapi.json)."`
	Dev     DevCmd     `cmd:"" help:"Tools to measure pdca: generate data, load a running server."`
	SoA     SoACmd     `cmd:"" name:"soa" help:"Statement of Applicability: import decisions from a file."`
	Profile ProfileCmd `cmd:"" help:"Manage saved import profiles: how a source's files map to record fields."`
	// Issue 19: importing frameworks and mappings.
	Framework FrameworkCmd `cmd:"" help:"Frameworks: import catalogues (OSCAL, CSV, XLSX) and mappings, list them."`

	Completion CompletionCmd `cmd:"" help:"Print a shell completion script (bash, zsh or fish), e.g. source <(pdca completion bash)."`
}

// env is what a command runs with.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
	model  *kong.Application // for pdca completion
}

// exitError carries an exit code through kong.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Run parses args and runs the command; it returns the process exit code:
// 0 success, 1 a failure the user can fix (message on stderr), 2 bad usage.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var c CLI
	parser, err := kong.New(&c,
		kong.Name("pdca"),
		kong.Description("pdca keeps an ISO/IEC 27001 ISMS's Plan-Do-Check-Act loop running from real operational records."),
		kong.UsageOnError(),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitError{code}) }),
		kong.Vars{"version": Version},
	)
	if err != nil {
		fmt.Fprintf(stderr, "pdca: %v\n", err)
		return 2
	}
	code := 0
	func() {
		defer func() {
			if p := recover(); p != nil {
				if e, ok := p.(exitError); ok {
					code = e.code
					return
				}
				panic(p)
			}
		}()
		kctx, err := parser.Parse(args)
		if err != nil {
			fmt.Fprintf(stderr, "pdca: %v\n", err)
			code = 2
			return
		}
		e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, log: newLogger(stderr, logLevel(c.LogLevel, kctx.Command())), model: parser.Model}
		if err := kctx.Run(&c.Globals, e); err != nil {
			var ee exitError
			if errors.As(err, &ee) {
				code = ee.code
				return
			}
			fmt.Fprintf(stderr, "pdca: %s\n", isms.ErrorMessage(err))
			if isms.ErrorCode(err) == isms.EINTERNAL {
				fmt.Fprintf(stderr, "  detail: %v\n", err)
			}
			code = 1
		}
	}()
	return code
}

// logLevel is the level asked for, else info for serve (its log is its
// output) and warn for every other command, so that a script reading a
// command's standard output, or a person, sees its result alone.
func logLevel(asked, command string) string {
	if asked != "" {
		return asked
	}
	if command == "serve" {
		return "info"
	}
	return "warn"
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// open opens and migrates the database and returns the app over it.
func (g *Globals) open(e *env) (*app.App, error) {
	db, err := store.Open(e.ctx, g.DB)
	if err != nil {
		return nil, err
	}
	if err := migrateAll(e.ctx, db, e.log); err != nil {
		db.Close()
		return nil, err
	}
	a := newApp(db, e.log)
	// An insert-only River client: commands enqueue follow-up work (a
	// metric recompute after an import) for a running pdca serve to do.
	if _, err := jobs.New(db, a, e.log, jobs.Options{}); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

// readPassword reads a password from a file or from standard input (one
// line), never from a flag value, which other users could see in ps.
func readPassword(e *env, file, prompt string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", isms.Errorf(isms.EINVALID, "read password file: %v", err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		return string(b), err
	}
	fmt.Fprint(e.stderr, prompt)
	var line strings.Builder
	buf := make([]byte, 1)
	for {
		n, err := e.stdin.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				break
			}
			line.WriteByte(buf[0])
		}
		if err != nil {
			break
		}
	}
	fmt.Fprintln(e.stderr)
	return strings.TrimRight(line.String(), "\r"), nil
}
