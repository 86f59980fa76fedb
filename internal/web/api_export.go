package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"github.com/pdca/pdca/internal/app"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/isms"
)

// Evidence exports in the API (issue 17): every register as CSV or XLSX,
// the evidence bundle, the OSCAL POA&M and corrective actions' evidence
// files, through the use cases the export pages call (each download is
// recorded in the audit trail).

// fileOutput is a download: disposition "attachment" or "inline".
func fileOutput(contentType, disposition, name string, b []byte) *FileOutput {
	sum := sha256.Sum256(b)
	return &FileOutput{ContentType: contentType, ContentDisposition: disposition + `; filename="` + name + `"`, SHA256: hex.EncodeToString(sum[:]), Body: b}
}

// ExportJSON is one register the caller may export.
type ExportJSON struct {
	Name  string `json:"name" doc:"The register's name, as in download-export's file (name.csv or name.xlsx)."`
	Title string `json:"title"`
	CSV   string `json:"csv_url" doc:"API URL of the register as CSV."`
	XLSX  string `json:"xlsx_url" doc:"API URL of the register as XLSX."`
}

// ExportList is what the caller may export.
type ExportList struct {
	Registers []ExportJSON `json:"registers"`
	Bundle    string       `json:"bundle_url,omitempty" doc:"API URL of the evidence bundle; absent when the caller's role may not read the audit trail."`
	POAM      string       `json:"poam_url" doc:"API URL of the OSCAL POA&M of open deviations."`
}

// ExportListOutput is the answer to list-exports.
type ExportListOutput struct {
	Body ExportList
}

// ExportFilePath is one register file in an API path.
type ExportFilePath struct {
	OrgPath
	File string `path:"file" maxLength:"100" doc:"<register>.csv or <register>.xlsx (see list-exports), e.g. processes.csv."`
}

// ActionEvidencePath is a corrective action's evidence file in an API path.
type ActionEvidencePath struct {
	DeviationPath
	Action int64 `path:"aid" doc:"Corrective action id."`
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func (s *Server) apiExportRoutes(api huma.API) {
	tags := []string{"exports"}
	base := "/api/v1/orgs/{org}"
	huma.Register(api, huma.Operation{OperationID: "list-exports", Method: http.MethodGet, Path: base + "/exports", Tags: tags,
		Summary:     "The registers the caller may export",
		Description: "Every register the caller's role may read, with the API URLs of its CSV and XLSX files, the evidence bundle's and the POA&M's.",
		Errors:      []int{http.StatusNotFound}},
		func(ctx context.Context, in *OrgPath) (*ExportListOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*ExportListOutput, error) {
				regs, err := s.app.Registers(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				m, err := s.app.Org(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				root := "/api/v1/orgs/" + in.Org
				out := &ExportListOutput{Body: ExportList{Registers: []ExportJSON{}, POAM: root + "/poam"}}
				for _, r := range regs {
					out.Body.Registers = append(out.Body.Registers, ExportJSON{Name: r.Name, Title: r.Title, CSV: root + "/exports/" + r.Name + ".csv", XLSX: root + "/exports/" + r.Name + ".xlsx"})
				}
				if m.Role.Can(isms.ActReadAudit) {
					out.Body.Bundle = root + "/evidence-bundle"
				}
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "download-export", Method: http.MethodGet, Path: base + "/exports/{file}", Tags: tags,
		Summary:     "One register as CSV or XLSX",
		Description: "A register as CSV (formula-neutralised) or XLSX (typed cells), as on the exports page; the download is recorded in the audit trail.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound},
		Responses: map[string]*huma.Response{"200": {Description: "The register.", Content: map[string]*huma.MediaType{
			"text/csv": {Schema: &huma.Schema{Type: "string"}}, xlsxType: {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}}},
		func(ctx context.Context, in *ExportFilePath) (*FileOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*FileOutput, error) {
				name, format, ctype := strings.TrimSuffix(in.File, ".csv"), "csv", "text/csv; charset=utf-8"
				if strings.HasSuffix(in.File, ".xlsx") {
					name, format, ctype = strings.TrimSuffix(in.File, ".xlsx"), "xlsx", xlsxType
				} else if !strings.HasSuffix(in.File, ".csv") {
					return nil, s.apiError(ctx, isms.Errorf(isms.ENOTFOUND, "no export %q: use <register>.csv or <register>.xlsx", in.File))
				}
				b, _, err := s.app.RegisterFile(ctx, p, in.Org, name, format)
				if err != nil {
					return nil, err
				}
				return fileOutput(ctype, "attachment", in.Org+"-"+in.File, b), nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "download-evidence-bundle", Method: http.MethodGet, Path: base + "/evidence-bundle", Tags: tags,
		Summary:     "The evidence bundle (zip)",
		Description: "A zip for a certification audit: every register as CSV and XLSX, the latest signed review's pack and snapshot, a README and a SHA-256 manifest. Needs read_audit; recorded in the audit trail.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound},
		Responses:   fileResponses("application/zip", "The evidence bundle.")},
		func(ctx context.Context, in *OrgPath) (*FileOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*FileOutput, error) {
				var buf bytes.Buffer
				if _, err := s.app.EvidenceBundle(ctx, p, in.Org, &buf); err != nil {
					return nil, err
				}
				return fileOutput("application/zip", "attachment", in.Org+"-evidence-"+time.Now().UTC().Format("20060102T150405Z")+".zip", buf.Bytes()), nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "download-poam", Method: http.MethodGet, Path: base + "/poam", Tags: tags,
		Summary:     "Open deviations as an OSCAL POA&M",
		Description: "The organisation's open deviations as an OSCAL Plan of Action and Milestones (JSON, valid against NIST's schema); recorded in the audit trail.",
		Errors:      []int{http.StatusNotFound},
		Responses:   fileResponses("application/json", "The OSCAL POA&M document.")},
		func(ctx context.Context, in *OrgPath) (*FileOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*FileOutput, error) {
				doc, err := s.app.POAMDownload(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				return fileOutput("application/json", "attachment", in.Org+"-poam.json", doc), nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "download-action-evidence", Method: http.MethodGet, Path: base + "/deviations/{id}/actions/{aid}/evidence", Tags: []string{"deviations"},
		Summary:     "A corrective action's evidence file",
		Description: "The file attached to a corrective action as evidence, as uploaded (application/octet-stream); recorded in the audit trail.",
		Errors:      []int{http.StatusNotFound},
		Responses:   fileResponses("application/octet-stream", "The evidence file.")},
		func(ctx context.Context, in *ActionEvidencePath) (*FileOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*FileOutput, error) {
				f, err := s.app.ActionEvidenceFile(ctx, p, in.Org, in.ID, in.Action)
				if err != nil {
					return nil, err
				}
				out := fileOutput("application/octet-stream", "attachment", "", f.Content)
				out.ContentDisposition = "attachment; filename*=UTF-8''" + url.PathEscape(f.Name)
				return out, nil
			})
		})
}
