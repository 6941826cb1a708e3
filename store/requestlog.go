package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/octopuscaddy/octopus/ent"
	"github.com/octopuscaddy/octopus/ent/requestlog"
	"github.com/octopuscaddy/octopus/ent/schema"
)

// Attempt is one upstream try of a relayed request.
type Attempt = schema.Attempt

// RequestLog is one relayed request. As input to InsertRequestLogs, ID is
// ignored and a zero Time means now.
type RequestLog struct {
	ID             int       `json:"id"`
	Time           time.Time `json:"time"`
	RequestID      string    `json:"request_id,omitempty"`
	APIKey         string    `json:"api_key"`
	Group          string    `json:"group"`
	Channel        string    `json:"channel"`
	UpstreamModel  string    `json:"upstream_model"`
	InboundFormat  string    `json:"inbound_format"`
	OutboundFormat string    `json:"outbound_format"`
	Stream         bool      `json:"stream"`
	// Status is the HTTP status sent to the client.
	Status           int       `json:"status"`
	Attempts         []Attempt `json:"attempts,omitempty"`
	Error            string    `json:"error,omitempty"`
	InputTokens      int64     `json:"input_tokens"`
	OutputTokens     int64     `json:"output_tokens"`
	CacheReadTokens  int64     `json:"cache_read_tokens"`
	CacheWriteTokens int64     `json:"cache_write_tokens"`
	ReasoningTokens  int64     `json:"reasoning_tokens"`
	Cost             float64   `json:"cost"`
	// Unpriced is true when no price was known, so Cost 0 means unknown.
	Unpriced   bool  `json:"unpriced"`
	TTFTMS     int64 `json:"ttft_ms"`
	DurationMS int64 `json:"duration_ms"`
	// RequestBody and ResponseBody are recorded only when body logging
	// is on (setting log_bodies), each cut to log_body_max_bytes; the
	// *Truncated flags mark a cut body.
	RequestBody           *string `json:"request_body,omitempty"`
	ResponseBody          *string `json:"response_body,omitempty"`
	RequestBodyTruncated  bool    `json:"request_body_truncated,omitempty"`
	ResponseBodyTruncated bool    `json:"response_body_truncated,omitempty"`
}

// logStmtRows are the row counts of the prepared multi-row INSERTs a batch
// is split into, largest first (64 rows × 25 columns stays far below every
// database's parameter limit).
var logStmtRows = [...]int{64, 8, 1}

// logColumns are the columns InsertRequestLogs writes: all but the id.
var logColumns = requestlog.Columns[1:]

// InsertRequestLogs writes a batch of request logs in one transaction.
// Names longer than their column are cut rather than failing the batch.
//
// It is the one write on the request path's side (every relayed request
// ends as a row), so it bypasses ent's builders: prepared multi-row
// INSERTs without RETURNING, reused for every batch, cost a fraction of
// what building, parsing and planning a fresh statement per batch did
// (BenchmarkInsertRequestLogs). Rows read back through ent as ever: the
// values are those ent writes (times in UTC, attempts as JSON).
func (s *Store) InsertRequestLogs(ctx context.Context, logs []RequestLog) error {
	if len(logs) == 0 {
		return nil
	}
	now := time.Now().UTC()
	if s.driver == SQLite {
		return s.insertRequestLogsSQLite(ctx, logs, now)
	}
	return s.withSQLTx(ctx, func(tx *sql.Tx) error {
		return logChunks(logs, now, func(k int, args []any) error {
			stmt, err := s.logInsertStmt(ctx, logStmtRows[k])
			if err != nil {
				return err
			}
			if _, err := tx.StmtContext(ctx, stmt).ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("store: insert request logs: %w", err)
			}
			return nil
		})
	})
}

// logChunks splits logs into runs of the prepared INSERTs' row counts,
// largest first, and calls exec with each run's statement (an index into
// logStmtRows) and its values, in one slice reused from call to call.
func logChunks(logs []RequestLog, now time.Time, exec func(k int, args []any) error) error {
	args := make([]any, 0, min(len(logs), logStmtRows[0])*len(logColumns))
	for rest := logs; len(rest) > 0; {
		k := len(logStmtRows) - 1
		for i, n := range logStmtRows {
			if len(rest) >= n {
				k = i
				break
			}
		}
		n := logStmtRows[k]
		args = args[:0]
		var err error
		for i := range rest[:n] {
			if args, err = appendLogArgs(args, &rest[i], now); err != nil {
				return err
			}
		}
		if err := exec(k, args); err != nil {
			return err
		}
		rest = rest[n:]
	}
	return nil
}

// insertRequestLogsSQLite is InsertRequestLogs on SQLite, which runs it
// through the driver's own connection (database/sql's Conn.Raw) instead of
// database/sql's statement API: that API copies every argument into a new
// []driver.NamedValue on each Exec, about 1 KB of garbage per row (25
// columns), which was over half of what the request log allocated and,
// with a burst of streams ending together, showed in the gateway's peak
// memory. Here the values go into one reused slice, on a connection kept
// for the request log with its statements prepared once (SQLite writes
// one transaction at a time anyway). An in-memory database has a single
// connection, which is then taken and given back per batch.
func (s *Store) insertRequestLogsSQLite(ctx context.Context, logs []RequestLog, now time.Time) error {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	lc := s.logConn
	if lc == nil {
		conn, err := s.db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("store: begin transaction: %w", err)
		}
		lc = &logConn{conn: conn}
	}
	err := lc.conn.Raw(func(dc any) error { return lc.insert(ctx, dc, logs, now) })
	if !s.keepLogConn || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) {
		lc.close()
		lc = nil
	}
	s.logConn = lc
	return err
}

// logConn is the connection SQLite's request log is written on, with its
// prepared INSERTs (by index into logStmtRows) and argument slice.
type logConn struct {
	conn  *sql.Conn
	stmts [len(logStmtRows)]driver.StmtExecContext
	nv    []driver.NamedValue
}

// insert writes logs in one transaction on dc, lc.conn's driver connection.
func (lc *logConn) insert(ctx context.Context, dc any, logs []RequestLog, now time.Time) error {
	begin, okb := dc.(driver.ConnBeginTx)
	prep, okp := dc.(driver.ConnPrepareContext)
	if !okb || !okp {
		return fmt.Errorf("store: the SQLite driver's connection (%T) cannot begin or prepare", dc)
	}
	return runTx(func() (driver.Tx, error) { return begin.BeginTx(ctx, driver.TxOptions{}) }, func(driver.Tx) error {
		return logChunks(logs, now, func(k int, args []any) error {
			if lc.stmts[k] == nil {
				st, err := prep.PrepareContext(ctx, logInsertSQL(SQLite, logStmtRows[k]))
				if err != nil {
					return fmt.Errorf("store: prepare request log insert: %w", err)
				}
				sx, ok := st.(driver.StmtExecContext)
				if !ok {
					_ = st.Close()
					return fmt.Errorf("store: the SQLite driver's statement (%T) cannot execute with a context", st)
				}
				lc.stmts[k] = sx
			}
			lc.nv = lc.nv[:0]
			for i, v := range args {
				lc.nv = append(lc.nv, driver.NamedValue{Ordinal: i + 1, Value: v})
			}
			if _, err := lc.stmts[k].ExecContext(ctx, lc.nv); err != nil {
				return fmt.Errorf("store: insert request logs: %w", err)
			}
			return nil
		})
	})
}

// close closes lc's statements and gives its connection back to the pool.
func (lc *logConn) close() {
	_ = lc.conn.Raw(func(any) error {
		for i, st := range lc.stmts {
			if st != nil {
				_ = st.(driver.Stmt).Close()
				lc.stmts[i] = nil
			}
		}
		return nil
	})
	_ = lc.conn.Close()
}

// appendLogArgs appends the values of l's columns in logColumns order, as
// driver.Value types (what a driver takes without conversion).
func appendLogArgs(args []any, l *RequestLog, now time.Time) ([]any, error) {
	t := l.Time.UTC()
	if l.Time.IsZero() {
		t = now
	}
	attempts, err := json.Marshal(l.Attempts)
	if err != nil {
		return args, fmt.Errorf("store: encode attempts: %w", err)
	}
	var reqBody, respBody any
	if l.RequestBody != nil {
		reqBody = *l.RequestBody
	}
	if l.ResponseBody != nil {
		respBody = *l.ResponseBody
	}
	return append(args,
		t,
		clip(l.RequestID, 64),
		clip(l.APIKey, schema.NameMaxLen),
		clip(l.Group, schema.ModelMaxLen),
		clip(l.Channel, schema.NameMaxLen),
		clip(l.UpstreamModel, schema.ModelMaxLen),
		clip(l.InboundFormat, schema.ShortMaxLen),
		clip(l.OutboundFormat, schema.ShortMaxLen),
		l.Stream,
		int64(l.Status),
		attempts,
		l.Error,
		l.InputTokens,
		l.OutputTokens,
		l.CacheReadTokens,
		l.CacheWriteTokens,
		l.ReasoningTokens,
		l.Cost,
		l.Unpriced,
		l.TTFTMS,
		l.DurationMS,
		reqBody,
		respBody,
		l.RequestBodyTruncated,
		l.ResponseBodyTruncated,
	), nil
}

// logInsertStmt returns the prepared INSERT of rows rows, preparing it on
// first use. database/sql re-prepares it on each pooled connection as
// needed; Close closes it.
func (s *Store) logInsertStmt(ctx context.Context, rows int) (*sql.Stmt, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if st, ok := s.logStmts[rows]; ok {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, logInsertSQL(s.driver, rows))
	if err != nil {
		return nil, fmt.Errorf("store: prepare request log insert: %w", err)
	}
	if s.logStmts == nil {
		s.logStmts = map[int]*sql.Stmt{}
	}
	s.logStmts[rows] = st
	return st, nil
}

// logInsertSQL is the INSERT of rows request log rows in driver's dialect.
func logInsertSQL(driver string, rows int) string {
	quote := func(c string) string { return `"` + c + `"` }
	if driver == "mysql" {
		quote = func(c string) string { return "`" + c + "`" }
	}
	var b strings.Builder
	if driver == SQLite {
		// OR ROLLBACK: a failing row fails the whole batch anyway, and
		// without the default ABORT SQLite need not keep a statement
		// journal (copies of every page a multi-row INSERT touches,
		// spilled to a temporary file past 64 KiB) to undo one
		// statement; that journal cost about a tenth of the insert
		// (BenchmarkInsertRequestLogs).
		b.WriteString("INSERT OR ROLLBACK INTO ")
	} else {
		b.WriteString("INSERT INTO ")
	}
	b.WriteString(quote(requestlog.Table))
	b.WriteString(" (")
	for i, c := range logColumns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(c))
	}
	b.WriteString(") VALUES ")
	n := 0
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for i := range logColumns {
			if i > 0 {
				b.WriteString(", ")
			}
			n++
			if driver == "postgres" {
				b.WriteString("$" + strconv.Itoa(n))
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}

// PruneRequestLogs deletes logs older than before and returns how many.
func (s *Store) PruneRequestLogs(ctx context.Context, before time.Time) (int, error) {
	n, err := s.client.RequestLog.Delete().Where(requestlog.TimeLT(before.UTC())).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: prune request logs: %w", err)
	}
	return n, nil
}

// RequestLogFromEnt converts a row read through Client, for the code that
// queries logs with its own filters.
func RequestLogFromEnt(r *ent.RequestLog) *RequestLog {
	return &RequestLog{
		ID: r.ID, Time: r.Time.UTC(), RequestID: r.RequestID,
		APIKey: r.APIKey, Group: r.Group, Channel: r.Channel, UpstreamModel: r.UpstreamModel,
		InboundFormat: r.InboundFormat, OutboundFormat: r.OutboundFormat,
		Stream: r.Stream, Status: r.Status, Attempts: r.Attempts, Error: r.Error,
		InputTokens: r.InputTokens, OutputTokens: r.OutputTokens,
		CacheReadTokens: r.CacheReadTokens, CacheWriteTokens: r.CacheWriteTokens, ReasoningTokens: r.ReasoningTokens,
		Cost: r.Cost, Unpriced: r.Unpriced, TTFTMS: r.TtftMs, DurationMS: r.DurationMs,
		RequestBody: r.RequestBody, ResponseBody: r.ResponseBody,
		RequestBodyTruncated: r.RequestBodyTruncated, ResponseBodyTruncated: r.ResponseBodyTruncated,
	}
}
