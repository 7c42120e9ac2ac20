package report_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"syscall"
	"testing"
	"time"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/survey"
)

// BenchmarkPairsEmbedded measures the first "what changed most" view of
// two closed rounds: reading the pairs from the responses and checking
// them against both rounds' publications (report.ReadPairs), then the
// paired tests. Later views read the pairs the publisher kept. The
// embedded store reads only the answers the pairs need (EachAnswers);
// IWT_BENCH_PAIRS=responses reads whole responses instead, as on MongoDB.
// It reports
// the highest Go heap in use during a run above the heap before it
// (peak-MB), sampled every 2 ms, and the process's CPU time per run
// (cpu-s/op; the heap sampler's share is small).
func BenchmarkPairsEmbedded(b *testing.B) {
	d := benchSurvey(b)
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("responses=%d", n), func(b *testing.B) {
			st := seeded(b, d, n)
			pubs := [2]*report.Publication{publish(b, st, d, d.Rounds[0].ID), publish(b, st, d, d.Rounds[1].ID)}
			ctx := context.Background()
			runtime.GC()
			before := heapInUse()
			peak := sampleHeap()
			cpu0 := cpuTime()
			shown := 0
			read := func(ctx context.Context, d *survey.Definition, a, b string, pubs [2]*report.Publication) (*report.Pairs, error) {
				if os.Getenv("IWT_BENCH_PAIRS") == "responses" { // as the MongoDB store reads them
					return report.ReadPairs(ctx, d, a, b, pubs, st.EachResponse)
				}
				return report.ReadPairsOf(ctx, d, a, b, pubs, st.EachAnswers)
			}
			for b.Loop() {
				p, err := read(ctx, d, d.Rounds[0].ID, d.Rounds[1].ID, pubs)
				if err != nil {
					b.Fatal(err)
				}
				shown = 0
				for _, t := range p.Tests(nil) {
					if !t.Hidden {
						shown++
					}
				}
			}
			b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(peak()-before)/(1<<20), "peak-MB")
			b.ReportMetric(float64(shown), "strands-shown")
		})
	}
}

// cpuTime is the user and system CPU time this process has used: on a
// machine shared with other work, steadier than the time a run takes.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// sampleHeap samples the Go heap in use (runtime/metrics, which does not
// stop the world) until the returned function is called, which returns
// the highest seen.
func sampleHeap() func() uint64 {
	var (
		high uint64
		stop = make(chan struct{})
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			high = max(high, heapInUse())
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		return high
	}
}

// heapInUse is the heap's spans in use: objects, and the free space in
// their spans (runtime.MemStats.HeapInuse).
func heapInUse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64()
}
