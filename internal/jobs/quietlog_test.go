package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// River's error records about a cancelled context are logged at info;
// every other record keeps its level.
func TestQuietCancel(t *testing.T) {
	for _, c := range []struct {
		level slog.Level
		attrs []any
		want  string
	}{
		{slog.LevelError, []any{"err", context.Canceled.Error()}, "level=INFO"},
		{slog.LevelError, []any{"err", fmt.Errorf("notify: %w", context.Canceled)}, "level=INFO"},
		{slog.LevelError, []any{"error", context.Canceled}, "level=INFO"},
		{slog.LevelError, []any{"err", errors.New("connection refused")}, "level=ERROR"},
		{slog.LevelError, []any{"queue", "context canceled"}, "level=ERROR"},
		{slog.LevelWarn, []any{"err", context.Canceled}, "level=WARN"},
	} {
		var buf bytes.Buffer
		log := slog.New(quietCancel{slog.NewTextHandler(&buf, nil)}).With("client", "c1")
		log.Log(context.Background(), c.level, "Client: Failed to send job insert notification", c.attrs...)
		if got := buf.String(); !strings.Contains(got, c.want) || !strings.Contains(got, "client=c1") || !strings.Contains(got, "Failed to send") {
			t.Errorf("%v %v: %s; want %s", c.level, c.attrs, got, c.want)
		}
	}
	// Under a cancelled context (the stop), whatever the error says: the
	// connection a cancelled statement lost is not a failure of its own.
	stopped, stop := context.WithCancel(context.Background())
	stop()
	for _, c := range []struct {
		ctx  context.Context
		want string
	}{
		{stopped, "level=INFO"},
		{context.Background(), "level=ERROR"},
	} {
		var buf bytes.Buffer
		slog.New(quietCancel{slog.NewTextHandler(&buf, nil)}).ErrorContext(c.ctx, "Client: Failed to send job insert notification", "err", "driver: bad connection")
		if got := buf.String(); !strings.Contains(got, c.want) || !strings.Contains(got, "bad connection") {
			t.Errorf("bad connection, context err %v: %s; want %s", c.ctx.Err(), got, c.want)
		}
	}
}
