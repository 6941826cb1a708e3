package octopus

import (
	"context"
	"runtime/debug"
	"time"

	"go.uber.org/zap"

	"github.com/octopuscaddy/octopus/admin"
)

// syncModels refreshes the model lists of stored channels with auto sync
// every model_sync_interval, through each type's list endpoint.
func (a *App) syncModels(ctx context.Context) {
	defer func() {
		if r := recover(); r != nil {
			a.logger.Error("model sync panicked", zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))
		}
	}()
	t := time.NewTicker(time.Duration(a.ModelSyncInterval))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		a.syncModelsOnce(ctx)
	}
}

func (a *App) syncModelsOnce(ctx context.Context) {
	chs, err := a.store.ListChannels(ctx)
	if err != nil {
		a.logger.Warn("model sync: listing channels", zap.Error(err))
		return
	}
	for _, ch := range chs {
		if !ch.AutoSync || !ch.Enabled {
			continue
		}
		res, err := admin.SyncChannel(ctx, a, ch)
		switch {
		case err != nil:
			a.logger.Warn("model sync failed", zap.String("channel", ch.Name), zap.Error(err))
		case !res.OK:
			a.logger.Warn("model sync: upstream model list unavailable; models kept", zap.String("channel", ch.Name), zap.String("error", res.Error))
		case len(res.Added)+len(res.Removed) > 0:
			a.logger.Info("model sync", zap.String("channel", ch.Name), zap.Strings("added", res.Added), zap.Strings("removed", res.Removed))
		}
	}
}
