package synthetic_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/survey/surveytest"
	"iwtoolkit/internal/synthetic"
)

// Every closed question type gets made-up answers the survey accepts,
// both as stored responses (the seed command, the benchmarks) and as
// posted pages (the load generator); text is left to people, but a
// required text question is written in on a page.
func TestEveryTypeIsMadeUp(t *testing.T) {
	d, err := surveytest.EveryType()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 50 {
		r := synthetic.Response(d, rng, n, d.Rounds, time.Unix(1, 0))
		form := synthetic.Form(d, d.Sections[0], map[string]string{}, rng)
		answers := map[string]string{}
		for k := range form {
			answers[k] = form.Get(k)
		}
		errs := d.Sections[0].Check(d, answers, "en")
		for _, typ := range survey.QuestionTypes {
			q, _, _ := d.Question(surveytest.Examples[typ].Question)
			for _, k := range q.Keys() {
				if v, ok := r.Answers[k]; !q.Spec().Text && (!ok || !d.Valid(k, v)) {
					t.Fatalf("%s: response %d answers %s with %q", typ, n, k, v)
				}
				for _, e := range errs {
					if e.Field == k {
						t.Fatalf("%s: page %d: %s: %s (posted %q)", typ, n, k, e.Message, form.Get(k))
					}
				}
			}
		}
	}
}
