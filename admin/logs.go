package admin

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/octopuscaddy/octopus/ent"
	"github.com/octopuscaddy/octopus/ent/predicate"
	"github.com/octopuscaddy/octopus/ent/requestlog"
	"github.com/octopuscaddy/octopus/internal/sse"
	"github.com/octopuscaddy/octopus/store"
)

// Limits of GET /logs.
const (
	defaultLogLimit = 50
	maxLogLimit     = 500
)

// logHeartbeat is how often the log stream sends a comment so proxies
// and browsers keep an idle connection open. A var for the tests.
var logHeartbeat = 15 * time.Second

// listColumns are the columns the list reads: every one but the bodies,
// which can be large and are shown only by GET /logs/{id}.
var listColumns = slices.DeleteFunc(slices.Clone(requestlog.Columns), func(c string) bool {
	return c == requestlog.FieldID || c == requestlog.FieldRequestBody || c == requestlog.FieldResponseBody
})

// logPage is the answer of GET /logs.
type logPage struct {
	Logs []*store.RequestLog `json:"logs"`
	// NextCursor fetches the next (older) page; empty on the last page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// listLogs serves GET /logs: newest first, filtered, paged by cursor.
func (h *Handler) listLogs(c *call) error {
	st, err := h.store()
	if err != nil {
		return err
	}
	preds, limit, err := logFilters(c.r.URL.Query())
	if err != nil {
		return err
	}
	rows, err := st.Client().RequestLog.Query().
		Where(preds...).
		Order(requestlog.ByTime(sql.OrderDesc()), requestlog.ByID(sql.OrderDesc())).
		Limit(limit + 1).
		Select(listColumns...).
		All(c.r.Context())
	if err != nil {
		return err
	}
	page := logPage{Logs: make([]*store.RequestLog, 0, min(len(rows), limit))}
	for i, r := range rows {
		if i == limit {
			last := rows[limit-1]
			page.NextCursor = encodeCursor(last.Time, last.ID)
			break
		}
		page.Logs = append(page.Logs, store.RequestLogFromEnt(r))
	}
	return c.ok(page)
}

// getLog serves GET /logs/{id}, bodies included.
func (h *Handler) getLog(c *call) error {
	st, err := h.store()
	if err != nil {
		return err
	}
	id, err := strconv.Atoi(c.param)
	if err != nil || id <= 0 {
		return notFound("no request log " + quote(c.param))
	}
	r, err := st.Client().RequestLog.Get(c.r.Context(), id)
	if ent.IsNotFound(err) {
		return notFound("no request log " + quote(c.param))
	}
	if err != nil {
		return err
	}
	return c.ok(store.RequestLogFromEnt(r))
}

// logFilters reads the query of GET /logs.
func logFilters(q map[string][]string) ([]predicate.RequestLog, int, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	var preds []predicate.RequestLog
	for _, f := range []struct {
		name string
		pred func(string) predicate.RequestLog
	}{
		{"api_key", requestlog.APIKey},
		{"group", requestlog.Group},
		{"channel", requestlog.Channel},
	} {
		if v := get(f.name); v != "" {
			preds = append(preds, f.pred(v))
		}
	}
	for _, f := range []struct {
		name string
		pred func(time.Time) predicate.RequestLog
	}{
		{"from", requestlog.TimeGTE},
		{"to", requestlog.TimeLT},
	} {
		if v := get(f.name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return nil, 0, badField(f.name, "must be an RFC 3339 time such as 2026-05-01T12:00:00Z")
			}
			preds = append(preds, f.pred(t.UTC()))
		}
	}
	if v := get("status"); v != "" {
		p, err := statusFilter(v)
		if err != nil {
			return nil, 0, err
		}
		preds = append(preds, p)
	}
	if v := get("cursor"); v != "" {
		t, id, ok := decodeCursor(v)
		if !ok {
			return nil, 0, badField("cursor", "is not a cursor from next_cursor")
		}
		// Strictly after the last row of the previous page in the
		// (time, id) descending order, so pages never overlap.
		preds = append(preds, requestlog.Or(
			requestlog.TimeLT(t),
			requestlog.And(requestlog.TimeEQ(t), requestlog.IDLT(id)),
		))
	}
	limit := defaultLogLimit
	if v := get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return nil, 0, badField("limit", "must be a positive whole number")
		}
		limit = min(n, maxLogLimit)
	}
	return preds, limit, nil
}

// statusFilter reads an exact status ("429") or a class ("5xx").
func statusFilter(v string) (predicate.RequestLog, error) {
	if len(v) == 3 && v[1:] == "xx" || len(v) == 3 && v[1:] == "XX" {
		if v[0] >= '1' && v[0] <= '5' {
			lo := int(v[0]-'0') * 100
			return requestlog.And(requestlog.StatusGTE(lo), requestlog.StatusLT(lo+100)), nil
		}
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 999 {
		return nil, badField("status", "must be a status such as 429 or a class such as 5xx")
	}
	return requestlog.Status(n), nil
}

// The cursor is opaque to clients; it is the (time, id) of the last row
// shown, so inserts between pages neither repeat nor skip rows.
func encodeCursor(t time.Time, id int) string {
	s := strconv.FormatInt(t.UTC().UnixNano(), 10) + "." + strconv.Itoa(id)
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func decodeCursor(c string) (time.Time, int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, 0, false
	}
	ns, idStr, ok := strings.Cut(string(b), ".")
	if !ok {
		return time.Time{}, 0, false
	}
	n, err1 := strconv.ParseInt(ns, 10, 64)
	id, err2 := strconv.Atoi(idStr)
	if err1 != nil || err2 != nil || id <= 0 {
		return time.Time{}, 0, false
	}
	return time.Unix(0, n).UTC(), id, true
}

// streamLogs serves GET /logs/stream: Server-Sent Events, one "log" event
// per row written from now on, and a comment every logHeartbeat. It ends
// when the client leaves or the writer stops.
func (h *Handler) streamLogs(c *call) error {
	w := h.b.RequestLogs()
	if w == nil {
		return &apiError{Status: http.StatusServiceUnavailable, Message: "request logging is not running"}
	}
	rows, cancel := w.Subscribe()
	defer cancel()
	return serveLogStream(c, rows)
}

func serveLogStream(c *call, rows <-chan store.RequestLog) error {
	rc := http.NewResponseController(c.w)
	// The stream is long-lived by design; a server write timeout would
	// cut it. Not every writer supports deadlines, which is fine.
	_ = rc.SetWriteDeadline(time.Time{})
	hd := c.w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("X-Accel-Buffering", "no")
	c.w.WriteHeader(http.StatusOK)
	buf := []byte(": connected\n\n")
	if _, err := c.w.Write(buf); err != nil {
		return nil
	}
	if err := rc.Flush(); err != nil {
		return nil
	}
	beat := time.NewTicker(logHeartbeat)
	defer beat.Stop()
	for {
		buf = buf[:0]
		select {
		case <-c.r.Context().Done():
			return nil
		case row, ok := <-rows:
			if !ok {
				return nil
			}
			// Like the list, the stream leaves the bodies to GET
			// /logs/{id} (the truncation flags stay).
			row.RequestBody, row.ResponseBody = nil, nil
			data, err := json.Marshal(&row)
			if err != nil {
				continue
			}
			buf = sse.AppendEvent(buf, "log", data)
		case <-beat.C:
			buf = append(buf, ": ping\n\n"...)
		}
		// Once the answer started, errors can only end it: the client
		// is gone, so there is nothing to report.
		if _, err := c.w.Write(buf); err != nil {
			return nil
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
}

// SettingsLocker is implemented by a Backend whose config file decides
// some settings (log_bodies, log_body_max_bytes when the Caddyfile sets
// log_bodies). The settings routes show their effective values and refuse
// to change them with 409.
type SettingsLocker interface {
	// LockedSettings returns the settings the config file decides, with
	// their effective values.
	LockedSettings() map[string]string
}

// lockedSettings returns the Backend's locked settings, nil when none.
func (h *Handler) lockedSettings() map[string]string {
	if l, ok := h.b.(SettingsLocker); ok {
		return l.LockedSettings()
	}
	return nil
}

// checkUnlocked refuses a change of a setting the config file decides.
func (h *Handler) checkUnlocked(keys ...string) error {
	locked := h.lockedSettings()
	for _, k := range keys {
		if _, ok := locked[k]; ok {
			return &apiError{Status: http.StatusConflict, Field: k,
				Message: "setting " + quote(k) + " is set in the Caddyfile (log_bodies) and is read-only here; edit the Caddyfile"}
		}
	}
	return nil
}
