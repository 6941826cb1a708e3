package store

import (
	"context"
	"fmt"
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

// logChunk bounds the rows of one INSERT (27 columns × 100 rows).
const logChunk = 100

// InsertRequestLogs writes a batch of request logs in one transaction.
// Names longer than their column are cut rather than failing the batch.
func (s *Store) InsertRequestLogs(ctx context.Context, logs []RequestLog) error {
	if len(logs) == 0 {
		return nil
	}
	now := time.Now().UTC()
	return s.withTx(ctx, func(tx *ent.Tx) error {
		for start := 0; start < len(logs); start += logChunk {
			chunk := logs[start:min(start+logChunk, len(logs))]
			builders := make([]*ent.RequestLogCreate, len(chunk))
			for i := range chunk {
				l := &chunk[i]
				t := l.Time.UTC()
				if l.Time.IsZero() {
					t = now
				}
				builders[i] = tx.RequestLog.Create().
					SetTime(t).
					SetRequestID(clip(l.RequestID, 64)).
					SetAPIKey(clip(l.APIKey, schema.NameMaxLen)).
					SetGroup(clip(l.Group, schema.ModelMaxLen)).
					SetChannel(clip(l.Channel, schema.NameMaxLen)).
					SetUpstreamModel(clip(l.UpstreamModel, schema.ModelMaxLen)).
					SetInboundFormat(clip(l.InboundFormat, schema.ShortMaxLen)).
					SetOutboundFormat(clip(l.OutboundFormat, schema.ShortMaxLen)).
					SetStream(l.Stream).
					SetStatus(l.Status).
					SetAttempts(l.Attempts).
					SetError(l.Error).
					SetInputTokens(l.InputTokens).
					SetOutputTokens(l.OutputTokens).
					SetCacheReadTokens(l.CacheReadTokens).
					SetCacheWriteTokens(l.CacheWriteTokens).
					SetReasoningTokens(l.ReasoningTokens).
					SetCost(l.Cost).
					SetUnpriced(l.Unpriced).
					SetTtftMs(l.TTFTMS).
					SetDurationMs(l.DurationMS).
					SetNillableRequestBody(l.RequestBody).
					SetNillableResponseBody(l.ResponseBody).
					SetRequestBodyTruncated(l.RequestBodyTruncated).
					SetResponseBodyTruncated(l.ResponseBodyTruncated)
			}
			if err := tx.RequestLog.CreateBulk(builders...).Exec(ctx); err != nil {
				return fmt.Errorf("store: insert request logs: %w", err)
			}
		}
		return nil
	})
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
