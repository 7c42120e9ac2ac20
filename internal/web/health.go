package web

import (
	"errors"
	"log/slog"
	"sync/atomic"

	"iwtoolkit/internal/store"
)

// Health is what every audience's pages report about the store, for
// readiness: whether it has said its data is damaged.
type Health struct {
	log     *slog.Logger
	damaged atomic.Bool
}

// NewHealth returns a store's health, logged to log.
func NewHealth(log *slog.Logger) *Health { return &Health{log: log} }

// NoteDamage says whether err is the store reporting its data damaged
// (store.ErrDamaged: a broken page of the embedded store's file). The
// first such error turns readiness off for good (restarting checks the
// file and refuses it: docs/deployment.md) and is logged, in full and with
// what to do, once.
func (h *Health) NoteDamage(err error) bool {
	if !errors.Is(err, store.ErrDamaged) {
		return false
	}
	if h.damaged.CompareAndSwap(false, true) {
		h.log.Error("the store's data is damaged: this instance is not ready from now on; stop it, then restore the data from a backup or repair it (docs/deployment.md)", "error", err)
	}
	return true
}

// Damaged says whether the store has said its data is damaged.
func (h *Health) Damaged() bool { return h.damaged.Load() }
