package workbook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"iwtoolkit/internal/survey"
)

// bundled are the surveys the service ships, as it loads them.
func bundled(tb testing.TB) []*survey.Definition {
	tb.Helper()
	c, err := survey.LoadDir(os.DirFS("../../../surveys"), "surveys")
	if err != nil {
		tb.Fatal(err)
	}
	if len(c.All()) != 6 {
		tb.Fatalf("%d bundled surveys, want 6", len(c.All()))
	}
	return c.All()
}

// comparable is a definition in one language without what names the file
// it came from: its file, its version (a hash of the file) and the
// warnings about the file's text.
func comparable(d *survey.Definition) survey.Definition {
	c := *d
	c.File, c.Version, c.Warnings = "", "", nil
	return c
}

// same reports whether two definitions are the same in every language,
// deeply: every field of every section, question, scale and round.
func same(t *testing.T, want, got *survey.Definition) {
	t.Helper()
	if !reflect.DeepEqual(want.Languages, got.Languages) {
		t.Fatalf("languages %v, want %v", got.Languages, want.Languages)
	}
	for _, lang := range want.Languages {
		w, g := comparable(want.In(lang)), comparable(got.In(lang))
		// The translations of each are the other copies, compared in turn.
		if !reflect.DeepEqual(strip(w), strip(g)) {
			wj, _ := json.MarshalIndent(w, "", " ")
			gj, _ := json.MarshalIndent(g, "", " ")
			t.Errorf("%s in %s differs after the round trip:\n%s", want.ID, lang, firstDifference(string(wj), string(gj)))
		}
	}
}

// strip is a definition without its translations (they are the other
// languages' copies, compared in turn) and its memo (what the pages make
// once from it, not part of the survey), the unexported fields. Every
// exported field is copied by reflection, so that a field added to
// Definition is compared without anyone remembering to list it here: a
// list by hand once left out Indicators, and a workbook that lost them
// passed.
func strip(d survey.Definition) survey.Definition {
	var out survey.Definition
	src, dst := reflect.ValueOf(d), reflect.ValueOf(&out).Elem()
	for i := range src.NumField() {
		if src.Type().Field(i).IsExported() {
			dst.Field(i).Set(src.Field(i))
		}
	}
	return out
}

// A field strip leaves out is one the round trip does not compare: only
// the translations and the memo may be unexported.
func TestStripComparesEveryField(t *testing.T) {
	var unexported []string
	for f := range reflect.TypeFor[survey.Definition]().Fields() {
		if !f.IsExported() {
			unexported = append(unexported, f.Name)
		}
	}
	if !slices.Equal(unexported, []string{"translations", "memo"}) {
		t.Errorf("Definition's unexported fields are %v: the round trip compares only exported fields, so export the new one or compare it here", unexported)
	}
	d := bundled(t)[0]
	if got := strip(*d); got.Title != d.Title || got.In("en") != &got || !reflect.DeepEqual(got.Sections, d.Sections) {
		t.Errorf("strip lost a field")
	}
}

func firstDifference(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range min(len(wl), len(gl)) {
		if wl[i] != gl[i] {
			lo := max(0, i-3)
			return "want …\n" + strings.Join(wl[lo:min(len(wl), i+3)], "\n") + "\ngot …\n" + strings.Join(gl[lo:min(len(gl), i+3)], "\n")
		}
	}
	return "(the JSON is the same: an unexported field differs)"
}

// Every bundled survey goes file → workbook → definition to the same
// definition, in every language.
func TestRoundTrip(t *testing.T) {
	for _, d := range bundled(t) {
		t.Run(d.ID, func(t *testing.T) {
			data, err := Write(d)
			if err != nil {
				t.Fatal(err)
			}
			got, ps := Read(d.ID+".xlsx", data)
			if len(ps) > 0 {
				t.Fatalf("reading the workbook back:\n%v", ps)
			}
			same(t, d, got)
			if got.File != d.ID+".xlsx" || got.In(got.Languages[len(got.Languages)-1]).File != d.ID+".xlsx" {
				t.Errorf("file %q, want %s.xlsx in every language", got.File, d.ID)
			}
			// The survey file the workbook makes is the same survey again,
			// of the workbook's version.
			id, file, ps := SurveyFile(data)
			if len(ps) > 0 || id != d.ID {
				t.Fatalf("survey file of %s: %v", id, ps)
			}
			fromFile, fps := survey.Parse("surveys/"+id+".yaml", file)
			if len(fps) > 0 {
				t.Fatalf("the survey file made from the workbook:\n%v", fps)
			}
			same(t, d, fromFile)
			if fromFile.Version != got.Version {
				t.Errorf("the survey file is version %s, the workbook %s", fromFile.Version, got.Version)
			}
			// Reading is deterministic: the same workbook, the same version.
			again, _ := Read(d.ID+".xlsx", data)
			if again == nil || again.Version != got.Version {
				t.Errorf("two reads of one workbook give versions %s and %v", got.Version, again)
			}
		})
	}
}

// The comparison above notices a change made in the workbook: a changed
// Polish statement, a question made required, a level's descriptor.
func TestRoundTripSeesChanges(t *testing.T) {
	b := bookOf(t, "young-people")
	r := b.row("survey", "name", "feel-safe")
	b.set("survey", "label::Polski (pl)", r, "Czuję się bezpiecznie")
	got, ps := Read("young-people.xlsx", b.bytes())
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	var want *survey.Definition
	for _, d := range bundled(t) {
		if d.ID == "young-people" {
			want = d
		}
	}
	if reflect.DeepEqual(strip(comparable(want.In("en"))), strip(comparable(got.In("en")))) == false {
		t.Errorf("the English differs after a Polish change")
	}
	if reflect.DeepEqual(strip(comparable(want.In("pl"))), strip(comparable(got.In("pl")))) {
		t.Errorf("a changed Polish statement is not seen")
	}
	if q, _, _ := got.In("pl").QuestionOf("feel-safe"); q.Statements[0].Text != "Czuję się bezpiecznie" {
		t.Errorf("statement %q", q.Statements[0].Text)
	}
}

// The example goes example.yaml → workbook → definition to the same
// definition: its bands and its indicator too, which no bundled survey
// has both of.
func TestExampleRoundTrip(t *testing.T) {
	want, ps := survey.Parse("example.yaml", exampleYAML)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	data, err := Example()
	if err != nil {
		t.Fatal(err)
	}
	got, rps := Read("example.xlsx", data)
	if len(rps) > 0 {
		t.Fatal(rps)
	}
	same(t, want, got)
	if q, _, _ := got.Question("years"); len(got.Indicators) != 1 || !slices.Equal(q.Bands, []int{0, 2, 5, 10}) {
		t.Errorf("indicators %v, bands %v", got.Indicators, q.Bands)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := &book{t, f}
	if v, _ := f.GetCellValue("survey", fmt.Sprintf("%s%d", b.column("survey", "bands"), b.row("survey", "name", "years"))); v != "0-1, 2-4, 5-9, 10+" {
		t.Errorf("the bands cell says %q", v)
	}
	if v, _ := f.GetCellValue("indicators", fmt.Sprintf("%s2", b.column("indicators", "questions"))); v != "training-wanted" {
		t.Errorf("the indicator's questions cell says %q", v)
	}
}

// Bands are read as people write them, spaces and "to" and "or more"
// included, and a training-needs workbook keeps its indicators when a
// label is edited: the download, edit, upload that once lost them.
func TestBandsAndIndicatorsEdited(t *testing.T) {
	b := bookOf(t, "training-needs")
	r := b.row("indicators", "name", "safeguarding-at-level")
	b.set("indicators", "label", r, "Safeguarding training at the level needed")
	got, ps := Read("training-needs.xlsx", b.bytes())
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if len(got.Indicators) != 2 || got.Indicators[0].Title != "Safeguarding training at the level needed" ||
		!slices.Equal(got.Indicators[0].Apart, []string{"not-sure"}) || !slices.Equal(got.Indicators[1].Questions, []string{"integrated-working-topics", "ways-to-learn", "training-barriers"}) {
		t.Errorf("indicators after an edit: %+v %+v", got.Indicators[0], got.Indicators[1])
	}

	e, err := Example()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(e))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b = &book{t, f}
	b.set("survey", "bands", b.row("survey", "name", "years"), " 0 to 4 ;5 - 9, 10 or more, ")
	got, ps = Read("example.xlsx", b.bytes())
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if q, _, _ := got.Question("years"); !slices.Equal(q.Bands, []int{0, 5, 10}) {
		t.Errorf("bands %v", q.Bands)
	}
}

// An indicator's title is translated as every other text: a
// label::Polski (pl) column, needed once the survey is in Polish.
func TestIndicatorTranslated(t *testing.T) {
	b := bookOf(t, "young-people")
	for col, v := range map[string]string{"name": "age-known", "type": "reaches", "label": "Age band known",
		"label::Polski (pl)": "Znany przedział wieku", "answer": "age-band", "level": "age-band", "by": "locality"} {
		b.set("indicators", col, 2, v)
	}
	d, ps := Read("young-people.xlsx", b.bytes())
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if len(d.Indicators) != 1 || d.In("pl").Indicators[0].Title != "Znany przedział wieku" || d.Indicators[0].Title != "Age band known" {
		t.Errorf("indicators %+v", d.Indicators)
	}
	data, err := Write(d)
	if err != nil {
		t.Fatal(err)
	}
	again, ps := Read("young-people.xlsx", data)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	same(t, d, again)

	b.set("indicators", "label::Polski (pl)", 2, "")
	if _, ps := Read("young-people.xlsx", b.bytes()); !strings.Contains(ps.Error(), "indicators sheet, row 2, column label::Polski (pl): there is no pl wording: write it in this cell") {
		t.Errorf("a missing Polish title: %v", ps)
	}
}
