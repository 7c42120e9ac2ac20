package mongo

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Every write of the store goes through written, the one place that
// retries. It retries only failures that say the write was not applied,
// and that MongoDB retries itself inside the server:
//
//   - a write conflict (WriteConflict, 112): MongoDB retries these for a
//     write outside a transaction, so a client rarely sees one; the test
//     stand-in (FerretDB on PostgreSQL) reports PostgreSQL's "deadlock
//     detected" instead (standInDeadlock), after rolling the statement back;
//   - a duplicate key from an upsert whose filter is only equality on a
//     unique key (asUpsertByKey): two such upserts racing both try to
//     insert, and since 4.2 MongoDB retries the loser as an update. The
//     stand-in does not.
//
// It does not retry errors that leave it unknown whether the write was
// applied (a network error, a timeout, the RetryableWriteError label):
// the driver retries those once itself where the server supports it, with
// the same transaction number so that the server applies them at most
// once; a second attempt of our own could apply an $inc twice. Those fail
// the request (503) and the person tries again.
//
// Attempts are bounded (maxAttempts, about a quarter of a second of waits
// in all) and stop when the context is done.

const (
	writeConflict = 112
	// standInDeadlock is how FerretDB v2 reports PostgreSQL's "deadlock
	// detected" (SQLSTATE 40P01). MongoDB never returns it.
	standInDeadlock = 16908292
	maxAttempts     = 6
)

// retryKind says which failures of a write MongoDB itself would retry.
type retryKind int

const (
	asWrite       retryKind = iota // write conflicts
	asUpsertByKey                  // write conflicts and duplicate keys: an upsert whose filter is equality on a unique key
)

// written runs write, and again while it fails with an error MongoDB
// retries itself (see above), at most maxAttempts times in all.
func written[T any](ctx context.Context, kind retryKind, write func() (T, error)) (T, error) {
	for attempt := 1; ; attempt++ {
		v, err := write()
		if err == nil || attempt == maxAttempts || !retryable(err, kind) {
			return v, err
		}
		// 2, 4, 8, 16, 32 ms, each with up to as much again at random, so
		// that racing writers do not collide again in step.
		pause := time.Duration(1<<attempt) * time.Millisecond
		pause += rand.N(pause)
		select {
		case <-ctx.Done():
			return v, err
		case <-time.After(pause):
		}
	}
}

// retryable says whether err is a failure that leaves the write undone and
// that MongoDB retries itself (see the top of this file).
func retryable(err error, kind retryKind) bool {
	var se mongo.ServerError
	if !errors.As(err, &se) {
		return false
	}
	if se.HasErrorCode(writeConflict) || se.HasErrorCode(standInDeadlock) {
		return true
	}
	return kind == asUpsertByKey && isDuplicateKey(err)
}

// isDuplicateKey says whether err is a duplicate key error, by its code
// only: the stand-in's messages do not start with MongoDB's "E11000", and
// a message is no contract. (The driver's IsDuplicateKeyError also matches
// an old mongos error, 16460, by its text.)
func isDuplicateKey(err error) bool {
	var se mongo.ServerError
	if !errors.As(err, &se) {
		return false
	}
	return se.HasErrorCode(11000) || // DuplicateKey
		se.HasErrorCode(11001) || // duplicate key on update, before MongoDB 2.6
		se.HasErrorCode(12582) // duplicate key in a capped collection
}
