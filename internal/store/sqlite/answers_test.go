package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/survey"
)

func TestDecodeFlatAgreesWithJSON(t *testing.T) {
	tricky := []string{"", "3", "dont-know", `a "quoted" word`, `back\slash`, "line\nbreak\r\ttab",
		"<b>&amp;</b>", "ünïcödé — “quotes” 😀", "\u2028\u2029", "\x01\x1f control", "\xff invalid", `\u0041`, "{}", `","`}
	for _, v := range tricky {
		m := map[string]string{"k": v, "caf-1": "3", v + "key": "x"}
		b, _ := json.Marshal(m)
		var want map[string]string
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		got, ok := decodeFlat(string(b))
		if ok && !maps.Equal(got, want) {
			t.Errorf("decodeFlat(%s) = %q, want %q", b, got, want)
		}
		var viaDecode map[string]string
		if err := decode(&viaDecode, string(b)); err != nil || !maps.Equal(viaDecode, want) {
			t.Errorf("decode(%s) = %q, %v; want %q", b, viaDecode, err, want)
		}
	}
	for _, bad := range []string{"", "{", `{"a":1}`, `{"a":"b",}`, `{"a":"b"}x`, `["a"]`, `{"a""b"}`} {
		if _, ok := decodeFlat(bad); ok {
			t.Errorf("decodeFlat(%q) accepted it", bad)
		}
	}
}

// BenchmarkDecode decodes a response's answers as a report reads them: 40
// answers, ratings and choices, one comment with characters JSON escapes.
func BenchmarkDecode(b *testing.B) {
	m := map[string]string{"comment": "Lead professional <b>role</b> & \"quotes\" — ünïcödé"}
	for i := range 39 {
		m[fmt.Sprintf("caf-%d", i)] = fmt.Sprint(1 + i%5)
	}
	text := encode(m)
	b.ReportAllocs()
	for b.Loop() {
		var got map[string]string
		if err := decode(&got, text); err != nil || len(got) != len(m) {
			b.Fatal(err)
		}
	}
}

// The picker finds what decode does, for the keys asked for, in answers
// as encode writes them (keys in order) and out of order, with escapes,
// keys asked twice and keys not asked.
func TestPickAgreesWithDecode(t *testing.T) {
	keys := []string{"sector", "", "caf-2", "nope", "caf-1", "sector", `a "quoted" key`, "z"}
	p := newPicker(keys)
	for _, m := range []map[string]string{
		{"sector": "health", "caf-1": "3", "caf-2": "dont-know", `a "quoted" key`: "line\nbreak", "zz": "x", "a": "b"},
		{},
		{"z": "last"},
	} {
		b, _ := json.Marshal(m)
		for _, text := range []string{string(b), reorder(m)} {
			values := make([]string, len(keys))
			if !p.pick(text, values) {
				t.Fatalf("pick(%s) gave up", text)
			}
			for i, k := range keys {
				if want := m[k]; k != "" && values[i] != want || k == "" && values[i] != "" {
					t.Errorf("pick(%s): %q is %q, want %q", text, k, values[i], want)
				}
			}
		}
	}
	for _, bad := range []string{"", "{", `{"a":1}`, `{"a":"b",}`, `{"a":"b"}x`} {
		if p.pick(bad, make([]string, len(keys))) {
			t.Errorf("pick(%q) accepted it", bad)
		}
	}
}

// reorder writes m's keys in reverse order.
func reorder(m map[string]string) string {
	keys := slices.Sorted(maps.Keys(m))
	slices.Reverse(keys)
	var parts []string
	for _, k := range keys {
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(m[k])
		parts = append(parts, string(kb)+":"+string(vb))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// EachAnswers gives each response of the rounds asked, oldest first, with
// the answers EachResponse gives to the keys asked, and falls back to
// decode for answers the picker does not read.
func TestEachAnswersAgreesWithEachResponse(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	at := time.Now().Add(-time.Hour)
	var rs []survey.Response
	for i := range 30 {
		rs = append(rs, survey.Response{Reference: fmt.Sprint("R", i), SurveyID: "s", Version: "1",
			Round: []string{"a", "b", "c"}[i%3], Submitted: at.Add(time.Duration(30-i) * time.Second),
			SubmissionKey: fmt.Sprint("k", i), RespondentKey: fmt.Sprint("p", i%7),
			Answers: map[string]string{"q1": fmt.Sprint(i % 4), "q2": "x \"y\"", "other": "o"}})
	}
	if _, err := s.SubmitMany(ctx, rs); err != nil {
		t.Fatal(err)
	}
	// One response's answers stored as the picker does not read them
	// (spaces), as json.Marshal does not write them.
	if _, err := s.write.ExecContext(ctx, `UPDATE responses SET answers = '{"q1": "2", "q2": "z"}' WHERE reference = 'R4'`); err != nil {
		t.Fatal(err)
	}
	keys := []string{"q2", "q1", "missing"}
	type row struct {
		round, key string
		at         time.Time
		values     string
	}
	var want, got []row
	if err := s.EachResponse(ctx, "s", []string{"a", "b"}, func(r survey.Response) error {
		want = append(want, row{r.Round, r.RespondentKey, r.Submitted, fmt.Sprint([]string{r.Answers["q2"], r.Answers["q1"], ""})})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.EachAnswers(ctx, "s", []string{"a", "b"}, keys, func(r survey.Response, values []string) error {
		got = append(got, row{r.Round, r.RespondentKey, r.Submitted, fmt.Sprint(values)})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(want) != 20 || !slices.Equal(got, want) {
		t.Errorf("EachAnswers gave\n%v\nwant\n%v", got, want)
	}
}
