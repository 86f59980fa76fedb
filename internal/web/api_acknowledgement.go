package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// Acknowledgement of policies (issue 18, item 3; docs/acknowledgements.md).

// AcknowledgementJSON is one request to read and acknowledge a version.
type AcknowledgementJSON struct {
	ID             int64      `json:"id"`
	UserID         int64      `json:"user_id"`
	Name           string     `json:"name"`
	Email          string     `json:"email"`
	DocumentID     int64      `json:"document_id"`
	Ref            string     `json:"ref"`
	Title          string     `json:"title"`
	VersionID      int64      `json:"version_id"`
	Version        string     `json:"version" doc:"major.minor"`
	RequestedAt    time.Time  `json:"requested_at"`
	DueAt          time.Time  `json:"due_at" doc:"14 days after the request."`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
	WithdrawnAt    *time.Time `json:"withdrawn_at,omitempty" doc:"When the request was withdrawn unanswered: its person left, or a new major version replaced it."`
	Status         string     `json:"status" enum:"open,overdue,done,withdrawn"`
	SHA256         string     `json:"sha256,omitempty" doc:"The SHA-256 of the exact version acknowledged, recorded at acknowledgement."`
}

func acknowledgementJSON(r *store.AckRow, now time.Time) AcknowledgementJSON {
	return AcknowledgementJSON{ID: r.ID, UserID: r.UserID, Name: r.UserName, Email: r.Email, DocumentID: r.DocumentID, Ref: r.Ref, Title: r.Title,
		VersionID: r.VersionID, Version: fmt.Sprintf("%d.%d", r.Major, r.Minor), RequestedAt: r.RequestedAt.UTC(), DueAt: r.DueAt.UTC(),
		AcknowledgedAt: r.Acknowledged, WithdrawnAt: r.Dropped, Status: r.State(now), SHA256: r.SHA256}
}

// AckVersionJSON is a published version as a member reads it.
type AckVersionJSON struct {
	ID         int64                `json:"id"`
	DocumentID int64                `json:"document_id"`
	Ref        string               `json:"ref"`
	Title      string               `json:"title"`
	Version    string               `json:"version" doc:"major.minor"`
	Status     string               `json:"status" enum:"approved,superseded"`
	SHA256     string               `json:"sha256" doc:"The SHA-256 of the version's Markdown or file: what acknowledging records."`
	Body       string               `json:"body,omitempty" doc:"The version's Markdown (absent for a file)."`
	FileName   string               `json:"file_name,omitempty"`
	FileSize   int64                `json:"file_size,omitempty"`
	FileURL    string               `json:"file_url,omitempty" doc:"API URL of the attached file."`
	Current    string               `json:"current_version,omitempty" doc:"The document's approved version now; a later major than this one means this one can no longer be acknowledged."`
	Request    *AcknowledgementJSON `json:"request,omitempty" doc:"The caller's own request for this version, when they were asked."`
}

// PublishBody is what publish-document-version takes.
type PublishBody struct {
	VersionID int64    `json:"version_id,omitempty" doc:"The version to publish; absent: the document's approved version. Only an approved version can be published."`
	Audience  string   `json:"audience" enum:"all,roles,people" doc:"Who is asked: every member, the members of roles, or named people."`
	Roles     []string `json:"roles,omitempty" doc:"With audience roles: the roles."`
	People    []int64  `json:"people,omitempty" doc:"With audience people: their user ids (see list-members)."`
}

// PublicationJSON is the answer to publish-document-version.
type PublicationJSON struct {
	ID          int64     `json:"id"`
	DocumentID  int64     `json:"document_id"`
	VersionID   int64     `json:"version_id"`
	Version     string    `json:"version"`
	SHA256      string    `json:"sha256"`
	Audience    string    `json:"audience"`
	PublishedAt time.Time `json:"published_at"`
	Asked       int       `json:"asked" doc:"People asked for the first time."`
	Moved       int       `json:"moved" doc:"Open requests of an earlier minor version moved to this one (same dates)."`
	Withdrawn   int       `json:"withdrawn" doc:"Open requests of an earlier major version withdrawn."`
}

// AckVersionPath names a published document version.
type AckVersionPath struct {
	OrgPath
	VersionID int64 `path:"vid" doc:"The document version's id."`
}

var ackErrors = []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity}

// apiAcknowledgementRoutes registers publishing and acknowledging document
// versions (issue 18).
func (s *Server) apiAcknowledgementRoutes(api huma.API) {
	tags := []string{"acknowledgements"}
	base := "/api/v1/orgs/{org}/acknowledgements"
	huma.Register(api, huma.Operation{OperationID: "publish-document-version", Method: http.MethodPost, Path: "/api/v1/orgs/{org}/documents/{id}/publications", Tags: tags,
		Summary:     "Publish an approved document version to an audience",
		Description: "Asks each person of the audience to read and acknowledge the version within 14 days. A new major version asks everyone again and withdraws open requests of the earlier major; a new minor version does not ask those who acknowledged the same major, and moves their open requests to it.",
		Errors:      ackErrors},
		func(ctx context.Context, in *struct {
			OrgPath
			ID   int64 `path:"id" doc:"The document's id."`
			Body PublishBody
		}) (*struct{ Body PublicationJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body PublicationJSON }, error) {
				aud := isms.Audience{Kind: in.Body.Audience, People: in.Body.People}
				for _, r := range in.Body.Roles {
					aud.Roles = append(aud.Roles, isms.Role(r))
				}
				res, err := s.app.PublishDocumentVersion(ctx, p, in.Org, in.ID, app.PublishInput{VersionID: in.Body.VersionID, Audience: aud})
				if err != nil {
					return nil, err
				}
				pub := res.Publication
				return &struct{ Body PublicationJSON }{PublicationJSON{ID: pub.ID, DocumentID: pub.DocumentID, VersionID: pub.VersionID,
					Version: fmt.Sprintf("%d.%d", res.Version.Major, res.Version.Minor), SHA256: res.Version.SHA256, Audience: pub.Audience.Kind,
					PublishedAt: pub.PublishedAt.UTC(), Asked: res.Asked, Moved: res.Moved, Withdrawn: res.Withdrawn}}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "list-acknowledgements", Method: http.MethodGet, Path: base, Tags: tags,
		Summary:     "Acknowledgement requests, latest first, filtered, paged",
		Description: "Those who read the audit trail (admins, ISMS managers, auditors) see every request; any other member only their own.",
		Errors:      ackErrors},
		func(ctx context.Context, in *struct {
			OrgPath
			PageParams
			Status string `query:"status" doc:"Only requests in this state: open, overdue, done or withdrawn. Anything else: 422."`
			Query  string `query:"q" maxLength:"100" doc:"Only requests whose person (name or email) or document (reference or title) contains this."`
			User   int64  `query:"user" doc:"Only this person's requests."`
		}) (*listOutput[AcknowledgementJSON], error) {
			return asCaller(ctx, s, func(p app.Principal) (*listOutput[AcknowledgementJSON], error) {
				pg, err := s.app.Acknowledgements(ctx, p, in.Org, store.AckFilter{UserID: in.User, State: in.Status, Query: in.Query,
					PageSpec: store.PageSpec{Limit: in.Limit, Offset: in.Offset, Count: in.Count}})
				if err != nil {
					return nil, err
				}
				now := time.Now()
				out := &listOutput[AcknowledgementJSON]{}
				out.Body.Items = []AcknowledgementJSON{}
				for i := range pg.Items {
					out.Body.Items = append(out.Body.Items, acknowledgementJSON(&pg.Items[i], now))
				}
				out.page(in.PageParams, pg.Total, pg.More)
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "get-acknowledgement-version", Method: http.MethodGet, Path: base + "/versions/{vid}", Tags: tags,
		Summary:     "A published document version to read, with the caller's request for it",
		Description: "The Markdown (or the attached file's name, size and URL) and the SHA-256 that acknowledging records.",
		Errors:      ackErrors},
		func(ctx context.Context, in *AckVersionPath) (*struct{ Body AckVersionJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body AckVersionJSON }, error) {
				v, err := s.app.AcknowledgementVersion(ctx, p, in.Org, in.VersionID)
				if err != nil {
					return nil, err
				}
				out := AckVersionJSON{ID: v.Version.ID, DocumentID: v.Version.DocumentID, Ref: v.Version.Ref, Title: v.Version.Title,
					Version: fmt.Sprintf("%d.%d", v.Version.Major, v.Version.Minor), Status: v.Version.Status, SHA256: v.Version.SHA256,
					Body: v.Version.Body, FileName: v.Version.FileName, FileSize: v.Version.FileSize}
				if v.Version.FileName != "" {
					out.Body, out.FileURL = "", "/api/v1/orgs/"+in.Org+"/acknowledgements/versions/"+strconv.FormatInt(v.Version.ID, 10)+"/file"
				}
				if v.Current != nil {
					out.Current = fmt.Sprintf("%d.%d", v.Current.Major, v.Current.Minor)
				}
				if v.Request != nil {
					j := acknowledgementJSON(v.Request, time.Now())
					out.Request = &j
				}
				return &struct{ Body AckVersionJSON }{out}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "download-acknowledgement-file", Method: http.MethodGet, Path: base + "/versions/{vid}/file", Tags: tags,
		Summary:     "The attached file of a published document version",
		Description: "404 when the version is Markdown (get-acknowledgement-version has its text).",
		Errors:      []int{http.StatusNotFound},
		Responses:   fileResponses("application/octet-stream", "The file as attached.")},
		func(ctx context.Context, in *AckVersionPath) (*FileOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*FileOutput, error) {
				name, _, data, err := s.app.AcknowledgementFile(ctx, p, in.Org, in.VersionID)
				if err != nil {
					return nil, err
				}
				sum := sha256.Sum256(data)
				return &FileOutput{ContentType: "application/octet-stream", SHA256: hex.EncodeToString(sum[:]), Body: data,
					ContentDisposition: mime.FormatMediaType("attachment", map[string]string{"filename": strings.ToValidUTF8(name, "_")})}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "acknowledge-document-version", Method: http.MethodPost, Path: base + "/versions/{vid}", Tags: tags,
		Summary:     "Acknowledge a document version the caller was asked to read",
		Description: "Records the time and the version's SHA-256. 409 when nothing is asked of the caller for it (never asked, already acknowledged, withdrawn) or a later major version was approved since.",
		Errors:      ackErrors},
		func(ctx context.Context, in *AckVersionPath) (*struct{ Body AcknowledgementJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body AcknowledgementJSON }, error) {
				r, err := s.app.AcknowledgeDocumentVersion(ctx, p, in.Org, in.VersionID)
				if err != nil {
					return nil, err
				}
				return &struct{ Body AcknowledgementJSON }{acknowledgementJSON(r, time.Now())}, nil
			})
		})
}
