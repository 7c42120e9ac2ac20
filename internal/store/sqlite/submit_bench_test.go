package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"syscall"
	"testing"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/synthetic"
)

// BenchmarkSubmit stores self-assessment responses one at a time through
// Submit (the batcher, a group of one), with the survey's tallies kept, as
// a respondent's send does: what a send costs the store. It reports the
// process's CPU time a send (cpu-µs/op), steadier than the time on a
// shared machine.
func BenchmarkSubmit(b *testing.B) {
	c, err := survey.LoadDir(os.DirFS("../../../surveys"), "surveys")
	if err != nil {
		b.Fatal(err)
	}
	d, ok := c.Survey("integrated-working")
	if !ok {
		b.Fatal("no integrated-working survey")
	}
	ctx := context.Background()
	s := openIn(b, b.TempDir())
	s.PlanTallies(store.PlanFor(d))
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Now()
	n := 0
	submit := func() {
		r := synthetic.Response(d, rng, n, d.Rounds[:2], start)
		r.SubmissionKey = fmt.Sprintf("bench-%d", n)
		r.RespondentKey = fmt.Sprintf("person-%d", n/2)
		n++
		if _, err := s.Submit(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	for range 200 { // the tallies' first rebuild, and a table of some size
		submit()
	}
	cpu0 := cpuTime()
	for b.Loop() {
		submit()
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
