package store_test

import (
	"strconv"
	"testing"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

func TestStrandScore(t *testing.T) {
	p := store.TallyPlan{Keys: []string{"a", "b", "c"}, Strands: []store.Strand{{ID: "s", Items: []string{"a", "b", "c"}}}}
	c := store.NewCounts()
	c.AddResponse(p, survey.Response{Answers: map[string]string{"a": "2", "b": "3", "c": survey.DontKnow}})
	c.AddResponse(p, survey.Response{Answers: map[string]string{"c": survey.NotApplicable}})
	want := 5 * survey.StrandScale / 2 // the mean of 2 and 3; Don't know left out
	if got := c.Answers[survey.StrandKey("s")]; len(got) != 1 || got[strconv.Itoa(want)] != 1 {
		t.Errorf("strand scores %v, want one of %d", got, want)
	}
	if c.Responses != 2 || c.Answers["c"][survey.DontKnow] != 1 || c.Answers["c"][survey.NotApplicable] != 1 {
		t.Errorf("counts %+v", c)
	}
}

func TestFilterAndDifferences(t *testing.T) {
	cell := store.Cell{"health", "north", "frontline"}
	for f, want := range map[string]bool{"": true, "health": true, "youth": false} {
		if got := (store.Filter{"sector": f}).Match(cell); got != want {
			t.Errorf("sector=%q matches %v, want %v", f, got, want)
		}
	}
	if (store.Filter{"sector": "health", "audience": "leader-manager"}).Match(cell) {
		t.Error("a filter on two breakdowns matched a cell with one")
	}
	a, b := store.NewCounts(), store.NewCounts()
	a.Responses, b.Responses = 2, 2
	a.Add("k", "1", 2)
	b.Add("k", "1", 1)
	b.Add("k", "2", 1)
	if n := store.Differences(map[store.Cell]*store.Counts{cell: a}, map[store.Cell]*store.Counts{cell: b}); n != 2 {
		t.Errorf("Differences = %d, want 2", n)
	}
	if n := store.Differences(map[store.Cell]*store.Counts{cell: a}, nil); n != 2 {
		t.Errorf("Differences against nothing = %d, want 2", n)
	}
}
