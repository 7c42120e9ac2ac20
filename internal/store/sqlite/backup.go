package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// BackedUp is what Backup wrote.
type BackedUp struct {
	Path      string
	Bytes     int64
	Responses int
	Took      time.Duration
}

// Backup copies the database in dir to the file to, while the service may
// be running: VACUUM INTO reads the database in one read transaction, so
// the copy is consistent to one moment, and in WAL mode reading never
// holds up the service's writes. It does not take the data folder's lock,
// which keeps out a second writer: it only reads (VACUUM INTO writes to
// the new file only; query_only would refuse even that). Copying the
// file with cp while the service runs can give a broken copy: part of the
// database is in the WAL.
//
// The copy is written beside to first and renamed into place once it is
// whole and has passed quick_check, so a backup cut short never leaves a
// file by that name; an existing file is never overwritten.
func Backup(ctx context.Context, dir, to string) (BackedUp, error) {
	began := time.Now()
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); err != nil {
		return BackedUp{}, fmt.Errorf("sqlite: backup: no database to back up: %w", err)
	}
	if _, err := os.Stat(to); err == nil {
		return BackedUp{}, fmt.Errorf("sqlite: backup: %s exists already; give a new file", to)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return BackedUp{}, fmt.Errorf("sqlite: backup: %w", err)
	}
	src, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return BackedUp{}, fmt.Errorf("sqlite: backup: %w", err)
	}
	defer src.Close()
	partial := to + ".partial"
	removeFile(partial)
	if _, err := src.ExecContext(ctx, `VACUUM INTO ?`, partial); err != nil {
		removeFile(partial)
		if isDamage(err) {
			return BackedUp{}, damagedFile(path, []string{err.Error()})
		}
		return BackedUp{}, errorf("sqlite: backup to %s: %w", to, err)
	}
	res, err := verifyCopy(ctx, partial)
	if err != nil {
		removeFile(partial)
		return BackedUp{}, err
	}
	if err := os.Rename(partial, to); err != nil {
		removeFile(partial)
		return BackedUp{}, fmt.Errorf("sqlite: backup: %w", err)
	}
	res.Path, res.Took = to, time.Since(began)
	return res, nil
}

// verifyCopy checks a copy as Open would, and counts its responses.
func verifyCopy(ctx context.Context, path string) (BackedUp, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return BackedUp{}, fmt.Errorf("sqlite: backup: check the copy: %w", err)
	}
	defer db.Close()
	problems, err := checkFile(ctx, db)
	if err == nil && len(problems) > 0 {
		err = errors.New(strings.Join(problems, "; "))
	}
	if err != nil {
		return BackedUp{}, fmt.Errorf("sqlite: backup: the copy fails its check: %w", err)
	}
	var res BackedUp
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM responses`).Scan(&res.Responses); err != nil {
		return BackedUp{}, fmt.Errorf("sqlite: backup: check the copy: %w", err)
	}
	if fi, err := os.Stat(path); err == nil {
		res.Bytes = fi.Size()
	}
	return res, nil
}
