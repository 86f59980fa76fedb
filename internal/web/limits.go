package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// Limits bounds what one request may cost the server: how large a body
// may be, how long reading it and answering may take, and how many imports
// run at once. Zero fields take the value of DefaultLimits.
type Limits struct {
	// MaxUpload bounds an import file (API body or web upload).
	MaxUpload int64
	// MaxBody bounds the body of every other request (forms, JSON).
	MaxBody int64
	// MaxImports is how many imports may run at once; more wait up to
	// ImportWait for a slot, then get 429 with Retry-After.
	MaxImports int
	ImportWait time.Duration
	// ReadTimeout bounds reading a whole ordinary request (headers and
	// body); WriteTimeout bounds answering one, from the end of its headers.
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	// UploadGrace and UploadMinRate bound reading an upload: after the
	// grace period, the body must keep arriving at UploadMinRate bytes per
	// second on average, or the request is cut off (a slow-loris client).
	UploadGrace   time.Duration
	UploadMinRate int64
	// LongWrite bounds answering an import (which streams its progress)
	// or an export.
	LongWrite time.Duration
}

// DefaultLimits are the limits of pdca serve unless flags change them.
var DefaultLimits = Limits{
	MaxUpload:     256 << 20,
	MaxBody:       1 << 20,
	MaxImports:    2,
	ImportWait:    2 * time.Second,
	ReadTimeout:   30 * time.Second,
	WriteTimeout:  60 * time.Second,
	UploadGrace:   10 * time.Second,
	UploadMinRate: 32 << 10,
	LongWrite:     15 * time.Minute,
}

func (l Limits) orDefault() Limits {
	d := DefaultLimits
	set := func(v *int64, x int64) {
		if x > 0 {
			*v = x
		}
	}
	setD := func(v *time.Duration, x time.Duration) {
		if x > 0 {
			*v = x
		}
	}
	set(&d.MaxUpload, l.MaxUpload)
	set(&d.MaxBody, l.MaxBody)
	set(&d.UploadMinRate, l.UploadMinRate)
	if l.MaxImports > 0 {
		d.MaxImports = l.MaxImports
	}
	setD(&d.ImportWait, l.ImportWait)
	setD(&d.ReadTimeout, l.ReadTimeout)
	setD(&d.WriteTimeout, l.WriteTimeout)
	setD(&d.UploadGrace, l.UploadGrace)
	setD(&d.LongWrite, l.LongWrite)
	return d
}

// HTTPServer returns an http.Server for the handler with the limits'
// timeouts. Routes that need longer (uploads, exports) extend their own
// deadlines; every other request is cut off after ReadTimeout reading and
// WriteTimeout answering.
func (s *Server) HTTPServer() *http.Server {
	l := s.limits
	return &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: l.ReadTimeout,
		WriteTimeout: l.WriteTimeout, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
}

// routeClass is how a route is bounded.
type routeClass int

const (
	classOrdinary routeClass = iota
	classUpload              // an import file: large body at a minimum rate, long answer
	classLong                // an import confirm or an export: long answer
	classEvidence            // a form with an evidence file
	classDocument            // a form with a document file (issue 18)
)

// uploadRoutes take an import file as their body.
var uploadRoutes = map[string]bool{
	"POST /o/{org}/imports":                          true,
	"POST /api/v1/orgs/{org}/records/{kind}/imports": true,
	"POST /o/{org}/soa/import":                       true,
	"POST /o/{org}/import-profiles/new":              true,
	"POST /api/v1/orgs/{org}/soa/imports":            true,
	// Issue 19: importing frameworks and mappings.
	"POST /o/{org}/frameworks/import":                     true,
	"POST /o/{org}/frameworks/mappings/import":            true,
	"POST /api/v1/orgs/{org}/frameworks/imports":          true,
	"POST /api/v1/orgs/{org}/frameworks/mappings/imports": true,
}

func classOf(route string) routeClass {
	switch {
	case uploadRoutes[route]:
		return classUpload
	case route == "POST /o/{org}/deviations/{id}/actions/{aid}/done":
		return classEvidence
	case route == "POST /o/{org}/documents/{id}/file":
		return classDocument
	case route == "POST /o/{org}/imports/{token}/confirm":
		return classLong
	case strings.HasPrefix(route, "GET ") && (strings.Contains(route, "/exports") || strings.Contains(route, "/evidence") ||
		strings.HasSuffix(route, ".csv") || strings.HasSuffix(route, ".xlsx") || strings.HasSuffix(route, ".pdf") || strings.HasSuffix(route, ".zip")):
		return classLong
	}
	return classOrdinary
}

// bound sets each request's deadlines and body limit by its route. An
// ordinary form is read here, so a body over MaxBody or one that arrives
// too slowly gets a clear 413 or 408 instead of an empty form.
func (s *Server) bound(next http.Handler) http.Handler {
	l := s.limits
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rc := http.NewResponseController(w)
		route := s.routeOf(r)
		class := classOf(route)
		// A read deadline is set only while a body is being read, and
		// cleared at its end: once a request's body is read, net/http
		// watches the connection for the client going away, and a read
		// deadline passing then would cancel the request's context (a long
		// import or export).
		hasBody := r.Body != nil && r.Body != http.NoBody
		limit := l.MaxBody
		switch class {
		case classUpload:
			limit = l.MaxUpload
			if !strings.HasPrefix(route, "POST "+apiPrefix) {
				limit += formSlack // the form's other fields and part headers
			}
			_ = rc.SetWriteDeadline(start.Add(l.LongWrite))
			if hasBody {
				r.Body = &rateReader{r: r.Body, rc: rc, start: start, grace: l.UploadGrace, rate: l.UploadMinRate}
			}
		case classEvidence:
			limit = app.MaxEvidenceFile + 1<<20
			_ = rc.SetWriteDeadline(start.Add(l.WriteTimeout))
		case classDocument:
			limit = isms.MaxDocumentFile + 1<<20
			_ = rc.SetWriteDeadline(start.Add(l.WriteTimeout))
		case classLong:
			_ = rc.SetWriteDeadline(start.Add(l.LongWrite))
		default:
			_ = rc.SetWriteDeadline(start.Add(l.WriteTimeout))
		}
		if hasBody && class != classUpload {
			_ = rc.SetReadDeadline(start.Add(l.ReadTimeout))
			r.Body = &eofBody{ReadCloser: r.Body, rc: rc}
		}
		if r.ContentLength > limit {
			s.limitError(w, r, s.tooLarge(limit, class))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if class != classUpload && r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := readForm(r, limit); err != nil {
				s.limitError(w, r, s.bodyError(err, limit, class))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// readForm parses a form body now, so its errors are answered as such.
func readForm(r *http.Request, limit int64) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		return r.ParseForm()
	case "multipart/form-data":
		err := r.ParseMultipartForm(limit)
		if errors.Is(err, http.ErrNotMultipart) {
			return nil
		}
		return err
	}
	return nil
}

// bodyError turns an error reading a body into a domain error: too large,
// too slow, or a malformed form.
func (s *Server) bodyError(err error, limit int64, class routeClass) error {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return s.tooLarge(limit, class)
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, errTooSlow):
		return isms.Errorf(isms.ETIMEOUT, "the request body arrived too slowly and was cut off; send it again on a faster connection")
	}
	var ie *isms.Error
	if errors.As(err, &ie) {
		return err
	}
	return isms.Errorf(isms.EINVALID, "the request body could not be read as a form (%v)", err)
}

// formSlack is what an upload form may hold besides its file.
const formSlack = 64 << 10

func (s *Server) tooLarge(limit int64, class routeClass) error {
	if class == classUpload {
		return isms.Errorf(isms.ETOOLARGE, "the file is larger than the %s an import may be; split it into smaller files", size(s.limits.MaxUpload))
	}
	return isms.Errorf(isms.ETOOLARGE, "the request body is larger than the %s allowed here", size(limit))
}

// size formats a byte count for messages: "256 MiB", "512 KiB".
func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// limitError answers an API request with a problem document and a page
// request with the error page; the connection is closed afterwards, since
// the rest of the body is not read.
func (s *Server) limitError(w http.ResponseWriter, r *http.Request, err error) {
	w.Header().Set("Connection", "close")
	if strings.HasPrefix(r.URL.Path, apiPrefix) || r.Header.Get("Authorization") != "" {
		s.apiProblem(w, r, err)
		return
	}
	s.pageError(w, r, err)
}

// errTooSlow is returned by a rateReader whose client fell behind.
var errTooSlow = errors.New("request body arrived too slowly")

// rateReader reads an upload with a moving read deadline: the grace
// period, plus the time the bytes read so far would take at the minimum
// rate. A client sending one byte every two seconds is cut off when the
// grace period ends.
type rateReader struct {
	r     io.ReadCloser
	rc    *http.ResponseController
	start time.Time
	grace time.Duration
	rate  int64
	n     int64
}

func (b *rateReader) Read(p []byte) (int, error) {
	deadline := b.start.Add(b.grace + time.Duration(float64(b.n)/float64(b.rate)*float64(time.Second)))
	if time.Now().After(deadline) {
		return 0, errTooSlow
	}
	_ = b.rc.SetReadDeadline(deadline)
	n, err := b.r.Read(p)
	b.n += int64(n)
	if err == io.EOF {
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// eofBody clears the read deadline when the body has been read.
type eofBody struct {
	io.ReadCloser
	rc *http.ResponseController
}

func (b *eofBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

func (b *rateReader) Close() error { return b.r.Close() }

// importSlot waits up to ImportWait for one of MaxImports import slots.
// It returns the release function, or ETOOMANY (429, with Retry-After set
// on w) when every slot stayed busy.
func (s *Server) importSlot(ctx context.Context, w http.ResponseWriter) (func(), error) {
	t := time.NewTimer(s.limits.ImportWait)
	defer t.Stop()
	select {
	case s.imports <- struct{}{}:
		return func() { <-s.imports }, nil
	case <-t.C:
	case <-ctx.Done():
	}
	w.Header().Set("Retry-After", "30")
	return nil, isms.Errorf(isms.ETOOMANY, "%d imports are running, the most this server runs at once; try again in a minute", s.limits.MaxImports)
}

// receiveUpload streams body into a new private upload directory, at most
// MaxUpload bytes: ETOOLARGE beyond, ETIMEOUT when the client is too slow.
// The caller removes the directory (filepath.Dir of the path) when done.
func (s *Server) receiveUpload(body io.Reader) (string, error) {
	dir, err := s.app.NewUploadDir()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "upload")
	out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	n, err := io.Copy(out, io.LimitReader(body, s.limits.MaxUpload+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > s.limits.MaxUpload {
		err = &http.MaxBytesError{Limit: s.limits.MaxUpload}
	}
	if err != nil {
		os.RemoveAll(dir)
		if berr := s.bodyError(err, s.limits.MaxUpload, classUpload); isms.ErrorCode(berr) != isms.EINVALID {
			return "", berr
		}
		return "", fmt.Errorf("store upload: %w", err)
	}
	return path, nil
}
