package store

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// sqlitePragmas are added to every SQLite DSN that does not set them:
//   - foreign_keys: SQLite ignores FOREIGN KEY clauses unless told otherwise;
//   - journal_mode WAL: readers do not block the writer;
//   - synchronous NORMAL: with WAL, commits no longer wait for fsync (only
//     checkpoints do); the database stays consistent and loses nothing
//     when the process dies, only the last commits on a power cut — the
//     setting SQLite recommends for WAL, and it halves the cost of the
//     request log's batch inserts;
//   - busy_timeout: a writer waits for the lock instead of failing at once;
//   - _txlock immediate: a transaction takes the write lock at BEGIN, so a
//     read-then-write transaction cannot fail with SQLITE_BUSY half-way;
//   - _time_format sqlite + _timezone UTC: times are written as
//     "2006-01-02 15:04:05.999999999+00:00", which SQLite's date functions
//     understand and which sorts correctly as text.
var sqlitePragmas = []struct{ key, value, marker string }{
	{"_pragma", "foreign_keys(1)", "foreign_keys"},
	{"_pragma", "journal_mode(WAL)", "journal_mode"},
	{"_pragma", "synchronous(NORMAL)", "synchronous"},
	{"_pragma", "busy_timeout(5000)", "busy_timeout"},
	{"_txlock", "immediate", "_txlock"},
	{"_time_format", "sqlite", "_time_format"},
	{"_timezone", "UTC", "_timezone"},
}

// sqliteDSN turns a path or "file:" URI into a modernc.org/sqlite DSN with
// the pragmas above, creating the file's folder. memory reports an
// in-memory database (one connection only).
func sqliteDSN(dsn string) (out string, memory bool, err error) {
	if dsn == "" {
		dsn = DefaultSQLitePath
	}
	path, query, _ := strings.Cut(dsn, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", false, &ValidationError{Field: "database", Reason: fmt.Sprintf("bad sqlite options %q: %v", query, err)}
	}
	file := strings.TrimPrefix(path, "file:")
	memory = file == ":memory:" || q.Get("mode") == "memory"
	if !memory {
		if strings.HasPrefix(path, "file:") {
			// file:///abs/path and file:rel/path both name a path.
			if u, err := url.Parse(path); err == nil && u.Path != "" {
				file = u.Path
			}
		}
		if dir := filepath.Dir(file); dir != "." && dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return "", false, fmt.Errorf("store: create folder for %s: %w", file, err)
			}
		}
	}
	lower := strings.ToLower(query)
	var b strings.Builder
	b.WriteString(query)
	for _, p := range sqlitePragmas {
		if strings.Contains(lower, p.marker) {
			continue // the user's own setting wins
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.key + "=" + url.QueryEscape(p.value))
	}
	return path + "?" + b.String(), memory, nil
}

// mysqlDSN forces the settings the store relies on into a go-sql-driver
// DSN: parseTime (DATETIME columns scan into time.Time) and UTC as the
// location times are written and read in.
func mysqlDSN(dsn string) (string, error) {
	if dsn == "" {
		return "", fmt.Errorf("store: mysql needs a connection string")
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return "", &ValidationError{Field: "database", Reason: fmt.Sprintf("bad mysql connection string: %v", err)}
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	return cfg.FormatDSN(), nil
}
