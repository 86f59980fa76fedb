// Package config holds pdca's configuration: one struct, filled from flags
// and PDCA_* environment variables by the command line, passed explicitly.
// Every default works with nothing set.
package config

import (
	"fmt"
	"os"
	"strings"
)

// Config is the whole configuration.
type Config struct {
	// DB is a SQLite file path (default pdca.db) or a postgres:// URL.
	DB string
	// Addr is the listen address of pdca serve.
	Addr string
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// SecureCookies marks the session cookie Secure (serve over HTTPS).
	SecureCookies bool
	// OIDC single sign-on; empty Issuer turns it off.
	OIDCIssuer, OIDCClientID, OIDCSecretFile, OIDCRedirectURL, OIDCName string
}

// ReadSecretFile reads a secret from a file, trimming the final newline,
// so secrets never travel as flag values (visible in ps) or env dumps.
func ReadSecretFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read secret file: %w", err)
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", fmt.Errorf("secret file %s is empty", path)
	}
	return s, nil
}
