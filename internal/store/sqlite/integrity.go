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

// A damaged database file (a disk that wrote garbage over a page, a copy
// taken while the service wrote) must not be served as if it were whole:
// it would accept responses while the reports fail, and nothing would say
// why. So Open checks the file with SQLite's quick_check (every page's
// structure, without the slower index cross-checks of integrity_check)
// and refuses a damaged one, saying what to do. Damage found later, while
// serving, comes back from the store as errors matching store.ErrDamaged
// (faults.go), which take the service out of readiness.
//
// Repair (run by `iwtoolkit recount`) rebuilds a damaged file from what
// can still be read: a new file with the schema, every table copied into
// it but the tallies, which are counted again from the responses. Indexes
// are built anew, so damage to an index or to the tallies is mended in
// full; damage to the pages of responses themselves can only be mended by
// a backup, and Repair says so.

// checkBudget bounds the start-up check. quick_check reads every page:
// on the 550 MB file of 250,000 responses it takes a few seconds
// (docs/performance.md). A check that runs out of time does not stop
// start-up; the service says so in its log.
const checkBudget = time.Minute

// checkFile runs quick_check on db: the problems it finds, at most 10.
func checkFile(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `PRAGMA quick_check(10)`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, err
		}
		if line != "ok" {
			problems = append(problems, strings.TrimPrefix(strings.ReplaceAll(line, "\n", " "), "*** in database main *** "))
		}
	}
	return problems, rows.Err()
}

// Checked says how the start-up check of the database file went: whether
// it finished within checkBudget, and how long it took.
func (s *Store) Checked() (finished bool, took time.Duration) { return s.checked, s.checkTook }

// check is Open's check of the file: an error matching store.ErrDamaged
// if it is damaged.
func (s *Store) check(ctx context.Context, path string) error {
	began := time.Now()
	checkCtx, cancel := context.WithTimeout(ctx, checkBudget)
	defer cancel()
	problems, err := checkFile(checkCtx, s.read.DB)
	s.checkTook = time.Since(began)
	switch {
	case err != nil && ctx.Err() == nil && checkCtx.Err() != nil:
		return nil // out of time: Checked says so
	case err != nil && !isDamage(err):
		return errorf("sqlite: check %s: %w", path, err)
	case err != nil:
		problems = []string{err.Error()}
	}
	s.checked = true
	if len(problems) == 0 {
		return nil
	}
	return damagedFile(path, problems)
}

func damagedFile(path string, problems []string) error {
	return damaged{fmt.Errorf("sqlite: the database file %s is damaged (quick_check: %s). "+
		"Do not serve from it: either restore it from a backup (docs/deployment.md, \"Backups and restore\"), "+
		"or run `iwtoolkit recount --all`, which rebuilds it from what it can still read, keeps the damaged file beside it, "+
		"and counts the report figures again from the responses", path, strings.Join(problems, "; "))}
}

// Repaired is what Repair did.
type Repaired struct {
	Problems []string       // what quick_check found; none: the file was whole and is untouched
	Kept     string         // where the damaged file now is
	Rows     map[string]int // rows copied into the new file, by table
}

// Repair checks the database in dir and, if it is damaged, rebuilds it:
// see the top of this file. It holds the data folder's lock, so it is
// refused while the service runs. The damaged file is kept beside the new
// one as iwtoolkit.db.damaged-TIME. Afterwards every response is
// untallied, and the next Tallies or Recount counts them.
func Repair(ctx context.Context, dir string) (Repaired, error) {
	c, unlock, err := lockDir(dir)
	if err != nil {
		return Repaired{}, err
	}
	defer unlock()
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return Repaired{}, nil
	}
	old, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return Repaired{}, fmt.Errorf("sqlite: repair: %w", err)
	}
	problems, err := checkFile(ctx, old)
	old.Close()
	if err != nil && !isDamage(err) {
		return Repaired{}, fmt.Errorf("sqlite: repair: check %s: %w", path, err)
	}
	if err != nil {
		problems = []string{err.Error()}
	}
	if len(problems) == 0 {
		return Repaired{}, nil
	}
	res := Repaired{Problems: problems, Kept: path + ".damaged-" + time.Now().UTC().Format("20060102T150405Z")}
	const fresh = FileName + ".rebuilt"
	removeFile(filepath.Join(dir, fresh))
	res.Rows, err = rebuildInto(ctx, dir, fresh, path, c)
	if err != nil {
		removeFile(filepath.Join(dir, fresh))
		return res, err
	}
	for _, suffix := range []string{"", "-wal", "-shm"} { // a WAL holds committed pages of the damaged file
		if err := os.Rename(path+suffix, res.Kept+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return res, fmt.Errorf("sqlite: repair: keep the damaged file: %w", err)
		}
	}
	if err := os.Rename(filepath.Join(dir, fresh), path); err != nil {
		return res, fmt.Errorf("sqlite: repair: put the rebuilt file in place (the damaged one is %s): %w", res.Kept, err)
	}
	c.forgetAll()
	return res, nil
}

// rebuildInto makes the file name in dir with the current schema and
// copies every table of the damaged file at path into it, but the tallies.
func rebuildInto(ctx context.Context, dir, name, path string, c *cache) (map[string]int, error) {
	s, err := open(ctx, dir, name, c)
	if err != nil {
		return nil, err
	}
	defer s.Close(ctx) // no unlock: Repair holds the lock
	if _, err := s.write.ExecContext(ctx, `ATTACH DATABASE ? AS damaged`, "file:"+path+"?mode=ro"); err != nil {
		return nil, fmt.Errorf("sqlite: repair: open %s: %w", path, err)
	}
	var have, want int
	if err := s.write.QueryRowContext(ctx, `SELECT (SELECT max(version) FROM damaged.schema_migrations), (SELECT max(version) FROM main.schema_migrations)`).Scan(&have, &want); err != nil {
		return nil, fmt.Errorf("sqlite: repair: the damaged file's schema version cannot be read (restore from a backup): %w", err)
	}
	if have > want {
		return nil, fmt.Errorf("sqlite: repair: the damaged file has schema version %d, newer than this iwtoolkit's %d: repair it with the release that wrote it", have, want)
	}
	tables, err := names(ctx, s.write, `SELECT name FROM main.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: repair: %w", err)
	}
	rows := map[string]int{}
	err = s.inTx(ctx, func(tx *txn) error {
		for _, t := range tables {
			switch t {
			case "schema_migrations", "tallies", "tally_plans": // written by the migrations, or counted again
				continue
			}
			cols, err := names(ctx, tx, `SELECT name FROM pragma_table_info(?, 'main')`, t)
			if err != nil {
				return err
			}
			list := `"` + strings.Join(cols, `", "`) + `"`
			r, err := tx.ExecContext(ctx, `INSERT INTO main."`+t+`" (`+list+`) SELECT `+list+` FROM damaged."`+t+`"`)
			if err != nil {
				return fmt.Errorf("table %s cannot be read in full (%w): the records themselves are damaged; restore the file from a backup", t, err)
			}
			n, _ := r.RowsAffected()
			rows[t] = int(n)
		}
		_, err := tx.ExecContext(ctx, `UPDATE responses SET tallied = 0`)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: repair: %w", err)
	}
	if _, err := s.write.ExecContext(ctx, `DETACH DATABASE damaged`); err != nil {
		return nil, fmt.Errorf("sqlite: repair: %w", err)
	}
	if problems, err := checkFile(ctx, s.read.DB); err != nil || len(problems) > 0 {
		return nil, fmt.Errorf("sqlite: repair: the rebuilt file fails its check: %v %v", problems, err)
	}
	return rows, nil
}

// names runs a query of one text column.
func names(ctx context.Context, p interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) ([]string, error) {
	rows, err := p.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// removeFile removes a database file and its WAL and shared memory.
func removeFile(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
}
