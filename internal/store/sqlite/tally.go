package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"maps"
	"slices"
	"strings"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// Tallies are kept in the table tallies, one row per (survey, round,
// breakdown cell) with its number of responses and its counts per answer
// key and value, packed (encodeCounts). Submit updates them in the
// transaction that inserts the response, so they are exact after any stop:
// either both are on disk or neither is. Responses stored with no plan, or
// under another plan, keep tallied = 0 and are counted by the next Tallies
// or Recount, in one transaction with marking them tallied.

// cellColumns are the tallies columns of survey.Breakdowns, in order.
var cellColumns = [6]string{"sector", "organisation", "audience", "workforce", "age_band", "locality"}

// PlanTallies sets what Submit counts for each survey.
func (s *Store) PlanTallies(plans ...store.TallyPlan) { s.tally.Set(plans...) }

func (s *Store) plan(surveyID string) (store.TallyPlan, bool) { return s.tally.Get(surveyID) }

const upsertTally = `
INSERT INTO tallies (survey_id, round, sector, organisation, audience, workforce, age_band, locality, responses, counts)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT DO UPDATE SET responses = excluded.responses, counts = excluded.counts`

// tallyNew counts a response just inserted with row id, inside Submit's
// transaction, if the survey has a plan.
func (s *Store) tallyNew(ctx context.Context, tx *txn, id int64, r survey.Response) error {
	p, ok := s.plan(r.SurveyID)
	if !ok {
		return nil
	}
	var kept string
	err := tx.QueryRowContext(ctx, `SELECT fingerprint FROM tally_plans WHERE survey_id = ?`, r.SurveyID).Scan(&kept)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	if kept != p.Fingerprint() {
		// The first response under this plan: (re)build the survey's
		// tallies, this response included, in this transaction.
		return catchUp(ctx, tx, p)
	}
	c := store.NewCounts()
	c.AddResponse(p, r)
	if err := addCounts(ctx, tx, p.SurveyID, r.Round, p.CellOf(r), c); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE responses SET tallied = 1 WHERE id = ?`, id)
	return err
}

// addCounts adds c to a cell's row: read, add, write, inside the caller's
// write transaction, so no other writer comes between.
func addCounts(ctx context.Context, tx *txn, surveyID, round string, cell store.Cell, c *store.Counts) error {
	key := []any{surveyID, round, cell[0], cell[1], cell[2], cell[3], cell[4], cell[5]}
	var responses int
	var blob []byte
	err := tx.QueryRowContext(ctx, `SELECT responses, counts FROM tallies WHERE survey_id = ? AND round = ?
AND sector = ? AND organisation = ? AND audience = ? AND workforce = ? AND age_band = ? AND locality = ?`, key...).Scan(&responses, &blob)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	sum := store.NewCounts()
	if err := decodeCounts(blob, sum); err != nil {
		return err
	}
	sum.Responses = responses + c.Responses
	for k, m := range c.Answers {
		for v, n := range m {
			sum.Add(k, v, n)
		}
	}
	_, err = tx.ExecContext(ctx, upsertTally, append(key, sum.Responses, encodeCounts(sum))...)
	return err
}

// encodeCounts packs a cell's counts: the number of keys, then per key
// (sorted) its name, number of values, and per value its text and count,
// lengths and numbers as unsigned varints. A row per cell with its counts
// packed lets a report read a few hundred rows, not hundreds of thousands.
func encodeCounts(c *store.Counts) []byte {
	var b []byte
	str := func(s string) { b = binary.AppendUvarint(b, uint64(len(s))); b = append(b, s...) }
	keys := slices.Sorted(maps.Keys(c.Answers))
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		str(k)
		values := slices.Sorted(maps.Keys(c.Answers[k]))
		b = binary.AppendUvarint(b, uint64(len(values)))
		for _, v := range values {
			str(v)
			b = binary.AppendUvarint(b, uint64(c.Answers[k][v]))
		}
	}
	return b
}

// errBadCounts: a tally row's counts cannot be decoded. The file is
// damaged where SQLite itself cannot see it (inside a value).
var errBadCounts error = damaged{errors.New("sqlite: tallies: counts are corrupt")}

// decodeCounts adds packed counts to sum.
func decodeCounts(b []byte, sum *store.Counts) error {
	var acc accumulator
	if err := acc.add(b); err != nil {
		return err
	}
	acc.into(sum)
	return nil
}

// accumulator sums packed counts without allocating for keys and values it
// has seen: a report adds up hundreds of cells of hundreds of counts each,
// and a map assignment keyed by string(bytes) allocates every time.
type accumulator struct {
	keys map[string]*valueCounts
}

// valueCounts are one key's counts, with an index from value to position
// (looked up, never assigned, for a value seen before).
type valueCounts struct {
	index  map[string]int
	values []string
	counts []int
}

func (a *accumulator) add(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	if a.keys == nil {
		a.keys = map[string]*valueCounts{}
	}
	num := func() (int, bool) {
		x, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return int(x), true
	}
	str := func() ([]byte, bool) {
		l, ok := num()
		if !ok || l > len(b) {
			return nil, false
		}
		s := b[:l]
		b = b[l:]
		return s, true
	}
	keys, ok := num()
	if !ok {
		return errBadCounts
	}
	for range keys {
		k, ok := str()
		if !ok {
			return errBadCounts
		}
		vc := a.keys[string(k)]
		if vc == nil {
			vc = &valueCounts{index: map[string]int{}}
			a.keys[string(k)] = vc
		}
		values, ok := num()
		if !ok {
			return errBadCounts
		}
		for range values {
			v, ok1 := str()
			n, ok2 := num()
			if !ok1 || !ok2 {
				return errBadCounts
			}
			if i, ok := vc.index[string(v)]; ok {
				vc.counts[i] += n
				continue
			}
			vc.index[string(v)] = len(vc.values)
			vc.values = append(vc.values, string(v))
			vc.counts = append(vc.counts, n)
		}
	}
	return nil
}

func (a *accumulator) into(sum *store.Counts) {
	for k, vc := range a.keys {
		for i, v := range vc.values {
			sum.Add(k, v, vc.counts[i])
		}
	}
}

// needsCatchUp says, from the read pool, whether tallies are kept to
// another plan or some responses are untallied.
func (s *Store) needsCatchUp(ctx context.Context, p store.TallyPlan) (bool, error) {
	var kept string
	err := s.read.QueryRowContext(ctx, `SELECT fingerprint FROM tally_plans WHERE survey_id = ?`, p.SurveyID).Scan(&kept)
	if err == sql.ErrNoRows || err == nil && kept != p.Fingerprint() {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	var untallied bool
	err = s.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM responses WHERE survey_id = ? AND tallied = 0)`, p.SurveyID).Scan(&untallied)
	return untallied, err
}

// catchUp, inside a write transaction, rebuilds the survey's tallies if
// they were kept to another plan, then counts every untallied response.
func catchUp(ctx context.Context, tx *txn, p store.TallyPlan) error {
	var kept string
	err := tx.QueryRowContext(ctx, `SELECT fingerprint FROM tally_plans WHERE survey_id = ?`, p.SurveyID).Scan(&kept)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	if kept != p.Fingerprint() {
		for _, q := range []string{
			`DELETE FROM tallies WHERE survey_id = ?`,
			`UPDATE responses SET tallied = 0 WHERE survey_id = ? AND tallied = 1`,
		} {
			if _, err := tx.ExecContext(ctx, q, p.SurveyID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tally_plans (survey_id, fingerprint) VALUES (?, ?)
ON CONFLICT (survey_id) DO UPDATE SET fingerprint = excluded.fingerprint`, p.SurveyID, p.Fingerprint()); err != nil {
			return err
		}
	}
	byRound, err := countResponses(ctx, tx, p, `survey_id = ? AND tallied = 0`, p.SurveyID)
	if err != nil {
		return err
	}
	for round, cells := range byRound {
		for cell, c := range cells {
			if err := addCounts(ctx, tx, p.SurveyID, round, cell, c); err != nil {
				return err
			}
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE responses SET tallied = 1 WHERE survey_id = ? AND tallied = 0`, p.SurveyID)
	return err
}

// countResponses counts the responses matching where from scratch, by
// round and cell.
func countResponses(ctx context.Context, tx *txn, p store.TallyPlan, where string, args ...any) (map[string]map[store.Cell]*store.Counts, error) {
	rows, err := tx.QueryContext(ctx, `SELECT round, answers, invitation FROM responses WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[store.Cell]*store.Counts{}
	for rows.Next() {
		var r survey.Response
		var answers string
		if err := rows.Scan(&r.Round, &answers, &r.Invitation); err != nil {
			return nil, err
		}
		if err := decode(&r.Answers, answers); err != nil {
			return nil, err
		}
		cells := out[r.Round]
		if cells == nil {
			cells = map[store.Cell]*store.Counts{}
			out[r.Round] = cells
		}
		cell := p.CellOf(r)
		if cells[cell] == nil {
			cells[cell] = store.NewCounts()
		}
		cells[cell].AddResponse(p, r)
	}
	return out, rows.Err()
}

// Tallies returns the counts of each round, summed over the cells the
// filter keeps, after counting any untallied responses.
func (s *Store) Tallies(ctx context.Context, p store.TallyPlan, rounds []string, f store.Filter) (map[string]*store.Counts, error) {
	need, err := s.needsCatchUp(ctx, p)
	if err != nil {
		return nil, errorf("sqlite: tallies: %w", err)
	}
	if need {
		if err := s.inTx(ctx, func(tx *txn) error { return catchUp(ctx, tx, p) }); err != nil {
			return nil, errorf("sqlite: tallies: catch up: %w", err)
		}
	}
	where, args := talliesWhere(p, rounds, f)
	rows, err := s.read.QueryContext(ctx, `SELECT round, responses, counts FROM tallies WHERE `+where, args...)
	if err != nil {
		return nil, errorf("sqlite: tallies: %w", err)
	}
	defer rows.Close()
	out := map[string]*store.Counts{}
	for _, r := range rounds {
		out[r] = store.NewCounts()
	}
	accs := map[string]*accumulator{}
	var round string
	var blob sql.RawBytes
	for rows.Next() {
		var n int
		if err := rows.Scan(&round, &n, &blob); err != nil {
			return nil, errorf("sqlite: tallies: %w", err)
		}
		c := out[round]
		if c == nil {
			c = store.NewCounts()
			out[round] = c
		}
		c.Responses += n
		acc := accs[round]
		if acc == nil {
			acc = &accumulator{}
			accs[round] = acc
		}
		if err := acc.add(blob); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, errorf("sqlite: tallies: %w", err)
	}
	for round, acc := range accs {
		acc.into(out[round])
	}
	return out, nil
}

// Recount recounts a round from its stored responses and makes the kept
// tallies equal to it, in one transaction.
func (s *Store) Recount(ctx context.Context, p store.TallyPlan, round string) (store.RecountResult, error) {
	var res store.RecountResult
	err := s.inTx(ctx, func(tx *txn) error {
		var err error
		res, err = recountTx(ctx, tx, p, round)
		return err
	})
	if err != nil {
		return store.RecountResult{}, errorf("sqlite: recount %s %s: %w", p.SurveyID, round, err)
	}
	return res, nil
}

// recountTx is Recount inside a transaction, so that a deletion and the
// recount after it commit together. Tally rows whose counts cannot be
// decoded (damage inside a value, where SQLite's own checks do not look)
// are derived data: the survey's tallies are then counted again from its
// responses, and every count of the round is a difference.
func recountTx(ctx context.Context, tx *txn, p store.TallyPlan, round string) (store.RecountResult, error) {
	res, err := recountKept(ctx, tx, p, round)
	if !errors.Is(err, store.ErrDamaged) {
		return res, err
	}
	for _, q := range []string{
		`DELETE FROM tallies WHERE survey_id = ?`,
		`UPDATE responses SET tallied = 0 WHERE survey_id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, p.SurveyID); err != nil {
			return res, err
		}
	}
	if err := catchUp(ctx, tx, p); err != nil {
		return res, err
	}
	fresh, err := countResponses(ctx, tx, p, `survey_id = ? AND round = ?`, p.SurveyID, round)
	if err != nil {
		return res, err
	}
	res = store.RecountResult{Differences: store.Differences(nil, fresh[round])}
	for _, c := range fresh[round] {
		res.Responses += c.Responses
	}
	return res, nil
}

// recountKept recounts a round and compares it with the kept tallies,
// replacing them if they differ.
func recountKept(ctx context.Context, tx *txn, p store.TallyPlan, round string) (store.RecountResult, error) {
	var res store.RecountResult
	err := func() error {
		if err := catchUp(ctx, tx, p); err != nil {
			return err
		}
		fresh, err := countResponses(ctx, tx, p, `survey_id = ? AND round = ?`, p.SurveyID, round)
		if err != nil {
			return err
		}
		kept, err := keptCells(ctx, tx, p.SurveyID, round)
		if err != nil {
			return err
		}
		for _, c := range fresh[round] {
			res.Responses += c.Responses
		}
		res.Differences = store.Differences(kept, fresh[round])
		if res.Differences == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM tallies WHERE survey_id = ? AND round = ?`, p.SurveyID, round); err != nil {
			return err
		}
		for cell, c := range fresh[round] {
			if err := addCounts(ctx, tx, p.SurveyID, round, cell, c); err != nil {
				return err
			}
		}
		return nil
	}()
	return res, err
}

// querier is the read pool or a write transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// keptCells reads a round's tally rows, cell by cell.
func keptCells(ctx context.Context, q querier, surveyID, round string) (map[store.Cell]*store.Counts, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+strings.Join(cellColumns[:], ", ")+`, responses, counts FROM tallies WHERE survey_id = ? AND round = ?`, surveyID, round)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[store.Cell]*store.Counts{}
	for rows.Next() {
		var c store.Cell
		var blob []byte
		sum := store.NewCounts()
		if err := rows.Scan(&c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &sum.Responses, &blob); err != nil {
			return nil, err
		}
		if err := decodeCounts(blob, sum); err != nil {
			return nil, err
		}
		out[c] = sum
	}
	return out, rows.Err()
}

// tallySchema is migration 3. Responses already stored are untallied and
// are counted at the first Tallies. Each cell of a round is one row.
const tallySchema = `
ALTER TABLE responses ADD COLUMN tallied INTEGER NOT NULL DEFAULT 0;
CREATE INDEX responses_untallied ON responses (survey_id) WHERE tallied = 0;
CREATE TABLE tallies (
	survey_id TEXT NOT NULL, round TEXT NOT NULL,
	sector TEXT NOT NULL, organisation TEXT NOT NULL, audience TEXT NOT NULL,
	workforce TEXT NOT NULL, age_band TEXT NOT NULL, locality TEXT NOT NULL,
	responses INTEGER NOT NULL, counts BLOB NOT NULL,
	PRIMARY KEY (survey_id, round, sector, organisation, audience, workforce, age_band, locality)
) WITHOUT ROWID;
CREATE TABLE tally_plans (survey_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL);
`

// talliesWhere selects a survey's tally rows in some rounds (all when
// rounds is empty) whose cells a filter keeps.
func talliesWhere(p store.TallyPlan, rounds []string, f store.Filter) (string, []any) {
	where := `survey_id = ?`
	args := []any{p.SurveyID}
	if len(rounds) > 0 {
		where += ` AND round IN (?` + strings.Repeat(`, ?`, len(rounds)-1) + `)`
		for _, r := range rounds {
			args = append(args, r)
		}
	}
	for i, name := range survey.Breakdowns {
		if v := f[name]; v != "" {
			where += ` AND ` + cellColumns[i] + ` = ?`
			args = append(args, v)
		}
	}
	return where, args
}
