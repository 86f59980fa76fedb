package cli_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/web"
)

// TestDevGenerateAndLoad generates a small organisation, serves it in
// this process on loopback and runs a short load with writes, whose
// integrity check must pass.
func TestDevGenerateAndLoad(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		pw := write(t, "pw", "a long enough password\n")
		if code, out, errs := run(t, dsn, "", "dev", "generate", "--records", "500", "--deviations", "3", "--password-file", pw); code != 0 || !strings.Contains(out, "load-1:") {
			t.Fatalf("generate: %d %q %q", code, out, errs)
		}
		code, tok, errs := run(t, dsn, "", "user", "token", "create", "--org", "load-1", "--email", "load@pdca.test", "--name", "load", "--scope", "write")
		if code != 0 {
			t.Fatal(errs)
		}
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		srv, err := web.New(context.Background(), app.New(db, nil), web.Config{}, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv.Handler())
		defer ts.Close()
		tokFile := write(t, "token", tok)
		code, out, errs := run(t, "unused.db", "", "dev", "load", "--url", ts.URL, "--org", "load-1", "--password-file", pw, "--token-file", tokFile,
			"--clients", "2", "--duration", "300ms", "--max-requests", "40")
		if code != 0 {
			t.Fatalf("load: %d\n%s\n%s", code, out, errs)
		}
		for _, want := range []string{"dashboard", "one deviation", "integrity: create deviation (API) at 2 clients", "integrity: import 1,000 rows (API) at 2 clients"} {
			if !strings.Contains(out, want) {
				t.Errorf("load output lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "LOST") {
			t.Errorf("integrity failed:\n%s", out)
		}
		// Mixed: every target at the same moment, the integrity check too.
		code, out, errs = run(t, "unused.db", "", "dev", "load", "--url", ts.URL, "--org", "load-1", "--password-file", pw, "--token-file", tokFile,
			"--clients", "8", "--duration", "300ms", "--max-requests", "40", "--mixed")
		if code != 0 {
			t.Fatalf("mixed load: %d\n%s\n%s", code, out, errs)
		}
		for _, want := range []string{"mixed: 7 targets at once, 1 clients each", "one deviation (API)", "integrity: create deviation (API) at 1 clients: ", "integrity: import 1,000 rows (API) at 1 clients: "} {
			if !strings.Contains(out, want) {
				t.Errorf("mixed load output lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "LOST") {
			t.Errorf("integrity failed in the mixed run:\n%s", out)
		}
		if code, _, errs := run(t, "unused.db", "", "dev", "load", "--url", "http://192.0.2.1:8080", "--org", "load-1", "--password-file", pw); code != 1 || !strings.Contains(errs, "only against this machine") {
			t.Errorf("non-loopback target: %d %q", code, errs)
		}
	})
}
