package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// Issue 19: importing framework catalogues and mappings
// (docs/frameworks-import.md). The list and register pages of
// /o/{org}/frameworks are another part's; these pages only import.

type frameworkImportPage struct {
	Page
	Mappings bool   // the mapping import, not the catalogue import
	Problem  string // a problem that is not the form's (an upload refused)
}

// frameworkForm is the multipart upload of a catalogue or mapping file.
type frameworkForm struct {
	path, name                  string
	format, key, title, version string
}

// readFrameworkForm streams the upload: the file to disk (receiveUpload,
// within the upload limits), the small fields into memory. The fields
// are put into r.PostForm, so a refused post shows them again.
func (s *Server) readFrameworkForm(r *http.Request) (*frameworkForm, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, isms.Errorf(isms.EINVALID, "file: send the file as a multipart/form-data upload")
	}
	f := &frameworkForm{}
	drop := func(err error) error {
		if f.path != "" {
			os.RemoveAll(filepath.Dir(f.path))
		}
		return err
	}
	r.PostForm = url.Values{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, drop(s.bodyError(err, s.limits.MaxUpload, classUpload))
		}
		switch name := part.FormName(); name {
		case "file":
			if f.path != "" {
				return nil, drop(isms.Errorf(isms.EINVALID, "file: send one file per import"))
			}
			if f.path, err = s.receiveUpload(part); err != nil {
				return nil, err
			}
			f.name = filepath.Base(part.FileName())
		case "format", "key", "title", "version":
			v, err := io.ReadAll(io.LimitReader(part, 1024))
			if err != nil {
				return nil, drop(s.bodyError(err, s.limits.MaxUpload, classUpload))
			}
			val := strings.TrimSpace(string(v))
			r.PostForm.Set(name, val)
			switch name {
			case "format":
				f.format = val
			case "key":
				f.key = val
			case "title":
				f.title = val
			default:
				f.version = val
			}
		}
		part.Close()
	}
	if f.path == "" {
		return nil, isms.Errorf(isms.EINVALID, "file: choose a file to import (at most %s)", size(s.limits.MaxUpload))
	}
	if f.format == "" {
		format, ok := app.FrameworkFormatFromName(f.name)
		if !ok {
			return nil, drop(isms.Errorf(isms.EINVALID, "format: cannot tell the format of %s from its name; choose OSCAL, CSV or XLSX", f.name))
		}
		f.format = format
	}
	return f, nil
}

// handleFrameworkImportForm shows the catalogue upload form.
func (s *Server) handleFrameworkImportForm(w http.ResponseWriter, r *http.Request, m *app.Member) {
	pg := &frameworkImportPage{Page: s.page(r, m, "Import a framework")}
	pg.Nav = "frameworks"
	s.render(w, r, "framework_import", pg)
}

// handleFrameworkImport imports the uploaded catalogue for the
// organisation and goes to the framework's page; a refused file shows
// the form again with every problem.
func (s *Server) handleFrameworkImport(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.frameworkUpload(w, r, m, s.handleFrameworkImportForm, func(up *frameworkForm, f *os.File) (string, error) {
		res, err := s.app.ImportFramework(r.Context(), m.Principal, m.Org.Slug, app.FrameworkImportRequest{Format: up.format, FileName: up.name, File: f,
			Key: up.key, Title: up.title, Version: up.version})
		if err != nil {
			return "", err
		}
		verb := "imported"
		if res.Replaced {
			verb = "updated (its decisions are kept)"
		}
		s.flash(r, res.Framework.Title+" "+verb+": "+isms.Plural(res.Framework.Requirements, "requirement")+".")
		return "/o/" + m.Org.Slug + "/frameworks/" + url.PathEscape(res.Framework.Key), nil
	})
}

// handleMappingImportForm shows the mapping upload form.
func (s *Server) handleMappingImportForm(w http.ResponseWriter, r *http.Request, m *app.Member) {
	pg := &frameworkImportPage{Page: s.page(r, m, "Import mappings between frameworks"), Mappings: true}
	pg.Nav = "frameworks"
	s.render(w, r, "framework_import", pg)
}

// handleMappingImport imports the uploaded mappings and goes to the
// frameworks.
func (s *Server) handleMappingImport(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.frameworkUpload(w, r, m, s.handleMappingImportForm, func(up *frameworkForm, f *os.File) (string, error) {
		res, err := s.app.ImportMappings(r.Context(), m.Principal, m.Org.Slug, app.MappingImportRequest{Format: up.format, FileName: up.name, File: f})
		if err != nil {
			return "", err
		}
		s.flash(r, up.name+": "+isms.Plural(res.Read, "mapping")+" read, "+isms.Plural(res.Added, "new mapping")+" stored.")
		return "/o/" + m.Org.Slug + "/frameworks", nil
	})
}

// frameworkUpload is the shape of both imports: take an import slot, read
// the form and its file, run the import, and go where it says; a problem
// shows form again with it.
func (s *Server) frameworkUpload(w http.ResponseWriter, r *http.Request, m *app.Member, form func(http.ResponseWriter, *http.Request, *app.Member), run func(up *frameworkForm, f *os.File) (string, error)) {
	release, err := s.importSlot(r.Context(), w)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	defer release()
	up, err := s.readFrameworkForm(r)
	if err != nil {
		s.formError(w, r, m, err, form)
		return
	}
	defer os.RemoveAll(filepath.Dir(up.path))
	f, err := os.Open(up.path)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	defer f.Close()
	to, err := run(up, f)
	if err != nil {
		s.formError(w, r, m, err, form)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// FrameworkImportJSON is the answer to an import of a catalogue.
type FrameworkImportJSON struct {
	Key          string `json:"key" doc:"The framework's key: the catalogue its SoA decisions are stored under."`
	Title        string `json:"title"`
	Version      string `json:"version"`
	Requirements int    `json:"requirements" doc:"Controls and enhancements, withdrawn ones excluded."`
	Replaced     bool   `json:"replaced" doc:"True when a framework with the key existed: its text was replaced, its decisions kept."`
	SHA256       string `json:"sha256" doc:"Of the file."`
}

// MappingImportJSON is the answer to an import of mappings.
type MappingImportJSON struct {
	Read  int `json:"read" doc:"Mappings in the file."`
	Added int `json:"added" doc:"New mappings stored; those stored already were skipped."`
}

// apiFrameworkImportRoutes registers the catalogue and mapping imports.
func (s *Server) apiFrameworkImportRoutes(api huma.API) {
	tags := []string{"frameworks"}
	huma.Register(api, fileBody(huma.Operation{OperationID: "import-framework", Method: http.MethodPost, Path: "/api/v1/orgs/{org}/frameworks/imports", Tags: tags,
		Summary: "Import a framework's catalogue for the organisation (OSCAL 1.x catalog, CSV or XLSX)",
		Description: "The body is the file itself, at most " + size(s.limits.MaxUpload) + " (and a catalogue at most " + size(isms.MaxCatalogueBytes) + "). " +
			"An OSCAL catalog is validated against the OSCAL 1.x catalog schema; a problem names its JSON pointer. A CSV or XLSX table has the columns " +
			"id, parent, title and text (optional: kind, label, class, guidance, withdrawn) and needs title. The framework is private to the organisation " +
			"and enabled there; importing its key again replaces the text and keeps the decisions. A key used by an instance-wide framework is refused (409)."}),
		func(ctx context.Context, in *struct {
			OrgPath
			Format   string `query:"format" enum:"oscal,csv,xlsx" doc:"Format of the body; default from file_name's extension, else oscal."`
			FileName string `query:"file_name" doc:"Name recorded as the framework's origin and in the audit trail."`
			Key      string `query:"key" doc:"The framework's key; default from its title and version."`
			Title    string `query:"title" doc:"The framework's title; required for csv and xlsx; overrides an OSCAL catalog's."`
			Version  string `query:"version" doc:"The framework's version; overrides an OSCAL catalog's."`
		}) (*struct{ Body FrameworkImportJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body FrameworkImportJSON }, error) {
				format, name := apiFrameworkFormat(in.Format, in.FileName)
				f, done, err := s.apiUpload(ctx, func() error { return s.app.CanImportFrameworks(ctx, p, in.Org) })
				if err != nil {
					return nil, err
				}
				defer done()
				res, err := s.app.ImportFramework(ctx, p, in.Org, app.FrameworkImportRequest{Format: format, FileName: name, File: f, Key: in.Key, Title: in.Title, Version: in.Version})
				if err != nil {
					return nil, s.apiImportError(ctx, err)
				}
				fw := res.Framework
				return &struct{ Body FrameworkImportJSON }{FrameworkImportJSON{Key: fw.Key, Title: fw.Title, Version: fw.Version, Requirements: fw.Requirements,
					Replaced: res.Replaced, SHA256: fw.SHA256}}, nil
			})
		})
	huma.Register(api, fileBody(huma.Operation{OperationID: "import-mappings", Method: http.MethodPost, Path: "/api/v1/orgs/{org}/frameworks/mappings/imports", Tags: tags,
		Summary: "Import requirement mappings between frameworks (CSV, XLSX or OSCAL mapping-collection), all or nothing",
		Description: "The body is the file itself, at most " + size(s.limits.MaxUpload) + ". A CSV or XLSX table has the columns source_framework, source_id, relation " +
			"(equivalent, subset, superset, intersects), target_framework, target_id (optional: origin, comment); frameworks are named by key. " +
			"An OSCAL 1.2 mapping-collection names each framework by its resource's href. Every requirement must exist in a framework the organisation may use; " +
			"a problem names its line (or JSON path) and stores nothing. Mappings stored already are skipped."}),
		func(ctx context.Context, in *struct {
			OrgPath
			Format   string `query:"format" enum:"oscal,csv,xlsx" doc:"Format of the body; default from file_name's extension, else oscal."`
			FileName string `query:"file_name" doc:"Name recorded as the mappings' origin and in the audit trail."`
		}) (*struct{ Body MappingImportJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body MappingImportJSON }, error) {
				format, name := apiFrameworkFormat(in.Format, in.FileName)
				f, done, err := s.apiUpload(ctx, func() error { return s.app.CanImportFrameworks(ctx, p, in.Org) })
				if err != nil {
					return nil, err
				}
				defer done()
				res, err := s.app.ImportMappings(ctx, p, in.Org, app.MappingImportRequest{Format: format, FileName: name, File: f})
				if err != nil {
					return nil, s.apiImportError(ctx, err)
				}
				return &struct{ Body MappingImportJSON }{MappingImportJSON{Read: res.Read, Added: res.Added}}, nil
			})
		})
}

// apiFrameworkFormat is the format asked for, else the file name's, else
// oscal; and the name recorded.
func apiFrameworkFormat(format, name string) (string, string) {
	if format == "" {
		if f, ok := app.FrameworkFormatFromName(name); ok {
			format = f
		} else {
			format = app.FrameworkFormatOSCAL
		}
	}
	if name == "" {
		name = "api upload"
	}
	return format, name
}
