package sqlite

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// The busiest writes, a respondent's draft, response and submission count,
// are committed in groups: SQLite allows one writer at a time, and under load a write spent
// longer waiting for the connection than writing. The batcher takes every
// write waiting when it begins a transaction, runs each under its own
// savepoint (so one that fails is undone alone; a write alone in its
// group needs none), commits once, and only
// then tells each caller how its write went. Nothing is acknowledged
// before its commit.

// maxBatch bounds the writes in one transaction.
const maxBatch = 128

type batcher struct {
	db    *pool
	cache *cache // the drafts' cache, changed as each group ends: cache.go
	jobs  chan *job
	wg    sync.WaitGroup
	// mu guards closing jobs against a send: do holds it to read, close
	// to write.
	mu     sync.RWMutex
	closed bool
}

type job struct {
	ctx context.Context
	// state is waiting until the batcher begins the job (running) or the
	// caller gives up on it (abandoned), whichever comes first.
	state atomic.Int32
	fn    func(context.Context, *txn) error
	draft *draftChange // what fn does to a draft, for the cache; or nil
	done  chan error   // buffered: the batcher never waits for the caller
}

func newBatcher(db *pool, c *cache) *batcher {
	b := &batcher{db: db, cache: c, jobs: make(chan *job, maxBatch)}
	b.wg.Add(1)
	go b.run()
	return b
}

// errClosed is a write after Close.
var errClosed = errors.New("sqlite: the store is closed")

const (
	waiting int32 = iota
	running
	abandoned
)

// do runs fn in a transaction shared with other writes. fn gets a context
// that is not cancelled: stopping a statement part of the way through
// would roll back the whole group's transaction. A caller whose ctx ends
// before its write begins gets ctx's error, and the write is never run;
// once the write has begun, do waits for its outcome whatever ctx does
// (the rest of one transaction, milliseconds), so that an error always
// means the write did not happen: a respondent is never told "not sent"
// of answers that were stored. draft, if not nil, is what fn does to a
// draft: the cache is changed to match before do returns.
func (b *batcher) do(ctx context.Context, draft *draftChange, fn func(context.Context, *txn) error) error {
	j := &job{ctx: ctx, fn: fn, draft: draft, done: make(chan error, 1)}
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return errClosed
	}
	select {
	case b.jobs <- j:
	case <-ctx.Done():
		b.mu.RUnlock()
		return ctx.Err()
	}
	b.mu.RUnlock()
	select {
	case err := <-j.done:
		return err
	case <-ctx.Done():
		if j.state.CompareAndSwap(waiting, abandoned) {
			return ctx.Err()
		}
		return <-j.done // begun: its outcome is a moment away
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

// commit runs a group of writes in one transaction. When the transaction
// itself fails part of the way (SQLite rolls it back whole on a full disk
// or an I/O error, and then a savepoint cannot be undone or released),
// none of the group's writes holds: each is told so with that error, and
// the rest are not run. The drafts' cache is changed to match before
// anyone is told (cache.go).
func (b *batcher) commit(batch []*job) {
	results := make([]error, len(batch))
	ctx := context.Background()
	tx, err := b.db.begin(ctx)
	alone := false // a write alone in its group failed
	if err == nil {
		// BEGIN IMMEDIATE has the write lock: no other write commits
		// until this group ends.
		since := b.cache.draftsSeen()
		for i, j := range batch {
			if !j.state.CompareAndSwap(waiting, running) {
				results[i] = context.Canceled // given up on before it began
				continue
			}
			if len(batch) == 1 {
				// Alone in its group, a write needs no savepoint: if it
				// fails, the transaction is rolled back whole. (Two
				// statements fewer, when writes come one at a time.)
				if results[i] = j.fn(context.WithoutCancel(j.ctx), tx); results[i] != nil {
					alone = true
				}
				break
			}
			broken, werr := savepoint(ctx, tx, j)
			if results[i] = werr; broken {
				err = werr
				break
			}
		}
		if alone {
			// The transaction holds nothing else, so rolling it back
			// undoes just that write, whose own error says why (SQLite
			// may have rolled back already, on a full disk say).
			tx.end(ctx, true)
		} else if err != nil {
			tx.end(ctx, true)
			clear(results) // every write gets the transaction's error
		} else {
			err = tx.end(ctx, false)
		}
		b.changeDrafts(since, batch, results, err == nil)
	}
	for i, j := range batch {
		if results[i] == nil {
			results[i] = err
		}
		j.done <- results[i]
	}
}

// changeDrafts tells the cache what the group did to drafts: a job's
// change if the group committed and the job succeeded, else to forget its
// key, as it is not sure what the database holds.
func (b *batcher) changeDrafts(since uint64, batch []*job, results []error, committed bool) {
	var changes []draftChange
	for i, j := range batch {
		if j.draft == nil {
			continue
		}
		ch := *j.draft
		if !committed || results[i] != nil {
			ch.draft = nil
		}
		changes = append(changes, ch)
	}
	if changes != nil {
		b.cache.groupDone(since, changes)
	}
}

// savepoint runs one write, undoing it alone if it fails. broken reports
// that the transaction cannot go on: a savepoint that could not be made,
// undone or released.
func savepoint(ctx context.Context, tx *txn, j *job) (broken bool, err error) {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT write`); err != nil {
		return true, err
	}
	if err := j.fn(context.WithoutCancel(j.ctx), tx); err != nil {
		if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO write`); rerr != nil {
			return true, err // the write's own error says why: a full disk, say
		}
		if _, rerr := tx.ExecContext(ctx, `RELEASE write`); rerr != nil {
			return true, err
		}
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `RELEASE write`); err != nil {
		return true, err
	}
	return false, nil
}

// close finishes the writes queued and stops; later writes get errClosed.
func (b *batcher) close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.jobs)
	}
	b.mu.Unlock()
	b.wg.Wait()
}
