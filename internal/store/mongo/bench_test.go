package mongo_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/mongo"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/synthetic"
	"iwtoolkit/internal/testenv"
)

// The MongoDB path's benchmarks: what the report page does, and the raw
// responses CSV, as internal/report's benchmarks do on the embedded store,
// against MONGODB_URI. On the stand-in (FerretDB on PostgreSQL) they
// measure the stand-in, not MongoDB: docs/performance.md says so.
//
//	MONGODB_URI=… IWT_BENCH_SIZES=100000,250000 go test ./internal/store/mongo -run '^$' -bench Mongo -benchtime 10x
//
// Seeding is through Submit, as in service, from 4 goroutines, into a
// database per size (iwtoolkit_bench_<version>_<n>) that later runs reuse;
// drop it to seed again.

func benchSizes(b *testing.B) []int {
	sizes := []int{1_000, 10_000}
	if env := os.Getenv("IWT_BENCH_SIZES"); env != "" {
		sizes = nil
		for _, f := range strings.Split(env, ",") {
			n, err := strconv.Atoi(f)
			if err != nil {
				b.Fatalf("IWT_BENCH_SIZES: %v", err)
			}
			sizes = append(sizes, n)
		}
	}
	return sizes
}

func benchSurvey(b *testing.B) *survey.Definition {
	b.Helper()
	c, err := survey.LoadDir(os.DirFS("../../../surveys"), "surveys")
	if err != nil {
		b.Fatal(err)
	}
	d, _ := c.Survey("integrated-working")
	return d
}

// seeded opens a store on a database holding n synthetic responses, half
// in each of the first two rounds, seeding it if an earlier run has not.
func seeded(b *testing.B, d *survey.Definition, n int) *mongo.Store {
	b.Helper()
	ctx := context.Background()
	srv := testenv.Mongo(b)
	database := fmt.Sprintf("iwtoolkit_bench_%s_%d", d.Version, n)
	client, err := driver.Connect(options.Client().ApplyURI(srv.URI))
	if err != nil {
		b.Fatal(err)
	}
	defer client.Disconnect(ctx)
	marks := client.Database(database).Collection("bench_seeded")
	err = marks.FindOne(ctx, bson.D{{Key: "_id", Value: n}}).Err()
	done := err == nil
	if !done && !errors.Is(err, driver.ErrNoDocuments) {
		b.Fatal(err)
	}
	if !done { // start again after a seeding cut short
		if err := client.Database(database).Drop(ctx); err != nil {
			b.Fatal(err)
		}
	}
	st, err := mongo.Open(ctx, srv.URI, database)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close(ctx) })
	st.PlanTallies(store.PlanFor(d))
	if done {
		return st
	}
	start := time.Now()
	if err := synthetic.Seed(ctx, st, d, d.Rounds[:2], n, 4, 2); err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	b.Logf("seeded %d responses on %s in %v (%.0f a second)", n, srv.Version, took.Round(time.Second), float64(n)/took.Seconds())
	if _, err := marks.InsertOne(ctx, bson.D{{Key: "_id", Value: n}, {Key: "seconds", Value: took.Seconds()}}); err != nil {
		b.Fatal(err)
	}
	return st
}

var benchFilters = []struct {
	name   string
	filter store.Filter
}{
	{"everyone", nil},
	{"sector", store.Filter{"sector": "health"}},
	{"sector+organisation", store.Filter{"sector": "education", "organisation": "primary-school"}},
}

// publishMongo makes a round's publication from the store's tallies, as
// the server does when a round's figures move.
func publishMongo(b *testing.B, st *mongo.Store, d *survey.Definition, round string) *report.Publication {
	b.Helper()
	tallies, err := st.CellTallies(context.Background(), store.PlanFor(d), round)
	if err != nil {
		b.Fatal(err)
	}
	cells := make([]report.CellCounts, 0, len(tallies))
	for c, n := range tallies {
		cells = append(cells, report.CellCounts{Cell: c, Responses: n.Responses, Answers: n.Answers})
	}
	return report.Publish(d, round, cells, time.Now())
}

// BenchmarkPublishMongo makes one round's publication: its tallies cell by
// cell, the protection, the shown groups' sums. Once per step of a round's
// figures, not per request.
func BenchmarkPublishMongo(b *testing.B) {
	d := benchSurvey(b)
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("responses=%d", n), func(b *testing.B) {
			st := seeded(b, d, n)
			for b.Loop() {
				publishMongo(b, st, d, d.Rounds[0].ID)
			}
		})
	}
}

// BenchmarkReportMongo is the report page's work on every request once its
// rounds are published: each round's number of responses now and its
// publication head, the comparison of a filter from the publications, and
// both charts.
func BenchmarkReportMongo(b *testing.B) {
	d := benchSurvey(b)
	plan := store.PlanFor(d)
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("responses=%d", n), func(b *testing.B) {
			st := seeded(b, d, n)
			pubs := []*report.Publication{publishMongo(b, st, d, d.Rounds[0].ID), publishMongo(b, st, d, d.Rounds[1].ID)}
			for _, f := range benchFilters {
				b.Run("filter="+f.name, func(b *testing.B) {
					ctx := context.Background()
					for b.Loop() {
						for _, r := range d.Rounds[:2] {
							if _, err := st.CellSizes(ctx, plan, []string{r.ID}); err != nil {
								b.Fatal(err)
							}
							if _, err := st.Publication(ctx, d.ID, r.ID, false); err != nil && !errors.Is(err, store.ErrNotFound) {
								b.Fatal(err)
							}
						}
						cmp := report.Compare(d, d.Rounds[:2], pubs, f.filter)
						if _, err := cmp.BarChart(); err != nil {
							b.Fatal(err)
						}
						if _, err := cmp.RadarChart(); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkResponsesCSVMongo streams every response as the raw-responses
// CSV, to nowhere.
func BenchmarkResponsesCSVMongo(b *testing.B) {
	d := benchSurvey(b)
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("responses=%d", n), func(b *testing.B) {
			st := seeded(b, d, n)
			for b.Loop() {
				if _, err := report.WriteCSV(context.Background(), io.Discard, d, d.Rounds, st.EachResponse); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRecountMongo recounts the baseline from its responses and
// compares it with the kept tallies: what `iwtoolkit recount` does, and
// the cost of reading every response of a round.
func BenchmarkRecountMongo(b *testing.B) {
	d := benchSurvey(b)
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("responses=%d", n), func(b *testing.B) {
			st := seeded(b, d, n)
			for b.Loop() {
				res, err := st.Recount(context.Background(), store.PlanFor(d), d.Rounds[0].ID)
				if err != nil || res.Differences != 0 {
					b.Fatalf("Recount = %+v, %v", res, err)
				}
			}
		})
	}
}
