package web

import (
	"net/http"

	"github.com/pdca/pdca/internal/isms"
)

// statusOf is the one table from domain error codes to HTTP status.
var statusOf = map[string]int{
	isms.EINVALID:        http.StatusUnprocessableEntity,
	isms.ENOTFOUND:       http.StatusNotFound,
	isms.ECONFLICT:       http.StatusConflict,
	isms.EUNAUTHORIZED:   http.StatusUnauthorized,
	isms.EFORBIDDEN:      http.StatusForbidden,
	isms.ETOOMANY:        http.StatusTooManyRequests,
	isms.ETOOLARGE:       http.StatusRequestEntityTooLarge,
	isms.ETIMEOUT:        http.StatusRequestTimeout,
	isms.ENOTIMPLEMENTED: http.StatusNotImplemented,
	isms.EINTERNAL:       http.StatusInternalServerError,
}

// ErrorStatus returns the HTTP status for an error.
func ErrorStatus(err error) int {
	if st, ok := statusOf[isms.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// errorMessage returns what the user may see: the domain message, or
// "internal error" with the request id (the details go to the log only).
func (s *Server) errorMessage(r *http.Request, err error) string {
	if isms.ErrorCode(err) == isms.EINTERNAL {
		s.log.Error("internal error", "request_id", requestID(r.Context()), "err", err.Error())
		return "internal error (request id " + requestID(r.Context()) + ")"
	}
	return isms.ErrorMessage(err)
}

// pageError renders the error page with the status of err.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	st := ErrorStatus(err)
	s.renderStatus(w, r, st, "error", &errorPage{Page: s.page(r, nil, http.StatusText(st)), Status: st, Message: s.errorMessage(r, err)})
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.pageError(w, r, err)
}

type errorPage struct {
	Page
	Status  int
	Message string
}
