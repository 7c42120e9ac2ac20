package versions

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/survey"
)

// instance is the surveys one instance serves, from the folder, kept in
// step with st.
func instance(t *testing.T, st Store, dir string) *Live {
	t.Helper()
	c, err := survey.LoadDir(os.DirFS(dir), dir)
	if err != nil {
		t.Fatal(err)
	}
	l := New(st, c, slog.New(slog.DiscardHandler), time.Now)
	if err := l.Import(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := l.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return l
}

func served(t *testing.T, l *Live) *survey.Definition {
	t.Helper()
	d, ok := l.Surveys().Survey("mini")
	if !ok {
		t.Fatal("mini is not served")
	}
	return d
}

// The precedence of survey files and the store (docs/surveys.md, "Survey
// files and the staff pages"): a file is imported when its content changed
// since it was last imported, and otherwise the store's live version
// serves; a publish on one instance is served by another at its next
// refresh.
func TestFilesAndPublishes(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(ctx) })
	dir := t.TempDir()
	src, err := os.ReadFile("../survey/testdata/valid/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "mini.yaml")
	os.WriteFile(file, src, 0o600)

	a := instance(t, st, dir)
	fromFile := served(t, a)
	pubs, _ := st.SurveyPublishes(ctx, "mini")
	if len(pubs) != 1 || pubs[0].By != FromFile || pubs[0].Version != fromFile.Version {
		t.Fatalf("after the first start, publishes %+v; want the file's, by %q", pubs, FromFile)
	}
	b := instance(t, st, dir) // a second instance on the same files and store
	if pubs, _ := st.SurveyPublishes(ctx, "mini"); len(pubs) != 1 {
		t.Errorf("a second instance on the same file published it again: %d publishes", len(pubs))
	}

	// A version published on a: served by b at its next refresh.
	text := strings.Replace(string(src), "en: Mini self-assessment", "en: Mini self-assessment, revised", 1)
	d, ps := survey.Parse("mini.yaml", []byte(text))
	if d == nil {
		t.Fatal(ps)
	}
	if _, _, err := st.SaveSurveyVersion(ctx, store.SurveyVersion{SurveyID: "mini", Version: d.Version, Text: text, MadeBy: "admin@example.org", Made: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := st.PublishSurvey(ctx, store.SurveyPublish{SurveyID: "mini", Version: d.Version, N: 2, By: "admin@example.org", At: time.Now(), Reason: "revised"}); err != nil {
		t.Fatal(err)
	}
	if served(t, b).Version != fromFile.Version {
		t.Fatal("b changed before it refreshed")
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := served(t, b); got.Version != d.Version || got.Title != "Mini self-assessment, revised" {
		t.Errorf("after its refresh b serves %s %q; want the published %s", got.Version, got.Title, d.Version)
	}
	if got := served(t, b).In("pl"); got.Version != d.Version {
		t.Errorf("b's Polish version is %s", got.Version)
	}

	// A restart with the file as it was: the published version serves.
	if got := served(t, instance(t, st, dir)); got.Version != d.Version {
		t.Errorf("after a restart with the file unchanged: %s; want the published %s", got.Version, d.Version)
	}

	// A restart with the file changed: the file's version serves.
	changed := strings.Replace(string(src), "en: Mini self-assessment", "en: Mini self-assessment, from the file", 1)
	os.WriteFile(file, []byte(changed), 0o600)
	c := instance(t, st, dir)
	if got := served(t, c); got.Title != "Mini self-assessment, from the file" {
		t.Errorf("after a restart with the file changed: %q", got.Title)
	}
	pubs, _ = st.SurveyPublishes(ctx, "mini")
	if last := pubs[len(pubs)-1]; last.By != FromFile || !strings.Contains(last.Reason, "changed since it was last imported") {
		t.Errorf("the changed file's publish: %+v", last)
	}

	// A broken file: the store's live version keeps serving.
	os.WriteFile(file, []byte("title: Feeling safe: young people\n"), 0o600)
	cat, err := survey.LoadDir(os.DirFS(dir), dir)
	if err != nil {
		t.Fatal(err)
	}
	l := New(st, cat, slog.New(slog.DiscardHandler), time.Now)
	if err := l.Import(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := served(t, l); got.Title != "Mini self-assessment, from the file" || cat.RefusedSurvey("mini") || len(cat.Refused()) != 1 {
		t.Errorf("with a broken file: serving %q, refused %v", got.Title, cat.Refused())
	}

	// The preview's lookup: live, the served version's hash, an earlier one.
	for _, v := range []string{"live", served(t, l).Version, fromFile.Version, d.Version} {
		if got, err := l.Definition(ctx, "mini", v); err != nil || (v != "live" && got.Version != v) {
			t.Errorf("Definition(mini, %s) = %v, %v", v, got, err)
		}
	}
	if _, err := l.Definition(ctx, "mini", "000000000000"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Definition of a version not stored: %v; want ErrNotFound", err)
	}
	if _, err := l.Definition(ctx, "nosuch", "live"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Definition of a survey not served: %v; want ErrNotFound", err)
	}
}
