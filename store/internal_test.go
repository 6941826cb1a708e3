package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/octopuscaddy/octopus/ent"
)

func TestSQLiteDSN(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		in       string
		wantPath string // prefix before '?'
		memory   bool
		keep     string // a user setting that must survive unchanged
	}{
		{in: "", wantPath: DefaultSQLitePath},
		{in: filepath.Join(dir, "a", "b", "x.db"), wantPath: filepath.Join(dir, "a", "b", "x.db")},
		{in: "file:" + filepath.Join(dir, "c", "y.db") + "?cache=shared", wantPath: "file:" + filepath.Join(dir, "c", "y.db"), keep: "cache=shared"},
		{in: ":memory:", wantPath: ":memory:", memory: true},
		{in: "file:mem?mode=memory", wantPath: "file:mem", memory: true, keep: "mode=memory"},
		{in: filepath.Join(dir, "z.db") + "?_pragma=busy_timeout(100)", wantPath: filepath.Join(dir, "z.db"), keep: "busy_timeout(100)"},
	}
	for _, tc := range tests {
		if tc.in == "" {
			// The default path is relative: create it in a temp working dir.
			t.Chdir(dir)
		}
		out, memory, err := sqliteDSN(tc.in)
		if err != nil {
			t.Fatalf("sqliteDSN(%q): %v", tc.in, err)
		}
		path, query, _ := strings.Cut(out, "?")
		if path != tc.wantPath || memory != tc.memory {
			t.Errorf("sqliteDSN(%q) = %q (memory %v), want path %q (memory %v)", tc.in, out, memory, tc.wantPath, tc.memory)
		}
		q, err := url.ParseQuery(query)
		if err != nil {
			t.Fatal(err)
		}
		pragmas := strings.Join(q["_pragma"], ",")
		for _, want := range []string{"foreign_keys(1)", "journal_mode(WAL)"} {
			if !strings.Contains(pragmas, want) {
				t.Errorf("sqliteDSN(%q): pragmas %q lack %s", tc.in, pragmas, want)
			}
		}
		if q.Get("_txlock") != "immediate" || q.Get("_time_format") != "sqlite" || q.Get("_timezone") != "UTC" {
			t.Errorf("sqliteDSN(%q) = %q: missing _txlock/_time_format/_timezone", tc.in, out)
		}
		if tc.keep != "" && !strings.Contains(out, tc.keep) {
			t.Errorf("sqliteDSN(%q) = %q dropped %q", tc.in, out, tc.keep)
		}
		if strings.Count(out, "busy_timeout") != 1 {
			t.Errorf("sqliteDSN(%q) = %q: busy_timeout set twice or not at all", tc.in, out)
		}
		if !memory {
			p := strings.TrimPrefix(path, "file:")
			if _, err := os.Stat(filepath.Dir(p)); err != nil {
				t.Errorf("sqliteDSN(%q) did not create the folder: %v", tc.in, err)
			}
		}
	}
}

func TestOpenSQLiteCreatesFolderAndMemory(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "data", "octopus.db")
	s, err := Open(ctx, "sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file not created: %v", err)
	}
	m, err := Open(ctx, SQLite, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := m.CreateChannel(ctx, Channel{Name: "c", Type: "openai_chat"}); err != nil {
		t.Fatalf("in-memory store (one connection) lost its schema: %v", err)
	}
	// The request log's batches take the one connection and must give it
	// back: two batches, then the rest of the store still answers.
	for range 2 {
		if err := m.InsertRequestLogs(ctx, []RequestLog{{Group: "g", Status: 200}, {Group: "g", Status: 502}}); err != nil {
			t.Fatal(err)
		}
	}
	// A connection kept by the log would make these wait forever.
	qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if n, err := m.Client().RequestLog.Query().Count(qctx); err != nil || n != 4 {
		t.Fatalf("%d request log rows in memory (%v), want 4", n, err)
	}
	if _, err := m.CreateChannel(qctx, Channel{Name: "d", Type: "openai_chat"}); err != nil {
		t.Fatalf("in-memory store after request log batches: %v", err)
	}
}

func TestMySQLDSN(t *testing.T) {
	for _, in := range []string{
		"u:p@tcp(127.0.0.1:3306)/octopus",
		"u:p@tcp(127.0.0.1:3306)/octopus?parseTime=false&loc=Local",
		"u:p@tcp(db:3306)/octopus?parseTime=true&timeout=5s",
	} {
		out, err := mysqlDSN(in)
		if err != nil {
			t.Fatalf("mysqlDSN(%q): %v", in, err)
		}
		cfg, err := mysql.ParseDSN(out)
		if err != nil {
			t.Fatal(err)
		}
		if !cfg.ParseTime || cfg.Loc.String() != "UTC" || cfg.DBName != "octopus" || cfg.User != "u" || cfg.Passwd != "p" {
			t.Errorf("mysqlDSN(%q) = %q", in, out)
		}
	}
	var ve *ValidationError
	if _, err := mysqlDSN("not a dsn"); !errors.As(err, &ve) {
		t.Errorf("bad DSN = %v, want ValidationError", err)
	}
}

func TestRandomBase62(t *testing.T) {
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 2000 {
		s := randomBase62(43)
		if len(s) != 43 || seen[s] {
			t.Fatalf("bad or repeated token %q", s)
		}
		seen[s] = true
		for _, r := range s {
			if !strings.ContainsRune(base62, r) {
				t.Fatalf("token %q has %q outside base62", s, r)
			}
			counts[r]++
		}
	}
	// 86000 draws over 62 symbols: about 1387 each. A modulo bias or a
	// missing symbol would show far outside this band.
	if len(counts) != 62 {
		t.Fatalf("only %d of 62 symbols used", len(counts))
	}
	for r, n := range counts {
		if n < 1150 || n > 1650 {
			t.Errorf("symbol %q drawn %d times, expected about 1387", r, n)
		}
	}
}

func TestHashSecret(t *testing.T) {
	// sha256("abc"), FIPS 180-2 test vector.
	if got := HashSecret("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("HashSecret(abc) = %s", got)
	}
}

func TestCheckName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"gpt-4o", true},
		{"openai/gpt-4o:beta@2024", true},
		{"模型", true},
		{"", false},
		{"a b", false},
		{"tab\there", false},
		{"nl\n", false},
		{"\x00", false},
		{string([]byte{0xff}), false},
		{strings.Repeat("é", 15), true}, // 30 bytes
		{strings.Repeat("é", 16), false},
	}
	for _, tc := range tests {
		err := checkName("f", tc.name, 30)
		if (err == nil) != tc.ok {
			t.Errorf("checkName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abcdef", 3, "abc"},
		{"ééééé", 4, "éé"},
		{"ééééé", 5, "éé"}, // never half a rune
		{"ééé", 6, "ééé"},
		{"aé", 1, "a"},
		{"", 0, ""},
	}
	for _, tc := range tests {
		got := clip(tc.in, tc.n)
		if got != tc.want || !utf8.ValidString(got) {
			t.Errorf("clip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestMapErr(t *testing.T) {
	if err := mapErr(&ent.NotFoundError{}, "channel", 7); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "channel 7") {
		t.Errorf("not found → %v", err)
	}
	if err := mapErr(&ent.NotFoundError{}, "channel", "x"); !strings.Contains(err.Error(), `channel "x"`) {
		t.Errorf("not found by name → %v", err)
	}
	plain := errors.New("connection reset")
	if err := mapErr(plain, "channel", 1); err != plain {
		t.Errorf("other errors must pass unchanged, got %v", err)
	}
	ve := &ValidationError{Field: "f", Reason: "r"}
	if err := mapErr(ve, "channel", 1); err != ve {
		t.Errorf("store errors must pass unchanged, got %v", err)
	}
	if mapErr(nil, "x", 1) != nil {
		t.Error("nil must stay nil")
	}
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&mysql.MySQLError{Number: 1213}, true},
		{fmt.Errorf("ent: wrapped: %w", &mysql.MySQLError{Number: 1213}), true},
		{&mysql.MySQLError{Number: 1062}, false},
		{&pgconn.PgError{Code: "40P01"}, true},
		{&pgconn.PgError{Code: "40001"}, true},
		{&pgconn.PgError{Code: "23505"}, false},
		{errors.New("database is locked"), false},
	}
	for _, tc := range tests {
		if got := retryable(tc.err); got != tc.want {
			t.Errorf("retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestWithTxRetriesDeadlocks makes the first attempt of a transaction fail
// like a deadlock victim, after writing a row, and checks that the rerun
// commits exactly one row.
func TestWithTxRetriesDeadlocks(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, SQLite, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	calls := 0
	err = s.withTx(ctx, func(tx *ent.Tx) error {
		calls++
		if err := tx.Setting.Create().SetKey("k").SetValue(fmt.Sprint(calls)).Exec(ctx); err != nil {
			return err
		}
		if calls == 1 {
			return fmt.Errorf("insert: %w", &mysql.MySQLError{Number: 1213, Message: "Deadlock found"})
		}
		return nil
	})
	if err != nil || calls != 2 {
		t.Fatalf("withTx = %v after %d calls, want success after 2", err, calls)
	}
	if v, err := s.GetSetting(ctx, "k"); err != nil || v != "2" {
		t.Fatalf("setting = %q, %v; want the second attempt's value", v, err)
	}

	// A non-retryable error is returned at once; a deadlock that keeps
	// happening gives up after txAttempts.
	calls = 0
	boom := errors.New("boom")
	if err := s.withTx(ctx, func(*ent.Tx) error { calls++; return boom }); err != boom || calls != 1 {
		t.Fatalf("plain error: %v after %d calls", err, calls)
	}
	calls = 0
	dl := &pgconn.PgError{Code: "40P01"}
	if err := s.withTx(ctx, func(*ent.Tx) error { calls++; return dl }); !errors.Is(err, dl) || calls != txAttempts {
		t.Fatalf("persistent deadlock: %v after %d calls", err, calls)
	}
}
