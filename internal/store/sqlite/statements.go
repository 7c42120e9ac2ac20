package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
)

// pool is a database handle that prepares each query once and reuses the
// statement: SQLite spends longer parsing a short query than running it,
// and the pages run the same few queries on every request.
type pool struct {
	*sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// maxStatements bounds the cache: queries are fixed strings, but report
// filters combine into a few hundred shapes at most.
const maxStatements = 512

func newPool(db *sql.DB) *pool { return &pool{DB: db, stmts: map[string]*sql.Stmt{}} }

// stmt is the prepared statement for a query, or nil to run it unprepared:
// a script of several statements (a migration: preparing keeps only the
// first), or a query past the cache's bound.
func (p *pool) stmt(ctx context.Context, query string) *sql.Stmt {
	if strings.Contains(query, ";") {
		return nil
	}
	p.mu.Lock()
	st, ok := p.stmts[query]
	full := len(p.stmts) >= maxStatements
	p.mu.Unlock()
	if ok || full {
		return st
	}
	// Not under the lock: preparing waits for a connection, and a
	// transaction holding one may be looking up its statements.
	st, err := p.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil // running it unprepared reports the error
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if first, ok := p.stmts[query]; ok { // prepared meanwhile
		st.Close()
		return first
	}
	p.stmts[query] = st
	return st
}

func (p *pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

func (p *pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

func (p *pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.DB.ExecContext(ctx, query, args...)
}

// Close closes the statements, then the database.
func (p *pool) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	for _, st := range p.stmts {
		errs = append(errs, st.Close())
	}
	clear(p.stmts)
	return errors.Join(append(errs, p.DB.Close())...)
}

// cached is a query's statement if it is prepared already.
func (p *pool) cached(query string) *sql.Stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stmts[query]
}

// txn is a transaction on the write pool that runs the pool's prepared
// statements. It cannot prepare one itself: the pool's one connection is
// the transaction's, so preparing would wait for it forever. It notes the
// queries it ran unprepared, and end prepares them once the connection
// is free.
type txn struct {
	*sql.Tx
	p      *pool
	missed []string
}

// begin starts a transaction.
func (p *pool) begin(ctx context.Context) (*txn, error) {
	tx, err := p.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &txn{Tx: tx, p: p}, nil
}

// lookup is a query's prepared statement, or nil, noting the miss.
func (t *txn) lookup(query string) *sql.Stmt {
	st := t.p.cached(query)
	if st == nil && !strings.Contains(query, ";") {
		t.missed = append(t.missed, query)
	}
	return st
}

// end commits the transaction (or rolls it back after fn's error) and
// then prepares the queries it ran unprepared, for the next one.
func (t *txn) end(ctx context.Context, failed bool) error {
	var err error
	if failed {
		err = t.Rollback()
	} else {
		err = t.Commit()
	}
	for _, q := range t.missed {
		t.p.stmt(ctx, q)
	}
	return err
}

func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.lookup(query); st != nil {
		return t.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.lookup(query); st != nil {
		return t.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.lookup(query); st != nil {
		return t.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}
