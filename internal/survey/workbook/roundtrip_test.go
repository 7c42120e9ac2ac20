package workbook

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

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

// strip is a definition without its translations (unexported, so cleared
// by copying the exported fields into a fresh value).
func strip(d survey.Definition) survey.Definition {
	return survey.Definition{
		ID: d.ID, Lang: d.Lang, Title: d.Title, Audience: d.Audience, Introduction: d.Introduction,
		TimeToComplete: d.TimeToComplete, HowAnswersAreUsed: d.HowAnswersAreUsed, PrivacyNotice: d.PrivacyNotice,
		Help: d.Help, Email: d.Email, SafeguardingWords: d.SafeguardingWords, ExitPage: d.ExitPage,
		SafeguardingLead: d.SafeguardingLead, SafeguardingNotice: d.SafeguardingNotice, Words: d.Words,
		TaskList: d.TaskList, InvitationOnly: d.InvitationOnly, Languages: d.Languages, MinGroupSize: d.MinGroupSize,
		RoundCountsTo: d.RoundCountsTo, RetentionMonths: d.RetentionMonths, Rounds: d.Rounds, Scales: d.Scales, Sections: d.Sections,
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
