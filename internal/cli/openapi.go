package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pdca/pdca/internal/web"
)

// OpenAPICmd is pdca openapi: the API's OpenAPI 3.1 document, as the
// server serves it at /api/v1/openapi.json, without a database.
type OpenAPICmd struct {
	PublicURL string `name:"public-url" env:"PDCA_PUBLIC_URL" help:"Address the API is reached at, e.g. https://pdca.example.com: the document's server (default: relative, /)."`
}

// Run writes the document to stdout as indented JSON.
func (c *OpenAPICmd) Run(e *env) error {
	b, err := json.MarshalIndent(web.OpenAPI(Version, strings.TrimRight(c.PublicURL, "/")), "", "  ")
	if err != nil {
		return fmt.Errorf("openapi: %w", err)
	}
	_, err = fmt.Fprintf(e.stdout, "%s\n", b)
	return err
}
