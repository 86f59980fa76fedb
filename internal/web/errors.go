package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/pdca/pdca/internal/isms"
)

// StatusClientClosed is the status a request gets in the request log and
// the metrics when its client went away before the answer (nginx's 499).
// Nothing is sent: there is no one to send it to.
const StatusClientClosed = 499

// clientGone reports whether err is the consequence of the request's
// client going away: the request's context is done and err is a
// cancellation, or an internal error (a driver interrupted mid-query says
// so in its own words: "interrupted", "conn closed").
func clientGone(ctx context.Context, err error) bool {
	if ctx.Err() == nil || err == nil {
		return false
	}
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || isms.ErrorCode(err) == isms.EINTERNAL
}

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
	if clientGone(r.Context(), err) {
		s.log.Debug("request cancelled", "request_id", requestID(r.Context()), "err", err.Error())
		w.WriteHeader(StatusClientClosed)
		return
	}
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
