package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"iwtoolkit/internal/store"
)

// definitionTests are the contract for served survey versions.
var definitionTests = []struct {
	name string
	fn   func(t *testing.T, open func(t *testing.T) store.Store)
}{
	{"Definitions", testDefinitions},
}

func testDefinitions(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	if got, err := s.DefinitionVersions(ctx, "iw"); err != nil || len(got) != 0 {
		t.Fatalf("DefinitionVersions of a new store = %v, %v; want none", got, err)
	}
	v1 := store.DefinitionVersion{SurveyID: "iw", Version: "aaaaaaaaaaaa", Served: t0, Fingerprints: []store.Fingerprint{
		{Key: "caf-1", Type: "grid", Scale: "maturity", Answers: []string{"1=Not started", "2=Developing"}, Text: "We use the CAF — ünïcödé"},
		{Key: "comment", Type: "long-text", Text: "Anything else?"},
	}}
	v2 := store.DefinitionVersion{SurveyID: "iw", Version: "bbbbbbbbbbbb", Served: t0.Add(time.Hour), Fingerprints: v1.Fingerprints[:1]}
	other := store.DefinitionVersion{SurveyID: "children", Version: "cccccccccccc", Served: t0}
	for _, v := range []store.DefinitionVersion{v2, v1, other} {
		if isNew, err := s.SaveDefinition(ctx, v); err != nil || !isNew {
			t.Fatalf("SaveDefinition(%s) = %v, %v; want new", v.Version, isNew, err)
		}
	}
	// The same version again (another instance starting) stores nothing.
	again := v1
	again.Served = t0.Add(2 * time.Hour)
	again.Fingerprints = nil
	if isNew, err := s.SaveDefinition(ctx, again); err != nil || isNew {
		t.Errorf("SaveDefinition of a stored version = %v, %v; want not new", isNew, err)
	}
	got, err := s.DefinitionVersions(ctx, "iw")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]store.DefinitionVersion{v1, v2}, got, equateEmpty); diff != "" {
		t.Errorf("DefinitionVersions, oldest first (-want +got):\n%s", diff)
	}
}
