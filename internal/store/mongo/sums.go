package mongo

import (
	"context"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// Reading the tallies. A report reads every tally document of a survey's
// rounds (one per cell and day: 768 for the bundled self-assessment's two
// rounds in one day) and adds them up in the client. Decoding each
// document's counts into Go maps, one allocation per key and value, was
// three quarters of a report's time (about 300 of 400 ms at 100,000
// responses on the stand-in). So the documents are read as raw BSON and
// their counts added into sums that allocate only for a key or value not
// seen before (cellSum), as the embedded store's accumulator does.

// sumTallies streams the survey's tally documents under p in the given
// rounds (all when none) whose cells f keeps, and adds each into the sum
// into returns for its round and cell; into returns nil to leave a
// document out. With answers false only the numbers of responses are
// read. The filter is sent to the server too (cell.N is the Nth of
// survey.Breakdowns), so that a filtered report reads only its cells.
func (s *Store) sumTallies(ctx context.Context, p store.TallyPlan, rounds []string, f store.Filter, answers bool, into func(round string, cell store.Cell) *cellSum) error {
	filter := bson.D{{Key: "survey_id", Value: p.SurveyID}, {Key: "fingerprint", Value: p.Fingerprint()}}
	if len(rounds) > 0 {
		filter = append(filter, bson.E{Key: "round", Value: bson.D{{Key: "$in", Value: rounds}}})
	}
	for i, name := range survey.Breakdowns {
		if v := f[name]; v != "" {
			filter = append(filter, bson.E{Key: "cell." + strconv.Itoa(i), Value: v})
		}
	}
	fields := bson.D{{Key: "round", Value: 1}, {Key: "cell", Value: 1}, {Key: "responses", Value: 1}}
	if answers {
		fields = append(fields, bson.E{Key: "counts", Value: 1})
	}
	cur, err := s.tallies().Find(ctx, filter, options.Find().SetProjection(fields))
	if err != nil {
		return errorf("mongo: find tallies: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		doc := bsoncore.Document(cur.Current)
		round, ok := doc.Lookup("round").StringValueOK()
		if !ok {
			return errorf("mongo: read tallies: a document without its round")
		}
		var cell store.Cell
		if arr, ok := doc.Lookup("cell").ArrayOK(); ok {
			values, err := arr.Values()
			if err != nil {
				return errorf("mongo: read tallies: %w", err)
			}
			for i, v := range values {
				if i < len(cell) {
					cell[i], _ = v.StringValueOK()
				}
			}
		}
		if !f.Match(cell) {
			continue
		}
		sum := into(round, cell)
		if sum == nil {
			continue
		}
		n, _ := doc.Lookup("responses").AsInt64OK()
		sum.responses += int(n)
		if !answers {
			continue
		}
		if counts, ok := doc.Lookup("counts").DocumentOK(); ok {
			if err := sum.add(counts); err != nil {
				return errorf("mongo: read tallies: %w", err)
			}
		}
	}
	if err := cur.Err(); err != nil {
		return errorf("mongo: read tallies: %w", err)
	}
	return nil
}

// cellSum adds up counts: per answer key, per value, a count. Values are
// found through an index looked up with the raw bytes, which Go does
// without allocating.
type cellSum struct {
	responses int
	keys      map[string]*valueSums
}

type valueSums struct {
	index  map[string]int
	values []string
	counts []int
}

// add adds a counts document, {key: {value: count}}.
func (c *cellSum) add(counts bsoncore.Document) error {
	keys, err := counts.Elements()
	if err != nil {
		return err
	}
	if c.keys == nil {
		c.keys = map[string]*valueSums{}
	}
	for _, k := range keys {
		byValue, ok := k.Value().DocumentOK()
		if !ok {
			continue
		}
		vs := c.keys[string(k.KeyBytes())]
		if vs == nil {
			vs = &valueSums{index: map[string]int{}}
			c.keys[k.Key()] = vs
		}
		values, err := byValue.Elements()
		if err != nil {
			return err
		}
		for _, v := range values {
			n, _ := v.Value().AsInt64OK()
			if i, ok := vs.index[string(v.KeyBytes())]; ok {
				vs.counts[i] += int(n)
				continue
			}
			vs.index[v.Key()] = len(vs.values)
			vs.values = append(vs.values, v.Key())
			vs.counts = append(vs.counts, int(n))
		}
	}
	return nil
}

// result is the sum as store.Counts.
func (c *cellSum) result() *store.Counts {
	out := store.NewCounts()
	out.Responses = c.responses
	for k, vs := range c.keys {
		m := make(map[string]int, len(vs.values))
		for i, v := range vs.values {
			m[v] = vs.counts[i]
		}
		out.Answers[k] = m
	}
	return out
}

// keptCells reads a survey's tally documents under p, by round and cell:
// the days of a cell added together.
func (s *Store) keptCells(ctx context.Context, p store.TallyPlan, rounds []string, answers bool) (map[string]map[store.Cell]*store.Counts, error) {
	sums := map[string]map[store.Cell]*cellSum{}
	err := s.sumTallies(ctx, p, rounds, nil, answers, func(round string, cell store.Cell) *cellSum {
		cells := sums[round]
		if cells == nil {
			cells = map[store.Cell]*cellSum{}
			sums[round] = cells
		}
		c := cells[cell]
		if c == nil {
			c = &cellSum{}
			cells[cell] = c
		}
		return c
	})
	if err != nil {
		return nil, err
	}
	out := map[string]map[store.Cell]*store.Counts{}
	for round, cells := range sums {
		out[round] = map[store.Cell]*store.Counts{}
		for cell, c := range cells {
			out[round][cell] = c.result()
		}
	}
	return out, nil
}
