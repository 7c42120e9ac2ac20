package sqlite

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
)

// The busiest writes, a respondent's draft, response and submission count,
// are committed in groups: SQLite allows one writer at a time, and under load a write spent
// longer waiting for the connection than writing. The batcher takes every
// write waiting when it begins a transaction, runs them one after
// another, commits once, and only then tells each caller how its write
// went; if one fails, the group runs again with each write under its own
// savepoint, so that the one that failed is undone alone (commit).
// Nothing is acknowledged before its commit.

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
		if len(b.jobs) == 0 {
			// Let the goroutines that can run (requests on their way
			// to a write, under load) run first, so that their writes
			// join this group rather than each making one of their own.
			// With nothing else to run, this returns at once.
			runtime.Gosched()
		}
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

// commit runs a group of writes in one transaction. The writes run one
// after another with nothing between them; if one fails, the transaction
// is rolled back and the group runs again in a new one, each write under
// its own savepoint, so that the one that failed is undone alone (a
// savepoint is two statements a write, as many as a transaction's begin
// and commit: groups of two cost no less than writes one at a time when
// every write has one, and failures are rare). When the transaction
// itself fails part of the way (SQLite rolls it back whole on a full disk
// or an I/O error, and then a savepoint cannot be undone or released),
// none of the group's writes holds: each is told so with that error, and
// the rest are not run. The drafts' cache is changed to match before
// anyone is told (cache.go).
func (b *batcher) commit(batch []*job) {
	results := make([]error, len(batch))
	ctx := context.Background()
	tx, err := b.db.begin(ctx)
	if err == nil {
		// BEGIN IMMEDIATE has the write lock: no other write commits
		// until this group ends.
		since := b.cache.draftsSeen()
		var live []int // the writes begun
		for i, j := range batch {
			if j.state.CompareAndSwap(waiting, running) {
				live = append(live, i)
			} else {
				results[i] = context.Canceled // given up on before it began
			}
		}
		err = group(ctx, tx, batch, live, results, len(live) > 1)
		if errors.Is(err, errOneFailed) {
			if tx, err = b.db.begin(ctx); err == nil {
				err = group(ctx, tx, batch, live, results, false)
			}
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

// errOneFailed is a group run together in which a write failed: it was
// rolled back, to run again with a savepoint a write.
var errOneFailed = errors.New("sqlite: a write of the group failed")

// group runs the writes live of batch in tx, each one's outcome in
// results, and ends tx: committed, unless the transaction failed (its
// error, every write's results cleared, as none holds). together runs the
// writes with nothing between them, and gives up at the first that fails
// (errOneFailed, tx rolled back, results cleared). Otherwise a write
// alone needs no savepoint: if it fails, the transaction, which holds
// nothing else, is rolled back, and its own error says why (SQLite may
// have rolled back already, on a full disk say); several each get one.
func group(ctx context.Context, tx *txn, batch []*job, live []int, results []error, together bool) error {
	switch {
	case together:
		for _, i := range live {
			j := batch[i]
			if err := j.fn(context.WithoutCancel(j.ctx), tx); err != nil {
				tx.end(ctx, true)
				for _, i := range live {
					results[i] = nil
				}
				return errOneFailed
			}
		}
	case len(live) == 1:
		j := batch[live[0]]
		if results[live[0]] = j.fn(context.WithoutCancel(j.ctx), tx); results[live[0]] != nil {
			tx.end(ctx, true)
			return nil
		}
	default:
		for _, i := range live {
			broken, err := savepoint(ctx, tx, batch[i])
			if results[i] = err; broken {
				tx.end(ctx, true)
				clear(results) // every write gets the transaction's error
				return err
			}
		}
	}
	return tx.end(ctx, false)
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
