package survey

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each folder under testdata holds survey files and, for invalid ones,
// want.txt: the exact problems the loader must report. crash holds a file
// that made the YAML library panic (found by FuzzParse).
func TestLoadDirProblems(t *testing.T) {
	for _, dir := range []string{"invalid", "syntax", "unknown", "crash", "slips", "draft", "indicators"} {
		t.Run(dir, func(t *testing.T) {
			path := filepath.Join("testdata", dir)
			c, err := LoadDir(os.DirFS(path), path)
			if err != nil {
				t.Fatalf("LoadDir error = %v, want a catalogue with the files refused", err)
			}
			ps := c.Problems()
			if os.Getenv("IWT_WRITE_WANT") != "" {
				os.WriteFile(filepath.Join(path, "want.txt"), []byte(ps.Error()+"\n"), 0o644)
			}
			if len(ps) == 0 || len(c.All()) != 0 {
				t.Fatalf("%d surveys served, problems %v: want every file refused", len(c.All()), ps)
			}
			want, err := os.ReadFile(filepath.Join(path, "want.txt"))
			if err != nil {
				t.Fatal(err)
			}
			if got := ps.Error(); got != strings.TrimSpace(string(want)) {
				t.Errorf("problems:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestLoadDirValid(t *testing.T) {
	c, err := LoadDir(os.DirFS("testdata/valid"), "testdata/valid")
	if err != nil {
		t.Fatal(err)
	}
	d, ok := c.Survey("mini")
	if !ok {
		t.Fatal("survey mini not loaded")
	}
	if len(d.Version) != 12 {
		t.Errorf("version %q, want 12 hex digits", d.Version)
	}
	sector, _, _ := d.Question("sector")
	if got := len(sector.Options); got != 8 {
		t.Errorf("sector preset gave %d options, want the 8 sectors", got)
	}
	grid, _, _ := d.Question("caf-grid")
	if got := strings.Join(d.ScaleOf(grid).Values(), ","); got != "1,2,3,dont-know,not-applicable" {
		t.Errorf("scale values %s", got)
	}
	if q, _, _ := d.Question("caf-comment"); q.MaxLength != DefaultLongTextLength {
		t.Errorf("long text max length %d, want the default", q.MaxLength)
	}
	pl := d.In("pl")
	if pl.Title != "Mini samoocena" || pl.Sections[1].Questions[0].Statements[0].Text != "Wiem, kiedy rozpocząć CAF." {
		t.Errorf("Polish: %q, %q", pl.Title, pl.Sections[1].Questions[0].Statements[0].Text)
	}
	if pl.Version != d.Version || pl.ID != d.ID || pl.In("en") != d {
		t.Error("a translation is not the same survey")
	}
	if yes, _, _ := pl.Question("trained"); yes.OptionLabel("yes") != "Tak" {
		t.Errorf("yes-no in Polish: %q", yes.OptionLabel("yes"))
	}
	if d.In("xx") != d {
		t.Error("an unknown language should give English")
	}
	if r, _ := d.Round("follow-up"); r.Open {
		t.Error("follow-up round should be closed")
	}
	if d.GroupSize() != DefaultMinGroupSize {
		t.Errorf("group size %d", d.GroupSize())
	}
}

// The bundled surveys must always load: start-up depends on it.
func TestBundledSurveys(t *testing.T) {
	if _, err := LoadDir(os.DirFS("../../surveys"), "surveys"); err != nil {
		t.Fatal(err)
	}
}

func TestVersionFollowsContent(t *testing.T) {
	data, err := os.ReadFile("testdata/valid/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := Parse("mini.yaml", data)
	b, _ := Parse("mini.yaml", append(data, []byte("# a comment\n")...))
	if a.Version == b.Version {
		t.Error("changing the file kept the same version")
	}
}

func TestNewReference(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		r := NewReference()
		if len(r) != 11 || r[5] != '-' || strings.ContainsAny(r, "ILOU") {
			t.Fatalf("reference %q", r)
		}
		seen[r] = true
	}
	if len(seen) != 1000 {
		t.Errorf("%d distinct references in 1000", len(seen))
	}
}

// A preset's options are in the survey's languages, from the service's
// words.
func TestPresetsTranslated(t *testing.T) {
	c, err := LoadDir(os.DirFS("testdata/valid"), "testdata/valid")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.Survey("mini")
	q, _, _ := d.In("pl").Question("sector")
	if got := q.OptionLabel("health"); got != "Zdrowie" {
		t.Errorf("Polish sector health: %q, want Zdrowie", got)
	}
	q, _, _ = d.Question("sector")
	if got := q.OptionLabel("health"); got != "Health" {
		t.Errorf("English sector health: %q", got)
	}
}

// A broken file beside good ones is refused on its own: the good ones
// load, and the broken one is listed with its problems.
func TestLoadDirRefusesOnlyTheBrokenFile(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile("testdata/valid/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	broken, err := os.ReadFile("testdata/syntax/broken.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"mini.yaml": good, "other.yaml": good, "broken.yaml": broken} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c, err := LoadDir(os.DirFS(dir), "surveys")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.All()) != 2 || c.All()[0].ID != "mini" || c.All()[1].ID != "other" {
		t.Errorf("served %d surveys, want mini and other", len(c.All()))
	}
	if _, ok := c.Survey("broken"); ok || !c.RefusedSurvey("broken") || c.RefusedSurvey("mini") {
		t.Error("broken.yaml should be refused, and only it")
	}
	rs := c.Refused()
	if len(rs) != 1 || rs[0].ID != "broken" || rs[0].File != "surveys/broken.yaml" || len(rs[0].Problems) == 0 {
		t.Fatalf("refused %+v", rs)
	}
	if got := c.Problems().Error(); !strings.HasPrefix(got, "surveys/broken.yaml:4: ") {
		t.Errorf("problems %q, want them at broken.yaml:4", got)
	}
}

// BenchmarkCatalogueSurvey is what a respondent's page and a report pay to
// find the live definition: one atomic load and one map lookup, in
// memory, however often versions are published (docs/performance.md,
// "Survey versions").
func BenchmarkCatalogueSurvey(b *testing.B) {
	c, err := LoadDir(os.DirFS("../../surveys"), "surveys")
	if err != nil {
		b.Fatal(err)
	}
	d, _ := c.Survey("integrated-working")
	b.Run("read", func(b *testing.B) {
		for b.Loop() {
			if _, ok := c.Survey("integrated-working"); !ok {
				b.Fatal("not found")
			}
		}
	})
	b.Run("read while publishing", func(b *testing.B) {
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				select {
				case <-stop:
					return
				default:
					c.Put(d)
				}
			}
		}()
		for b.Loop() {
			if _, ok := c.Survey("integrated-working"); !ok {
				b.Fatal("not found")
			}
		}
		close(stop)
		<-done
	})
}

// Put swaps a survey's definition for readers at once, and leaves the
// others, and the refusals, as they were.
func TestCataloguePut(t *testing.T) {
	c, err := LoadDir(os.DirFS("../../surveys"), "surveys")
	if err != nil {
		t.Fatal(err)
	}
	before := len(c.All())
	d, _ := c.Survey("children")
	changed := *d
	changed.Version = "changed"
	c.Put(&changed)
	if got, _ := c.Survey("children"); got.Version != "changed" {
		t.Errorf("after Put, Survey gives version %s", got.Version)
	}
	if len(c.All()) != before {
		t.Errorf("after Put of a survey served, %d surveys; want %d", len(c.All()), before)
	}
	added := *d
	added.ID = "aaa-new"
	c.Put(&added)
	if all := c.All(); len(all) != before+1 || all[0].ID != "aaa-new" {
		t.Errorf("after Put of a new survey, All is not in id order with it: %d", len(all))
	}
}
