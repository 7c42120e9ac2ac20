package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// The busiest writes, a respondent's draft and response, are committed in
// groups: SQLite allows one writer at a time, and under load a write spent
// longer waiting for the connection than writing. The batcher takes every
// write waiting when it begins a transaction, runs each under its own
// savepoint (so one that fails is undone alone), commits once, and only
// then tells each caller how its write went. Nothing is acknowledged
// before its commit.

// maxBatch bounds the writes in one transaction.
const maxBatch = 128

type batcher struct {
	db   *pool
	jobs chan *job
	wg   sync.WaitGroup
	once sync.Once
}

type job struct {
	ctx  context.Context
	fn   func(context.Context, *txn) error
	done chan error // buffered: the batcher never waits for the caller
}

func newBatcher(db *pool) *batcher {
	b := &batcher{db: db, jobs: make(chan *job, maxBatch)}
	b.wg.Add(1)
	go b.run()
	return b
}

// errClosed is a write after Close.
var errClosed = errors.New("sqlite: the store is closed")

// do runs fn in a transaction shared with other writes. fn gets a context
// that is not cancelled: stopping a statement part of the way through
// would roll back the whole group's transaction. A caller whose ctx ends
// while it waits gets ctx's error; its write may still be committed, as
// it may be when a reply is lost, so writes through here are safe to
// repeat (an upsert, an idempotent send).
func (b *batcher) do(ctx context.Context, fn func(context.Context, *txn) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	j := &job{ctx: ctx, fn: fn, done: make(chan error, 1)}
	defer func() {
		if recover() != nil { // sent on the closed channel: the store is closed
			err = errClosed
		}
	}()
	b.jobs <- j
	select {
	case err := <-j.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *batcher) run() {
	defer b.wg.Done()
	for first := range b.jobs {
		batch := []*job{first}
	gather:
		for len(batch) < maxBatch {
			select {
			case j, ok := <-b.jobs:
				if !ok {
					break gather
				}
				batch = append(batch, j)
			default:
				break gather
			}
		}
		b.commit(batch)
	}
}

// commit runs a group of writes in one transaction.
func (b *batcher) commit(batch []*job) {
	results := make([]error, len(batch))
	ctx := context.Background()
	tx, err := b.db.begin(ctx)
	if err == nil {
		for i, j := range batch {
			if err := j.ctx.Err(); err != nil {
				results[i] = err // given up on before it began
				continue
			}
			results[i] = savepoint(ctx, tx, j)
		}
		err = tx.end(ctx, false)
	}
	for i, j := range batch {
		if results[i] == nil {
			results[i] = err
		}
		j.done <- results[i]
	}
}

// savepoint runs one write, undoing it alone if it fails.
func savepoint(ctx context.Context, tx *txn, j *job) error {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT write`); err != nil {
		return err
	}
	if err := j.fn(context.WithoutCancel(j.ctx), tx); err != nil {
		if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO write`); rerr != nil {
			return fmt.Errorf("%w (and undoing it: %w)", err, rerr)
		}
		_, _ = tx.ExecContext(ctx, `RELEASE write`)
		return err
	}
	_, err := tx.ExecContext(ctx, `RELEASE write`)
	return err
}

// close finishes the writes queued and stops.
func (b *batcher) close() {
	b.once.Do(func() { close(b.jobs) })
	b.wg.Wait()
}
