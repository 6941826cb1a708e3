// Package store is Octopus's database: channels, groups, client API keys,
// prices, settings, admin users and sessions, usage statistics and request
// logs, on SQLite (default, cgo-free), PostgreSQL or MySQL/MariaDB.
//
// Other packages use the functions and plain types of this package; the ent
// client (Client) is exposed for the usage and reporting code that needs
// aggregate queries. Every function that changes configuration runs in one
// transaction, validates its input first (*ValidationError), reports clashes
// as *ConflictError and missing rows as ErrNotFound, and bumps the config
// version in the same transaction so other gateway instances notice.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/octopuscaddy/octopus/ent"
	"github.com/octopuscaddy/octopus/ent/migrate"

	// Database drivers: modernc's SQLite needs no cgo, so a default
	// `xcaddy build` works; pgx and go-sql-driver are the usual ones.
	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// Driver names accepted by Open.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
	MySQL    = "mysql"
)

// DefaultSQLitePath is the database file used when no database is configured.
const DefaultSQLitePath = "data/octopus.db"

// Store is an open database. It is safe for concurrent use.
type Store struct {
	client *ent.Client
	db     *sql.DB
	driver string

	mu           sync.RWMutex
	channelTypes map[string]struct{} // nil: any well-formed type name

	// stmtMu guards logStmts, the prepared request log INSERTs by row
	// count (logInsertStmt).
	stmtMu   sync.Mutex
	logStmts map[int]*sql.Stmt

	// logMu guards logConn, the connection SQLite's request log batches
	// are written on (insertRequestLogsSQLite); keepLogConn is false for
	// an in-memory database, whose one connection cannot be kept.
	logMu       sync.Mutex
	logConn     *logConn
	keepLogConn bool
}

// Open connects to a database. driver is "sqlite" (default when empty),
// "postgres" or "mysql" (the aliases "sqlite3", "postgresql", "pgx" and
// "mariadb" are accepted too). For SQLite, dsn is a file path or a "file:"
// URI (DefaultSQLitePath when empty) whose folder is created; WAL, foreign
// keys and a busy timeout are switched on. For MySQL, parseTime is forced on
// and times are read and written as UTC.
//
// Open checks that the database answers but does not change it; call
// Migrate to create or update the schema.
func Open(ctx context.Context, driver, dsn string) (*Store, error) {
	name, err := normalizeDriver(driver)
	if err != nil {
		return nil, err
	}
	var (
		db          *sql.DB
		dia         string
		keepLogConn bool
	)
	switch name {
	case SQLite:
		dsn, memory, err := sqliteDSN(dsn)
		if err != nil {
			return nil, err
		}
		if db, err = sql.Open("sqlite", dsn); err != nil {
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		dia = dialect.SQLite
		if memory {
			// Every connection to ":memory:" is a database of its own.
			db.SetMaxOpenConns(1)
		} else {
			// WAL lets readers run beside the one writer; writers queue on
			// the busy timeout. A few connections are plenty on SQLite.
			db.SetMaxOpenConns(4)
			db.SetMaxIdleConns(4)
			keepLogConn = true
		}
	case Postgres:
		if dsn == "" {
			return nil, fmt.Errorf("store: postgres needs a connection string")
		}
		if db, err = sql.Open("pgx", dsn); err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		dia = dialect.Postgres
		setPool(db)
	case MySQL:
		dsn, err := mysqlDSN(dsn)
		if err != nil {
			return nil, err
		}
		if db, err = sql.Open("mysql", dsn); err != nil {
			return nil, fmt.Errorf("store: open mysql: %w", err)
		}
		dia = dialect.MySQL
		setPool(db)
		// Servers close idle connections after wait_timeout (8h by
		// default, often much less behind proxies).
		db.SetConnMaxLifetime(5 * time.Minute)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", name, err)
	}
	drv := entsql.OpenDB(dia, db)
	return &Store{client: ent.NewClient(ent.Driver(drv)), db: db, driver: name, keepLogConn: keepLogConn}, nil
}

// setPool sizes a client/server database pool: enough for concurrent admin
// requests and flushes, few enough to share a small server between
// instances.
func setPool(db *sql.DB) {
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(5 * time.Minute)
}

// normalizeDriver maps a driver name or alias to SQLite, Postgres or MySQL.
func normalizeDriver(driver string) (string, error) {
	switch driver {
	case "", SQLite, "sqlite3":
		return SQLite, nil
	case Postgres, "postgresql", "pgx":
		return Postgres, nil
	case MySQL, "mariadb":
		return MySQL, nil
	}
	return "", &ValidationError{Field: "database", Reason: fmt.Sprintf("unknown database driver %q (want sqlite, postgres or mysql)", driver)}
}

// migrationLockID names the advisory lock that serialises migrations of
// instances sharing one PostgreSQL or MySQL database: two instances
// creating a fresh schema at once would otherwise collide on catalog rows.
const migrationLockID = 0x6f63746f // "octo"

// lockAcrossInstances takes a server-side lock held on one dedicated
// connection until the returned function runs. SQLite needs none: its
// writers already serialise on the file.
func (s *Store) lockAcrossInstances(ctx context.Context) (func(), error) {
	var lock, unlock string
	switch s.driver {
	case Postgres:
		lock, unlock = fmt.Sprintf("SELECT pg_advisory_lock(%d)", migrationLockID), fmt.Sprintf("SELECT pg_advisory_unlock(%d)", migrationLockID)
	case MySQL:
		lock, unlock = "SELECT GET_LOCK('octopus_migrate', 120)", "SELECT RELEASE_LOCK('octopus_migrate')"
	default:
		return func() {}, nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migration lock: %w", err)
	}
	if _, err := conn.ExecContext(ctx, lock); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("store: migration lock: %w", err)
	}
	return func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), unlock)
		_ = conn.Close()
	}, nil
}

// migrateMu serialises Migrate calls in one process: ent's schema.Create
// writes to the generated package-level table descriptions (migrate.Tables),
// so two concurrent migrations, even of different databases, race.
var migrateMu sync.Mutex

// Migrate creates missing tables, columns and indexes. It only ever adds
// (ent's default), so running it on every start is safe, and running it on
// an up-to-date schema changes nothing.
func (s *Store) Migrate(ctx context.Context) error {
	migrateMu.Lock()
	defer migrateMu.Unlock()
	unlock, err := s.lockAcrossInstances(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if err := s.client.Schema.Create(ctx, migrate.WithForeignKeys(true)); err != nil {
		return fmt.Errorf("store: migrate %s schema: %w", s.driver, err)
	}
	return nil
}

// Client returns the ent client, for aggregate queries that have no store
// function. Prefer store functions: they validate and keep the config
// version current.
func (s *Store) Client() *ent.Client { return s.client }

// DB returns the underlying database handle.
func (s *Store) DB() *sql.DB { return s.db }

// Driver returns the normalized driver name: SQLite, Postgres or MySQL.
func (s *Store) Driver() string { return s.driver }

// Close closes the database.
func (s *Store) Close() error {
	s.stmtMu.Lock()
	for _, st := range s.logStmts {
		_ = st.Close()
	}
	s.logStmts = nil
	s.stmtMu.Unlock()
	s.logMu.Lock()
	if s.logConn != nil {
		s.logConn.close()
		s.logConn = nil
	}
	s.logMu.Unlock()
	return s.client.Close()
}

// SetChannelTypes restricts channel types to names (the provider registry's
// types). Until it is called, or after it is called with no names, any
// well-formed type name is accepted.
func (s *Store) SetChannelTypes(names ...string) {
	if len(names) == 0 {
		s.mu.Lock()
		s.channelTypes = nil
		s.mu.Unlock()
		return
	}
	m := make(map[string]struct{}, len(names))
	for _, n := range names {
		m[n] = struct{}{}
	}
	s.mu.Lock()
	s.channelTypes = m
	s.mu.Unlock()
}

// knownType reports whether t is an allowed channel type.
func (s *Store) knownType(t string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.channelTypes == nil {
		return true
	}
	_, ok := s.channelTypes[t]
	return ok
}
