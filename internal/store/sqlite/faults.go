package sqlite

import (
	"context"
	"errors"
	"fmt"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"iwtoolkit/internal/store"
)

// errorf is fmt.Errorf for the store's errors. When the cause is a fault of
// the disk or the database file rather than of the request (see fault),
// the error also matches store.ErrUnavailable; its message is unchanged,
// as SQLite's own words ("database or disk is full") say what happened.
//
// When the cause is damage to the database file (SQLite reports it
// corrupt, or a tally row's counts cannot be decoded), the error matches
// store.ErrDamaged as well.
func errorf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	if isDamage(err) {
		return damaged{err}
	}
	if _, ok := fault(err); ok || errors.Is(err, context.DeadlineExceeded) {
		// The disk or file failing, or the request's deadline passing
		// while it waited for the database.
		return unavailable{err}
	}
	return err
}

// unavailable is an error that also matches store.ErrUnavailable.
type unavailable struct{ error }

func (u unavailable) Unwrap() []error { return []error{u.error, store.ErrUnavailable} }

// damaged is an error that also matches store.ErrDamaged and
// store.ErrUnavailable.
type damaged struct{ error }

func (d damaged) Unwrap() []error { return []error{d.error, store.ErrDamaged, store.ErrUnavailable} }

// isDamage says whether err comes from a damaged database file.
func isDamage(err error) bool {
	if errors.Is(err, store.ErrDamaged) {
		return true
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}

// fault says whether err comes from SQLite failing to read or write its
// files, and what kind of failure it is, in words for a message. These are
// the failures that trying again later may cure (space freed, a disk
// remounted, another writer gone); a constraint or a bad query is not one.
func fault(err error) (kind string, ok bool) {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return "", false
	}
	switch se.Code() & 0xff { // the primary code, without the extended part
	case sqlite3.SQLITE_FULL:
		return "the disk is full", true
	case sqlite3.SQLITE_READONLY:
		return "the database is read-only", true
	case sqlite3.SQLITE_IOERR:
		return "a disk I/O error", true
	case sqlite3.SQLITE_CANTOPEN:
		return "the database file cannot be opened", true
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return "the database is busy", true
	}
	return "", false
}
