package store

import (
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
)

// TestSummaryGivesTheAnswersOrSaysItCannot: for random answers and keys,
// a summary gives exactly each key's answer, or says it cannot (then the
// answers are read whole), and it can whenever every key asked has a
// closed answer or none.
func TestSummaryGivesTheAnswersOrSaysItCannot(t *testing.T) {
	rng := rand.New(rand.NewPCG(28, 1))
	values := []string{"", "1", "5", "dont-know", "a b c", "Free text", "no", "x\x1fy", "é", strings.Repeat("z", 201), "-3", "2.5"}
	names := []string{"a", "b", "caf-1", "caf-10", "caf-2", "sector", "z", "a-b", "ab"}
	for range 2000 {
		answers := map[string]string{}
		for _, k := range names {
			if rng.IntN(3) > 0 {
				answers[k] = values[rng.IntN(len(values))]
			}
		}
		id, layout, closed := SummaryOf(answers)
		if id == 0 {
			t.Fatalf("no summary of %q", answers)
		}
		var keys []string
		for range rng.IntN(6) {
			keys = append(keys, append(names, "", "missing")[rng.IntN(len(names)+2)])
		}
		got, ok := NewSummaryReader(keys, map[int64]string{id: layout}).Read(id, closed)
		can := true
		for _, k := range keys {
			if v, answered := answers[k]; answered && !closedValue(v) {
				can = false
			}
		}
		if ok != can {
			t.Fatalf("summary of %q, keys %q: ok %v, want %v", answers, keys, ok, can)
		}
		for i, k := range keys {
			if ok && got[i] != answers[k] {
				t.Fatalf("summary of %q: %q is %q, want %q", answers, k, got[i], answers[k])
			}
		}
		if _, ok := NewSummaryReader(keys, map[int64]string{id + 1: layout}).Read(id, closed); ok {
			t.Fatal("a summary read under a layout not known")
		}
	}
}

// BenchmarkSummaryOf is the work a send adds to make its summary, for a
// self-assessment's 60 answers (cpu-µs/op: the process's CPU time, which
// a shared machine moves less than the time).
func BenchmarkSummaryOf(b *testing.B) {
	answers := map[string]string{"organisation": "voluntary-community-sector", "role": "leader-manager", "sector": "managers-leaders", "workforce": "wider"}
	for _, s := range []string{"caf", "information-sharing", "keeping-children-safe", "leading-integrated-working", "multi-agency-working", "skills-development", "tac-lead-professional"} {
		for i := 1; i <= 8; i++ {
			answers[s+"-"+string(rune('0'+i))] = []string{"1", "2", "3", "4", "5", "dont-know"}[i%6]
		}
	}
	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	for b.Loop() {
		SummaryOf(answers)
	}
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	cpu := ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano()
	b.ReportMetric(float64(cpu)/1e3/float64(b.N), "cpu-µs/op")
}

// TestSummaryReaderReused: one reader reads many summaries, each answer
// its own (none left from the one before), and a summary with fewer
// values than its layout says is not read.
func TestSummaryReaderReused(t *testing.T) {
	a := map[string]string{"a": "1", "b": "2", "c": "3"}
	b := map[string]string{"a": "4", "c": ""}
	ida, la, ca := SummaryOf(a)
	idb, lb, cb := SummaryOf(b)
	keys := []string{"c", "b", "a", "c", ""}
	sr := NewSummaryReader(keys, map[int64]string{ida: la, idb: lb})
	for _, tc := range []struct {
		id     int64
		closed string
		want   []string
	}{{ida, ca, []string{"3", "2", "1", "3", ""}}, {idb, cb, []string{"", "", "4", "", ""}}, {ida, ca, []string{"3", "2", "1", "3", ""}}} {
		got, ok := sr.Read(tc.id, tc.closed)
		if !ok || strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Fatalf("read %q: %q %v, want %q", tc.closed, got, ok, tc.want)
		}
	}
	if _, ok := sr.Read(ida, "1\x1f2"); ok {
		t.Fatal("a summary with a value missing was read")
	}
}
