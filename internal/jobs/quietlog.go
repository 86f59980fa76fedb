package jobs

import (
	"context"
	"log/slog"
	"strings"
)

// quietCancel wraps the logger River writes to: an error record whose
// err is a cancelled context ("Failed to send job insert notification"
// while the server shuts down, a fetch cut off by the stop), or that is
// logged under a context already cancelled, is logged at info, as the HTTP
// side logs a client that went away (499), so that operators see errors
// only for what failed. The second case is the stop's consequence under
// another name: a statement still running a second after its context ended
// loses its connection (store.pgCancelGrace), and River then logs the
// insert notification's "driver: bad connection".
type quietCancel struct{ slog.Handler }

func (h quietCancel) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError && (ctx.Err() != nil || cancelled(r)) {
		q := slog.NewRecord(r.Time, slog.LevelInfo, r.Message, r.PC)
		r.Attrs(func(a slog.Attr) bool { q.AddAttrs(a); return true })
		r = q
	}
	return h.Handler.Handle(ctx, r)
}

func (h quietCancel) WithAttrs(as []slog.Attr) slog.Handler {
	return quietCancel{h.Handler.WithAttrs(as)}
}

func (h quietCancel) WithGroup(name string) slog.Handler {
	return quietCancel{h.Handler.WithGroup(name)}
}

// cancelled reports whether the record's err or error attribute says the
// context was cancelled.
func cancelled(r slog.Record) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		if (a.Key == "err" || a.Key == "error") && strings.HasSuffix(a.Value.String(), "context canceled") {
			found = true
		}
		return !found
	})
	return found
}
