package survey

import (
	"net/url"
	"os"
	"slices"
	"strconv"
	"testing"
)

// BenchmarkSaveAnswers is the answers' part of a respondent's save of the
// "keeping children safe" grid, as the respond pages do it: the
// questions shown before, the posted answers collected and kept to those
// asked, the questions shown after, and the checks (docs/performance.md,
// "The page ceiling").
func BenchmarkSaveAnswers(b *testing.B) {
	c, err := LoadDir(os.DirFS("../../surveys"), "surveys")
	if err != nil {
		b.Fatal(err)
	}
	d, _ := c.Survey("integrated-working")
	sec, ok := d.Section("keeping-children-safe")
	if !ok {
		b.Fatal("no section")
	}
	form := url.Values{}
	for i := 1; i <= 8; i++ {
		form.Set("keeping-children-safe-"+strconv.Itoa(i), strconv.Itoa(1+i%4))
	}
	form.Set("keeping-children-safe-comment", "")
	values := func(field string) []string { return form[field] }
	draft := d.Asked(sec.Collect(nil, values))
	b.ReportAllocs()
	for b.Loop() {
		shown := map[string]bool{}
		for _, q := range sec.Shown(draft) {
			shown[q.ID] = true
		}
		answers := d.Asked(sec.Collect(draft, values))
		for _, q := range sec.Shown(answers) {
			_ = shown[q.ID]
		}
		if errs := sec.Check(d, answers, "en"); len(errs) > 0 {
			b.Fatal(errs)
		}
	}
}

// keys yields what Keys lists, for every type, with statements and
// without.
func TestKeysWithoutTheList(t *testing.T) {
	for _, spec := range typeList {
		for _, sts := range [][]*Statement{nil, {{ID: "s1"}, {ID: "s2"}}} {
			q := &Question{ID: "q", Type: spec.Name, Statements: sts}
			var got []string
			for k := range q.keys() {
				got = append(got, k)
			}
			if want := q.Keys(); !slices.Equal(got, want) {
				t.Errorf("%s with %d statements: keys %q, Keys %q", spec.Name, len(sts), got, want)
			}
		}
	}
	q := &Question{ID: "q", Type: TypeGrid, Statements: []*Statement{{ID: "s1"}, {ID: "s2"}}}
	for k := range q.keys() { // stopping early stops
		if k != "s1" {
			t.Errorf("after s1, %s", k)
		}
		break
	}
}
