package survey

import (
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParse feeds the loader every survey file there is, and what the
// fuzzer makes of them. Whatever the bytes, Parse must not panic, and it
// returns either a definition or problems, each at a line of the file, that
// the check command prints as file:line: message.
func FuzzParse(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{"../../surveys/*", "testdata/*/*"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, files...)
	}
	if len(seeds) < 10 {
		f.Fatalf("only %d seed files", len(seeds))
	}
	for _, file := range seeds {
		if info, err := os.Stat(file); err != nil || info.IsDir() {
			continue // testdata/fuzz holds the fuzzers' own corpus
		}
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const file = "surveys/fuzz.yaml"
		var d *Definition
		var ps Problems
		done := make(chan struct{})
		go func() {
			defer close(done)
			d, ps = Parse(file, data)
		}()
		select {
		case <-done:
		case <-time.After(time.Minute): // a hang, not a speed: a parse takes milliseconds
			t.Fatalf("Parse has not finished after a minute:\n%q", data)
		}
		if (d == nil) == (len(ps) == 0) {
			t.Fatalf("Parse gave definition %v and %d problems: want exactly one of them", d != nil, len(ps))
		}
		for _, p := range ps {
			if p.File != file || p.Line < 1 || strings.TrimSpace(p.Message) == "" {
				t.Errorf("problem %+v: want %s, a line ≥ 1 and a message", p, file)
			}
			if want := fmt.Sprintf("%s:%d: %s", file, p.Line, p.Message); p.String() != want {
				t.Errorf("problem prints as %q, want %q", p.String(), want)
			}
		}
		if d != nil && (d.ID != "fuzz" || len(d.Sections) == 0) {
			t.Errorf("definition %q with %d sections", d.ID, len(d.Sections))
		}
	})
}

// bundledSurveys are the surveys the service ships, as it loads them.
func bundledSurveys(tb testing.TB) []*Definition {
	tb.Helper()
	c, err := LoadDir(os.DirFS("../../surveys"), "surveys")
	if err != nil {
		tb.Fatal(err)
	}
	return c.All()
}

// validForm is a valid answer to every question of a section shown given
// the answers so far, as a browser would send it.
func validForm(d *Definition, sec *Section, answers map[string]string) url.Values {
	form := url.Values{}
	for _, q := range sec.Questions {
		if !q.ShowIf.Holds(answers) {
			continue
		}
		switch q.Type {
		case TypeGrid, TypeScale:
			vs := d.ScaleOf(q).Values()
			for i, k := range q.Keys() {
				form.Set(k, vs[i%len(vs)])
			}
		case TypeChoice, TypeYesNo:
			form.Set(q.ID, q.Options[len(q.Options)-1].Value)
		case TypeMultiple:
			form[q.ID] = []string{q.Options[0].Value, q.Options[len(q.Options)-1].Value}
		case TypeNumber:
			v := 3
			if q.Min != nil {
				v = *q.Min
			}
			form.Set(q.ID, fmt.Sprint(v))
		case TypeText, TypeLongText:
			form.Set(q.ID, "  Some <b>words</b>\r\nand more  ")
		}
		for _, k := range q.Keys() {
			answers[k] = form.Get(k)
		}
	}
	return form
}

// FuzzCollectCheck sends forms to the sections of the bundled surveys, on
// top of earlier answers, through the Collect and Check the pages use.
// Whatever the form, neither panics; what Collect keeps for the section is
// only answers to its questions that are shown; and Check refuses every
// kept value that is not one the question offers.
func FuzzCollectCheck(f *testing.F) {
	surveys := bundledSurveys(f)
	for i, d := range surveys {
		answers := map[string]string{}
		for j, sec := range d.Sections {
			if !sec.ShowIf.Holds(answers) {
				continue
			}
			prior := url.Values{}
			for k, v := range answers {
				prior.Set(k, v)
			}
			form := validForm(d, sec, answers)
			f.Add(uint8(i), uint8(j), prior.Encode(), form.Encode())
		}
	}
	f.Add(uint8(0), uint8(0), "", "sector=planets&role=%3Cscript%3E&unknown=1&caf-1=9")
	f.Add(uint8(1), uint8(1), "role=leader", "a=1&a=2&a=dont-know&none-of-these=1")

	f.Fuzz(func(t *testing.T, si, ji uint8, priorForm, form string) {
		d := surveys[int(si)%len(surveys)]
		sec := d.Sections[int(ji)%len(d.Sections)]
		priorValues, _ := url.ParseQuery(priorForm)
		formValues, _ := url.ParseQuery(form)
		prior := map[string]string{}
		for k, vs := range priorValues {
			prior[k] = vs[0]
		}
		before := maps.Clone(prior)

		out := sec.Collect(prior, func(field string) []string { return formValues[field] })
		if !maps.Equal(prior, before) {
			t.Fatal("Collect changed the answers it was given")
		}
		own := map[string]*Question{} // answer key → question of the section
		for _, q := range sec.Questions {
			for _, k := range q.Keys() {
				own[k] = q
			}
		}
		shown := sec.Shown(out)
		for k, v := range out {
			q, ours := own[k]
			switch {
			case !ours:
				if prior[k] != v {
					t.Errorf("Collect stored %s=%q, which is not a question of section %s", k, v, sec.ID)
				}
			case !slices.Contains(shown, q):
				t.Errorf("Collect kept %s=%q, an answer to a question not shown", k, v)
			case v == "":
				t.Errorf("Collect kept an empty answer to %s", k)
			}
		}

		errs := sec.Check(d, out, "en")
		refused := map[string]bool{}
		for _, e := range errs {
			if _, ours := own[e.Field]; !ours || e.Message == "" {
				t.Errorf("Check error %+v: not a field of section %s, or no message", e, sec.ID)
			}
			refused[e.Field] = true
		}
		for _, q := range shown {
			for _, k := range q.Keys() {
				if v := out[k]; v != "" && !offered(d, q, v) && !refused[k] {
					t.Errorf("Check accepted %s=%q, which question %s does not offer", k, v, q.ID)
				}
			}
		}
		for k := range d.Response(Draft{Answers: out}).Answers {
			if q, ours := own[k]; ours && !slices.Contains(shown, q) {
				t.Errorf("the response would keep %s, an answer to a question not shown", k)
			}
		}
	})
}

// offered reports whether v is an answer q allows: one of its scale's
// values or options, a number or text within its limits.
func offered(d *Definition, q *Question, v string) bool {
	if q.PreferNotToSay && v == PreferNotToSay {
		return true
	}
	switch q.Type {
	case TypeGrid, TypeScale:
		return d.ScaleOf(q).Valid(v)
	case TypeChoice, TypeYesNo:
		return q.OptionLabel(v) != ""
	case TypeMultiple:
		chosen := Choices(v)
		for _, c := range chosen {
			if q.OptionLabel(c) == "" && !(c == NoneOfThese && q.None != "") {
				return false
			}
		}
		return len(chosen) > 0 && (len(chosen) == 1 || !slices.Contains(chosen, NoneOfThese))
	case TypeText, TypeLongText:
		return utf8.RuneCountInString(v) <= q.MaxLength
	}
	return true // numbers: Check's own rules, tested in TestQuestionTypes
}
