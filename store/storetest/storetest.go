// Package storetest runs tests against a fresh store on every supported
// database: SQLite in a temporary folder, PostgreSQL and MySQL/MariaDB on
// their local servers. Each store gets its own uniquely named database,
// dropped when the test ends.
//
// Servers are found at the standard local addresses, or at the admin DSNs
// in OCTOPUS_TEST_POSTGRES and OCTOPUS_TEST_MYSQL. Setting one of them to
// "off" leaves that database out. When a server cannot be reached the test
// is skipped with a loud message, except when CI is "true": then it fails,
// so a broken CI setup cannot pass silently.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/octopuscaddy/octopus/store"
)

// Default admin connections of the local test servers.
const (
	DefaultPostgresDSN = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	DefaultMySQLDSN    = "root@tcp(127.0.0.1:3306)/"
)

// Dialects are the drivers ForEachDialect runs, in order.
var Dialects = []string{store.SQLite, store.Postgres, store.MySQL}

// ForEachDialect runs fn as a subtest (named after the driver) once per
// database, each time with a fresh, migrated store.
func ForEachDialect(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(d, func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh, migrated store on driver's database, closed and
// dropped when t ends.
func Open(t testing.TB, driver string) *store.Store {
	t.Helper()
	dsn := NewDatabase(t, driver)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := store.Open(ctx, driver, dsn)
	if err != nil {
		t.Fatalf("storetest: open %s store: %v", driver, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("storetest: close %s store: %v", driver, err)
		}
	})
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("storetest: migrate %s store: %v", driver, err)
	}
	return s
}

// NewDatabase creates an empty database for driver and returns the DSN to
// pass to store.Open. The database is dropped when t ends (after cleanups
// registered later, such as closing the store, have run).
func NewDatabase(t testing.TB, driver string) string {
	t.Helper()
	switch driver {
	case store.SQLite:
		return filepath.Join(t.TempDir(), "nested", "data", "octopus.db")
	case store.Postgres:
		return newServerDatabase(t, driver, "pgx", "OCTOPUS_TEST_POSTGRES", DefaultPostgresDSN, postgresDSN,
			"CREATE DATABASE %s", "DROP DATABASE IF EXISTS %s WITH (FORCE)")
	case store.MySQL:
		return newServerDatabase(t, driver, "mysql", "OCTOPUS_TEST_MYSQL", DefaultMySQLDSN, mysqlDSN,
			"CREATE DATABASE %s CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", "DROP DATABASE IF EXISTS %s")
	}
	t.Fatalf("storetest: unknown driver %q", driver)
	return ""
}

// newServerDatabase creates a uniquely named database on a server through
// its admin DSN, and drops it at cleanup.
func newServerDatabase(t testing.TB, driver, sqlDriver, env, def string,
	withDB func(admin, name string) (string, error), create, drop string) string {
	t.Helper()
	admin := os.Getenv(env)
	if admin == "off" {
		t.Skipf("storetest: %s tests switched off by %s=off", driver, env)
	}
	if admin == "" {
		admin = def
	}
	if err := openAdmin(sqlDriver, admin, func(db *sql.DB) error { return nil }); err != nil {
		unreachable(t, driver, env, err)
	}
	name := uniqueName()
	dsn, err := withDB(admin, name)
	if err != nil {
		t.Fatalf("storetest: %s: %v", env, err)
	}
	err = openAdmin(sqlDriver, admin, func(db *sql.DB) error {
		_, err := db.Exec(fmt.Sprintf(create, name))
		return err
	})
	if err != nil {
		t.Fatalf("storetest: create %s database %s: %v", driver, name, err)
	}
	t.Cleanup(func() {
		err := openAdmin(sqlDriver, admin, func(db *sql.DB) error {
			_, err := db.Exec(fmt.Sprintf(drop, name))
			return err
		})
		if err != nil {
			t.Errorf("storetest: drop %s database %s: %v", driver, name, err)
		}
	})
	return dsn
}

// openAdmin runs fn on a short-lived admin connection.
func openAdmin(sqlDriver, dsn string, fn func(*sql.DB) error) error {
	db, err := sql.Open(sqlDriver, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		return err
	}
	return fn(db)
}

// unreachable fails the test under CI and skips it loudly elsewhere.
func unreachable(t testing.TB, driver, env string, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("storetest: the %s test server is not reachable (%v). CI=true, so this is a failure: "+
			"start the server, or point %s at one", driver, err, env)
	}
	t.Skipf("\n!!!!!!!! storetest: SKIPPING %s TESTS: the server is not reachable (%v).\n"+
		"!!!!!!!! Start it, or point %s at one; under CI=true this fails.", driver, err, env)
}

// uniqueName returns a fresh database name, valid unquoted on both servers.
func uniqueName() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "octotest_" + hex.EncodeToString(b[:])
}

// postgresDSN points a URL-form PostgreSQL DSN at database name.
func postgresDSN(admin, name string) (string, error) {
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("want a postgres:// URL, got %q", admin)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// mysqlDSN points a go-sql-driver DSN at database name.
func mysqlDSN(admin, name string) (string, error) {
	cfg, err := mysql.ParseDSN(admin)
	if err != nil {
		return "", err
	}
	cfg.DBName = name
	return cfg.FormatDSN(), nil
}
