package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/sqlite3store"
	"github.com/alexedwards/scs/v2"

	"github.com/pdca/pdca/internal/store"
)

// sessionTouchEvery is how precisely a session's idle expiry is kept. scs
// moves the expiry forward on every request when an idle timeout is set,
// which would make every page view a database write; the store writes a
// session whose data did not change only when its stored expiry is this
// much behind. A session therefore expires at most this much earlier than
// the idle timeout says, never later.
const sessionTouchEvery = time.Minute

// sessionStore is scs's store for pdca's sessions table, keyed by the
// SHA-256 of each token (storedToken): lookups go to
// the reader pool (on SQLite the writer is one connection shared with
// every write), changes to the writer, and a commit that only moves the
// expiry by less than sessionTouchEvery is skipped.
type sessionStore struct {
	read, write scs.Store

	mu      sync.Mutex
	written map[string]writtenSession // what this process last stored
}

type writtenSession struct {
	data   []byte
	expiry time.Time
}

// maxRememberedSessions bounds the memory of written sessions; past it
// the memory starts over, which costs one write per active session.
const maxRememberedSessions = 100_000

func newSessionStore(db *store.DB) *sessionStore {
	s := &sessionStore{written: map[string]writtenSession{}}
	// Expired sessions are removed by River's housekeeping job, not by a
	// goroutine of the store.
	if db.Engine == store.Postgres {
		s.read = postgresstore.NewWithCleanupInterval(db.Reader(), 0)
		s.write = postgresstore.NewWithCleanupInterval(db.Writer(), 0)
	} else {
		s.read = sqlite3store.NewWithCleanupInterval(db.Reader(), 0)
		s.write = sqlite3store.NewWithCleanupInterval(db.Writer(), 0)
	}
	return s
}

// storedToken is what the sessions table holds for a session token: its
// SHA-256 in hex, so a copy of the database (a backup) holds no token that
// signs anyone in. Tokens are 256-bit random (scs), so one hash suffices.
func storedToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Find reads a session.
func (s *sessionStore) Find(token string) ([]byte, bool, error) {
	return s.read.Find(storedToken(token))
}

// Commit stores a session unless only its expiry moved, and by little.
func (s *sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	token = storedToken(token)
	s.mu.Lock()
	w, ok := s.written[token]
	s.mu.Unlock()
	if ok && bytes.Equal(w.data, b) && !expiry.Before(w.expiry) && expiry.Sub(w.expiry) < sessionTouchEvery {
		return nil
	}
	if err := s.write.Commit(token, b, expiry); err != nil {
		return err
	}
	s.mu.Lock()
	if len(s.written) >= maxRememberedSessions {
		s.written = map[string]writtenSession{}
	}
	s.written[token] = writtenSession{data: bytes.Clone(b), expiry: expiry}
	s.mu.Unlock()
	return nil
}

// Delete removes a session.
func (s *sessionStore) Delete(token string) error {
	token = storedToken(token)
	s.mu.Lock()
	delete(s.written, token)
	s.mu.Unlock()
	return s.write.Delete(token)
}
