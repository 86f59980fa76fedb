package cli

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/demo"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// DevCmd groups the tools for measuring pdca (docs/BENCHMARKS.md).
type DevCmd struct {
	Generate DevGenerateCmd `cmd:"" help:"Generate organisations with realistic operational records, through the real import path."`
	Load     DevLoadCmd     `cmd:"" help:"Measure a running pdca serve on this machine: requests per second and latency at several numbers of clients."`
}

// DevGenerateCmd is pdca dev generate.
type DevGenerateCmd struct {
	Orgs         int    `default:"1" help:"How many organisations to create."`
	Records      int    `default:"10000" help:"Records per organisation, spread over the ten kinds."`
	Prefix       string `default:"load" help:"Slug prefix: load-1, load-2, ..."`
	Email        string `default:"load@pdca.test" help:"A person made admin of every generated organisation (created if missing)."`
	PasswordFile string `name:"password-file" type:"existingfile" help:"Password of that person when it is created; without it a random one is printed."`
	Deviations   int    `default:"60" help:"Deviations opened in each organisation."`
}

// kindShare spreads records over the kinds roughly as a real ISMS has them.
var kindShare = []struct {
	kind  isms.RecordKind
	share float64
}{
	{isms.KindSuppliers, 0.005}, {isms.KindSupplierAssessments, 0.01}, {isms.KindAccessRemovals, 0.15}, {isms.KindIncidents, 0.05},
	{isms.KindRestoreTests, 0.015}, {isms.KindChanges, 0.25}, {isms.KindVulnerabilities, 0.25}, {isms.KindTraining, 0.2},
	{isms.KindDeviations, 0.04}, {isms.KindAuditFindings, 0.03},
}

// Run creates the organisations and imports their records.
// generateChunk is how many generated records one import carries.
const generateChunk = 25_000

func (c *DevGenerateCmd) Run(g *Globals, e *env) error {
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	password := ""
	if c.PasswordFile != "" {
		if password, err = readPassword(e, c.PasswordFile, ""); err != nil {
			return err
		}
	} else {
		password = fmt.Sprintf("load-%x", rand.Uint64())
	}
	u := &isms.User{Email: c.Email, Name: "Load test"}
	switch err := a.CreateUser(e.ctx, app.System, u, password); {
	case err == nil && c.PasswordFile == "":
		fmt.Fprintf(e.stdout, "created %s with password %s\n", c.Email, password)
	case err == nil:
		fmt.Fprintf(e.stdout, "created %s\n", c.Email)
	case isms.ErrorCode(err) != isms.ECONFLICT:
		return err
	}
	end := time.Now().UTC()
	start := end.AddDate(-1, 0, 0)
	rng := rand.New(rand.NewPCG(27001, 2022))
	// Each chunk is an import of its own: statistics are refreshed once
	// per kind when its chunks are in, not after every chunk.
	a.AnalyzeAfter = math.MaxInt
	for i := 1; i <= c.Orgs; i++ {
		slug := fmt.Sprintf("%s-%d", c.Prefix, i)
		o := &isms.Organization{Slug: slug, Name: fmt.Sprintf("Load test %d", i), TimeZone: "Europe/Helsinki"}
		if err := a.CreateOrg(e.ctx, app.System, o); err != nil {
			return err
		}
		if _, err := a.AddMember(e.ctx, app.System, slug, c.Email, isms.RoleAdmin); err != nil {
			return err
		}
		t0 := time.Now()
		total := 0
		for _, ks := range kindShare {
			n := max(1, int(float64(c.Records)*ks.share))
			if ks.kind == isms.KindSuppliers {
				n = max(n, demo.SyntheticSuppliers) // assessments name these
			}
			// One import per chunk keeps the generator's memory that of a
			// chunk, not of the register (docs/BENCHMARKS.md).
			var buf bytes.Buffer
			err := demo.EachChunk(ks.kind, n, generateChunk, start, end, rng, func(rs []isms.Record) error {
				buf.Reset()
				if err := demo.WriteCSV(&buf, ks.kind, rs, o.Location()); err != nil {
					return err
				}
				res, err := a.Import(e.ctx, app.System, app.ImportRequest{Org: slug, Kind: ks.kind, Format: importer.FormatCSV, FileName: "generated.csv", File: &buf})
				if err != nil {
					return fmt.Errorf("%s %s: %w", slug, ks.kind, err)
				}
				total += res.Created
				return nil
			})
			if err != nil {
				return err
			}
			if err := a.DB.AnalyzeRecords(e.ctx, o.ID, ks.kind); err != nil {
				return err
			}
		}
		for d := range c.Deviations {
			due := end.AddDate(0, 0, 30)
			if _, err := a.CreateDeviation(e.ctx, app.System, slug, app.DeviationInput{Title: fmt.Sprintf("Generated deviation %d", d+1), Kind: "minor",
				Source: "observation", Severity: "medium", DetectedAt: end.AddDate(0, 0, -d), OwnerEmail: c.Email, DueAt: &due}); err != nil {
				return err
			}
		}
		if _, err := a.RecomputeMetrics(e.ctx, o.ID); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: %d records, %d deviations in %s\n", slug, total, c.Deviations, time.Since(t0).Round(time.Millisecond))
	}
	return nil
}
