package balancer

import (
	"testing"
	"time"
)

func BenchmarkZZForClause(b *testing.B) {
	p := benchPlan(b, RoundRobin, 2, 1)
	p.pol.Threshold = 1 << 30
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		it := p.Attempts(now)
		for a, ok := it.Next(); ok; a, ok = it.Next() {
			a.Failure()
		}
	}
}

func BenchmarkZZPlainLoop(b *testing.B) {
	p := benchPlan(b, RoundRobin, 2, 1)
	p.pol.Threshold = 1 << 30
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		it := p.Attempts(now)
		for {
			a, ok := it.Next()
			if !ok {
				break
			}
			a.Failure()
		}
	}
}

func BenchmarkZZForNoLoop(b *testing.B) {
	p := benchPlan(b, RoundRobin, 2, 1)
	p.pol.Threshold = 1 << 30
	now := time.Now()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		it := p.Attempts(now)
		for a, ok := it.Next(); ok; a, ok = it.Next() {
			a.Failure()
		}
	}
}
