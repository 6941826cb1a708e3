package pricing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Sync fetches the models.dev prices and swaps them in. On any failure
// (network, status, size, parse) the last good prices stay in use and
// the error is returned and kept in Status.
func (s *Service) Sync(ctx context.Context) (SyncStatus, error) {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	dev, err := s.fetch(ctx)
	now := s.cfg.Now().UTC()
	if err != nil {
		s.syncFailed(err, now)
		return s.Status(), err
	}
	s.setDev(dev, now)
	return s.Status(), nil
}

// fetch downloads and parses the models.dev file.
func (s *Service) fetch(ctx context.Context) ([]Entry, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.cfg.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("pricing: models.dev request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("pricing: fetch models.dev: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// Drain a little so the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return nil, fmt.Errorf("pricing: fetch models.dev: status %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, s.cfg.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("pricing: read models.dev: %w", err)
	}
	if int64(len(data)) > s.cfg.MaxBytes {
		return nil, fmt.Errorf("pricing: models.dev answer is larger than %d bytes", s.cfg.MaxBytes)
	}
	return ParseModelsDev(data)
}

// Syncer runs Service.Sync now and then every interval until Stop.
type Syncer struct {
	svc      *Service
	interval time.Duration
	log      *zap.Logger

	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// StartSyncer starts syncing svc: once at once, then every interval
// (24h when not positive). log may be nil.
func StartSyncer(svc *Service, interval time.Duration, log *zap.Logger) *Syncer {
	if interval <= 0 {
		interval = 24 * time.Hour
	}
	if log == nil {
		log = zap.NewNop()
	}
	ctx, cancel := context.WithCancel(context.Background())
	y := &Syncer{svc: svc, interval: interval, log: log, cancel: cancel, done: make(chan struct{})}
	go y.run(ctx)
	return y
}

func (y *Syncer) run(ctx context.Context) {
	defer close(y.done)
	t := time.NewTicker(y.interval)
	defer t.Stop()
	for {
		st, err := y.svc.Sync(ctx)
		switch {
		case err == nil:
			y.log.Info("models.dev prices synced", zap.Int("models", st.Models))
		case errors.Is(err, context.Canceled):
			return
		default:
			// The last good prices stay; the next tick retries.
			y.log.Warn("models.dev price sync failed", zap.Error(err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Stop stops the syncer, cancelling a sync in progress, and waits for
// it to end. It is safe to call more than once.
func (y *Syncer) Stop() {
	y.once.Do(y.cancel)
	<-y.done
}
