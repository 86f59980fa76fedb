// Package store holds all SQL of pdca, written in the subset SQLite and
// PostgreSQL share. Engine differences live in dialect.go. Every query of
// tenant data filters by org_id. Store functions do not check roles or
// business rules; package app does.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"           // registers the "sqlite" database/sql driver

	"github.com/pdca/pdca/internal/isms"
)

// Engine names the database engine behind a DB.
type Engine string

// The supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is the database. On SQLite it holds one writer connection (shared with
// River) and a pool of readers; on PostgreSQL both are the same pool.
type DB struct {
	Engine Engine
	DSN    string
	writer *sql.DB
	reader *sql.DB
	// Now returns the current time; tests replace it. Each transaction reads
	// it once, so every row a transaction writes carries the same moment.
	Now func() time.Time
	// stmts caches SQLite statements per pool (see Tx.stmt).
	stmts stmtCache
	// file is the SQLite file as opened (nil for PostgreSQL or a DSN that
	// is not a plain path); Probe checks the path still names it.
	file os.FileInfo
}

// stmtCache holds one prepared statement per pool and query text. SQLite
// spends most of a short read parsing and planning SQL; database/sql keeps
// each statement prepared on every connection it has run on, and
// Tx.StmtContext reuses that. PostgreSQL needs none of this: pgx caches
// prepared statements per connection by itself.
//
// A transaction holds its connection, and the pool may have no other free
// one (the SQLite writer has exactly one), so a transaction never prepares
// on the pool itself: on a miss it runs the query unprepared and a
// goroutine prepares the statement for the next transactions once a
// connection is free.
type stmtCache struct {
	mu     sync.Mutex
	m      map[stmtKey]*sql.Stmt // nil value: being prepared, or failed
	closed bool
	// preparing counts the statements being prepared, so that close
	// waits for them: a Prepare still running after DB.Close would hold
	// (on SQLite, reopen) a connection to a database being closed.
	preparing sync.WaitGroup
}

type stmtKey struct {
	pool *sql.DB
	q    string
}

// maxCachedStmts bounds the cache; queries built from filters have a
// finite number of shapes, so this is a safety net, not an eviction policy.
const maxCachedStmts = 2000

// get returns the pool's prepared statement for q, or nil when it is not
// ready yet.
func (c *stmtCache) get(pool *sql.DB, q string) *sql.Stmt {
	k := stmtKey{pool, q}
	c.mu.Lock()
	st, seen := c.m[k]
	if seen || c.closed || len(c.m) >= maxCachedStmts {
		c.mu.Unlock()
		return st
	}
	if c.m == nil {
		c.m = map[stmtKey]*sql.Stmt{}
	}
	c.m[k] = nil
	c.preparing.Add(1)
	c.mu.Unlock()
	go func() {
		defer c.preparing.Done()
		st, err := pool.Prepare(q)
		if err != nil {
			return // the query reports its own error when it runs
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.closed {
			_ = st.Close()
			return
		}
		c.m[k] = st
	}()
	return nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.preparing.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		if st != nil {
			_ = st.Close()
		}
	}
	c.m, c.closed = nil, true
}

// EngineOf tells which engine a DSN names: a postgres:// or postgresql://
// URL means PostgreSQL, anything else is a SQLite file path.
func EngineOf(dsn string) Engine {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return Postgres
	}
	return SQLite
}

// Open opens the database named by dsn (see EngineOf). It does not migrate;
// call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := &DB{Engine: EngineOf(dsn), DSN: dsn, Now: time.Now}
	var err error
	switch db.Engine {
	case Postgres:
		if db.writer, err = openPostgres(dsn, false); err != nil {
			return nil, err
		}
		db.writer.SetMaxOpenConns(10)
		db.writer.SetMaxIdleConns(10)
		db.writer.SetConnMaxIdleTime(5 * time.Minute)
		// Reads run without a transaction (see Read); their connections
		// refuse writes instead (default_transaction_read_only), as the
		// BEGIN READ ONLY they replace did.
		if db.reader, err = openPostgres(dsn, true); err != nil {
			db.writer.Close()
			return nil, err
		}
		db.reader.SetMaxOpenConns(pgReaders)
		db.reader.SetMaxIdleConns(pgReaders)
		// Opening a connection under load cost a burst of reads its p99
		// (16 new connections in the first second: 0.7 s instead of 0.1 s,
		// docs/BENCHMARKS.md): readers stay open for half an hour idle
		// (pgxpool's default), and serve opens them at start (WarmUp).
		db.reader.SetConnMaxIdleTime(30 * time.Minute)
	default:
		if err := createPrivate(dsn); err != nil {
			return nil, err
		}
		if db.writer, err = sql.Open("sqlite", sqliteDSN(dsn, true)); err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
		}
		db.writer.SetMaxOpenConns(1) // SQLite allows one writer; River shares it
		db.writer.SetConnMaxIdleTime(0)
		if db.reader, err = sql.Open("sqlite", sqliteDSN(dsn, false)); err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
		}
		// Keep every reader open: database/sql keeps only two idle
		// connections by default, and opening a SQLite connection (pragmas,
		// schema) costs more than most reads.
		db.reader.SetMaxOpenConns(8)
		db.reader.SetMaxIdleConns(8)
	}
	if err := db.writer.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database: %w", db.Engine, err)
	}
	db.file = sqliteFile(db.Engine, dsn)
	return db, nil
}

// pgReaders is the size of the PostgreSQL reader pool.
const pgReaders = 20

// WarmUp opens the PostgreSQL reader pool's connections at once, so that
// the first burst of requests does not wait for them (serve calls it at
// start). On SQLite it does nothing.
func (db *DB) WarmUp(ctx context.Context) error {
	if db.Engine != Postgres {
		return nil
	}
	// Hold every connection until all are open, so that each is a new one,
	// then hand them back to the idle pool.
	var mu sync.Mutex
	var conns []*sql.Conn
	var errs []error
	var wg sync.WaitGroup
	for range pgReaders {
		wg.Go(func() {
			c, err := db.reader.Conn(ctx)
			if err == nil {
				err = c.PingContext(ctx)
			}
			mu.Lock()
			defer mu.Unlock()
			if c != nil {
				conns = append(conns, c)
			}
			errs = append(errs, err)
		})
	}
	wg.Wait()
	for _, c := range conns {
		c.Close()
	}
	return errors.Join(errs...)
}

// pgCancelGrace is how long a statement whose context ends (the client
// went away) may still finish before its connection is given up. pgx's
// default gives up at once, closing the connection: every request cut off
// at the end of a burst cost a new connection for the next burst
// (docs/BENCHMARKS.md, "PostgreSQL read path").
const pgCancelGrace = time.Second

// openPostgres opens a pool on the postgres:// URL; readOnly sessions
// refuse writes.
func openPostgres(dsn string, readOnly bool) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if readOnly {
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
	}
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: c.Conn(), DeadlineDelay: pgCancelGrace}
	}
	return stdlib.OpenDB(*cfg), nil
}

// createPrivate creates a new SQLite database file readable and writable
// by its owner only (0600) before SQLite opens it: SQLite would create it
// with 0644, and its -wal and -shm files take the database file's mode.
// An existing file keeps its mode.
func createPrivate(path string) error {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return isms.Errorf(isms.EINVALID, "create the database file %s: %v", path, err)
	}
	return f.Close()
}

// sqliteDSN adds the pragmas pdca relies on to a file path: WAL so readers
// do not block the writer, a busy timeout instead of immediate errors,
// foreign keys, and immediate transactions for the writer so that a
// transaction never fails half-way when it upgrades to a write lock, with
// its temporary files in memory.
func sqliteDSN(path string, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_time_format", "sqlite")
	if writer {
		q.Set("_txlock", "immediate")
		// The writer's statement journals (a multi-row insert into a
		// table with a unique key and a foreign key keeps one, to undo
		// the statement) stay in memory instead of a temporary file:
		// their write system calls were a quarter of an import's CPU.
		// Only the writer: a reader's large sort still spills to disk.
		q.Add("_pragma", "temp_store(MEMORY)")
	}
	return "file:" + filepath.ToSlash(path) + "?" + q.Encode()
}

// Close closes both pools.
func (db *DB) Close() error {
	db.stmts.close()
	var errs []error
	if db.reader != nil && db.reader != db.writer {
		errs = append(errs, db.reader.Close())
	}
	if db.writer != nil {
		errs = append(errs, db.writer.Close())
	}
	return errors.Join(errs...)
}

// Writer returns the writer pool, for River and the session store.
func (db *DB) Writer() *sql.DB { return db.writer }

// Reader returns the reader pool.
func (db *DB) Reader() *sql.DB { return db.reader }

// Ping checks that the database answers (for /readyz).
func (db *DB) Ping(ctx context.Context) error { return db.reader.PingContext(ctx) }

// Tx is a transaction with its moment fixed at the start.
type Tx struct {
	tx    *sql.Tx   // nil in ReadOne and in Read on PostgreSQL
	conn  *sql.Conn // Read on PostgreSQL: one connection, no transaction
	db    *DB
	pool  *sql.DB
	Now   time.Time
	stmts map[string]*sql.Stmt // prepared once per transaction, closed with it
	// Issue 19: the custom record kinds resolved in this transaction, by
	// organisation and key (an import resolves its kind once, not per row).
	custom map[string]*recordSQL
}

// querier is what runs a statement: the transaction, or in ReadOne the
// reader pool.
type querier interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func (tx *Tx) q() querier {
	switch {
	case tx.tx != nil:
		return tx.tx
	case tx.conn != nil:
		return tx.conn
	}
	return tx.pool
}

// prepared returns the statement for q, preparing it on first use in this
// transaction (imports run the same insert thousands of times).
func (tx *Tx) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := tx.stmts[q]; ok {
		return st, nil
	}
	if tx.tx == nil {
		return nil, errors.New("prepared statements need a transaction (not ReadOne)")
	}
	st := tx.stmt(ctx, q)
	if st == nil {
		var err error
		if st, err = tx.tx.PrepareContext(ctx, q); err != nil {
			return nil, err
		}
	}
	if tx.stmts == nil {
		tx.stmts = map[string]*sql.Stmt{}
	}
	tx.stmts[q] = st
	return st, nil
}

// SQL returns the underlying transaction, for River's InsertTx.
func (tx *Tx) SQL() *sql.Tx { return tx.tx }

// Engine returns the engine the transaction runs on.
func (tx *Tx) Engine() Engine { return tx.db.Engine }

// Write runs fn in a read-write transaction and commits if fn returns nil.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	return db.run(ctx, db.writer, nil, fn)
}

// Read runs fn as a read: on SQLite in a transaction (one snapshot); on
// PostgreSQL on one connection without a transaction. PostgreSQL's
// isolation level, READ COMMITTED (pdca sets no other), takes a new
// snapshot for each statement inside a transaction too, so BEGIN READ ONLY
// and COMMIT bought no consistency, only two round trips per read (issue
// 16 item 4). fn must not write: exec fails outside a transaction.
func (db *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	if db.Engine == Postgres {
		conn, err := db.reader.Conn(ctx)
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		defer conn.Close()
		return fn(&Tx{conn: conn, db: db, pool: db.reader, Now: db.Now().UTC().Truncate(time.Microsecond)})
	}
	return db.run(ctx, db.reader, nil, fn)
}

// ReadOne runs fn outside a transaction: each of its statements runs on
// the reader pool by itself. It is for reads of one statement, which sees
// one snapshot without a transaction; on PostgreSQL it saves the BEGIN and
// COMMIT round trips. fn must not write (exec fails) and should not rely
// on two statements agreeing with each other.
func (db *DB) ReadOne(ctx context.Context, fn func(*Tx) error) error {
	return fn(&Tx{db: db, pool: db.reader, Now: db.Now().UTC().Truncate(time.Microsecond)})
}

func (db *DB) run(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, fn func(*Tx) error) (err error) {
	sqlTx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	tx := &Tx{tx: sqlTx, db: db, pool: pool, Now: db.Now().UTC().Truncate(time.Microsecond)}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
	}()
	if err = fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// stmt returns the cached statement for q bound to this transaction, or
// nil when there is none (PostgreSQL, or the cache is full).
func (tx *Tx) stmt(ctx context.Context, q string) *sql.Stmt {
	if tx.db.Engine != SQLite {
		return nil
	}
	if st := tx.db.stmts.get(tx.pool, q); st != nil {
		if tx.tx == nil {
			return st
		}
		return tx.tx.StmtContext(ctx, st)
	}
	return nil
}

func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	tx.checkArgs(q, args)
	if tx.tx == nil {
		return nil, errors.New("write outside a transaction (Read and ReadOne are for reads)")
	}
	if st := tx.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, q, args...)
}

func (tx *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	tx.checkArgs(q, args)
	if st := tx.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return tx.q().QueryContext(ctx, q, args...)
}

func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	tx.checkArgs(q, args)
	if st := tx.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.q().QueryRowContext(ctx, q, args...)
}

// checkArgs fails a test that passes a time to SQL without tx.ts: on
// SQLite the driver would bind it as text, which compares wrongly with the
// stored integers (dialect.go) instead of failing.
func (tx *Tx) checkArgs(q string, args []any) {
	if !testing.Testing() || tx.db.Engine != SQLite {
		return
	}
	for i, a := range args {
		switch a.(type) {
		case time.Time, *time.Time:
			panic(fmt.Sprintf("store: argument $%d is a %T; pass times through tx.ts: %s", i+1, a, q))
		}
	}
}

// notFound maps sql.ErrNoRows to an ENOTFOUND domain error.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return isms.Errorf(isms.ENOTFOUND, "%s not found", what)
	}
	return err
}

// Backup writes a consistent copy of a SQLite database to path with VACUUM
// INTO (readers and writers may go on meanwhile). On PostgreSQL it returns
// EINVALID pointing to pg_dump.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.Engine == Postgres {
		return isms.Errorf(isms.EINVALID, "pdca backup copies SQLite files; for PostgreSQL use pg_dump, e.g. pg_dump --format=custom --file=pdca.dump \"$PDCA_DB\"")
	}
	// VACUUM INTO accepts an empty file: create it readable by the owner
	// only, as the copy holds everything the database does.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return isms.Errorf(isms.EINVALID, "create %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if _, err := db.writer.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}
