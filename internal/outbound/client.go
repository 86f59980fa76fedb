package outbound

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// Bounds of one outbound call.
const (
	// Timeout bounds a whole call: connecting, sending, reading the answer.
	Timeout = 30 * time.Second
	// MaxResponse is how much of an answer is read (and discarded).
	MaxResponse = 64 << 10
)

// ErrNotPublic is the cause of a call refused because the address dialled
// is not allowed by the Policy.
var ErrNotPublic = errors.New("the address is not public")

// Error is a failed outbound call. Its message is safe to show to an
// organisation's admins and to write to the audit trail: it names no
// address, no resolved IP, no dial error and no text of the remote
// server, so outbound calls cannot be used to scan a network. The cause
// (Unwrap) keeps the detail for the code.
type Error struct {
	Msg string
	Err error
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Client makes outbound calls under a Policy: no proxy from the
// environment, no redirects (a 3xx answer is a failure), the address
// dialled checked in the dialer (net.Dialer.Control), the answer read up
// to MaxResponse, the whole call bounded by Timeout.
type Client struct {
	http *http.Client
}

// NewClient returns a client that may reach what p allows.
func NewClient(p Policy) *Client {
	checked := &net.Dialer{Timeout: 10 * time.Second, Control: func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !p.AllowsAddr(ap.Addr()) {
			return ErrNotPublic
		}
		return nil
	}}
	// A host the operator allowed by name may resolve to any address.
	named := &net.Dialer{Timeout: 10 * time.Second}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if host, _, err := net.SplitHostPort(addr); err == nil && p.allowsName(host) {
				return named.DialContext(ctx, network, addr)
			}
			return checked.DialContext(ctx, network, addr)
		},
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  20 * time.Second,
		MaxResponseHeaderBytes: MaxResponse,
		MaxIdleConns:           10,
		IdleConnTimeout:        90 * time.Second,
		ForceAttemptHTTP2:      true,
	}
	return &Client{http: &http.Client{
		Transport:     tr,
		Timeout:       Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Post sends body to rawURL with the headers and returns nil on a 2xx
// answer, else an *Error whose message is one of "refused: the address is
// not public", "timed out", "connection failed", "HTTP 307: redirects are
// not followed" or "HTTP 500".
func (c *Client) Post(ctx context.Context, rawURL string, header http.Header, body []byte) error {
	_, err := c.PostStatus(ctx, rawURL, header, body)
	return err
}

// PostStatus is Post that also returns the HTTP status of the answer (0
// when none came), for a delivery log.
func (c *Client) PostStatus(ctx context.Context, rawURL string, header http.Header, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return 0, &Error{Msg: "invalid address", Err: err}
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, &Error{Msg: describe(err), Err: err}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, MaxResponse))
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return resp.StatusCode, &Error{Msg: fmt.Sprintf("HTTP %d: redirects are not followed", resp.StatusCode)}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return resp.StatusCode, &Error{Msg: fmt.Sprintf("HTTP %d", resp.StatusCode)}
	}
	return resp.StatusCode, nil
}

func describe(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, ErrNotPublic):
		return "refused: the address is not public (the operator can allow a host with serve --webhook-allow)"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timed out"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	return "connection failed"
}
