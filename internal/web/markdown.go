package web

import (
	"bytes"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
)

// markdownPolicy allows the formatting of user-generated content and
// nothing that runs: no script, no style, no event handlers.
var markdownPolicy = bluemonday.UGCPolicy()

// renderMarkdown turns user Markdown into sanitised HTML. goldmark does not
// pass raw HTML through by default, and bluemonday strips whatever could
// run, so the result is safe to embed.
func renderMarkdown(src string) template.HTML {
	var buf bytes.Buffer
	if err := goldmark.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src)) //nolint:gosec // escaped
	}
	return template.HTML(markdownPolicy.SanitizeBytes(buf.Bytes())) //nolint:gosec // sanitised
}

func init() { funcs["markdown"] = renderMarkdown }
