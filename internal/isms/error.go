// Package isms is the domain vocabulary of pdca: organisations, people and
// roles, record kinds, the audit chain, and the error codes every layer
// shares. It imports only the standard library.
package isms

import (
	"errors"
	"fmt"
)

// Error codes. They travel unchanged from storage to the HTTP layer, which
// maps each to one status code.
const (
	EINVALID        = "invalid"
	ENOTFOUND       = "not_found"
	ECONFLICT       = "conflict"
	EUNAUTHORIZED   = "unauthorized"
	EFORBIDDEN      = "forbidden"
	ETOOMANY        = "too_many_requests"
	ETOOLARGE       = "too_large"
	ETIMEOUT        = "timeout"
	EINTERNAL       = "internal"
	ENOTIMPLEMENTED = "not_implemented"
)

// Error is a domain error: a code and a message written for the user.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string { return e.Message }

// Errorf returns a domain *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// EINTERNAL for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err: the message of a
// domain *Error, otherwise "internal error" (details are never echoed).
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
