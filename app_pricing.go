package octopus

import (
	"context"
	"time"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"

	"github.com/octopuscaddy/octopus/pricing"
	"github.com/octopuscaddy/octopus/relay"
)

// pricingPool keeps the price table and the models.dev syncer across
// reloads (per database), so a reload neither loses synced prices nor
// fetches them again.
var pricingPool = caddy.NewUsagePool()

type pricingState struct {
	svc    *pricing.Service
	syncer *pricing.Syncer
}

func (p *pricingState) Destruct() error {
	if p.syncer != nil {
		p.syncer.Stop()
	}
	p.svc.Close()
	return nil
}

func (a *App) pricingKey() string { return "octopus.pricing\x00" + a.storeKey() }

// startPricing loads the user's prices, starts the models.dev sync and
// makes usage, spend and logs price every request.
func (a *App) startPricing(ctx context.Context) {
	v, _, _ := pricingPool.LoadOrNew(a.pricingKey(), func() (caddy.Destructor, error) {
		st := &pricingState{svc: pricing.NewService(pricing.Config{Store: a.store, URL: a.PriceSync.URL, Logger: a.logger.Named("pricing")})}
		if !a.PriceSync.Disabled {
			st.syncer = pricing.StartSyncer(st.svc, time.Duration(a.PriceSync.Interval), a.logger.Named("price_sync"))
		}
		return st, nil
	})
	a.pricingHeld = true
	svc := v.(*pricingState).svc
	if err := svc.Reload(ctx); err != nil {
		a.logger.Warn("loading prices from the store", zap.Error(err))
	}
	a.prices.Store(svc)
	a.usage.Counters().SetCost(svc.Cost)
	a.shared.spend.SetCost(svc.Cost)
}

// Prices returns the price service (nil before Start).
func (a *App) Prices() *pricing.Service {
	if a.prices == nil {
		return nil
	}
	return a.prices.Load()
}

// cost prices a record with the current prices; unpriced before Start.
func (a *App) cost(rec *relay.Record) (float64, bool) {
	if svc := a.Prices(); svc != nil {
		return svc.Cost(rec)
	}
	return 0, false
}
