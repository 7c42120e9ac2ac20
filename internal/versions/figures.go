package versions

import (
	"fmt"
	"slices"
	"strings"

	"iwtoolkit/internal/survey"
)

// Figures says what a version changes in the figures reports work out
// from the answers, compared with the live version: indicators added,
// taken out or changed, and number questions counted in other bands.
// None of these breaks comparison with earlier rounds (reports work them
// out afresh from the answers of every round), so each is information;
// but a figure that vanishes from every report must not vanish
// unannounced, as it once did when a workbook without indicators was
// published. data is d's survey file, for the line of each id.
func Figures(live, d *survey.Definition, data []byte) []Note {
	if live == nil || d == nil {
		return nil
	}
	lines := strings.Split(string(data), "\n")
	var notes []Note
	info := func(id, format string, args ...any) {
		notes = append(notes, Note{d.File, lineOfID(lines, id), "info", fmt.Sprintf(format, args...)})
	}
	was := map[string]*survey.Indicator{}
	for _, in := range live.Indicators {
		was[in.ID] = in
	}
	now := map[string]bool{}
	for _, in := range d.Indicators {
		now[in.ID] = true
		old, ok := was[in.ID]
		if !ok {
			info(in.ID, "indicator %q (%s) is new: reports of every round will show it", in.ID, in.Title)
			continue
		}
		if what := indicatorChanges(old, in); len(what) > 0 {
			info(in.ID, "indicator %q (%s) changes: %s; reports of every round will show it as it is now", in.ID, in.Title, strings.Join(what, "; "))
		}
	}
	for _, in := range live.Indicators {
		if !now[in.ID] {
			notes = append(notes, Note{d.File, 0, "info", fmt.Sprintf("indicator %q (%s) is taken out: reports will no longer show it, for earlier rounds either", in.ID, in.Title)})
		}
	}
	for _, s := range d.Sections {
		for _, q := range s.Questions {
			old, _, ok := live.Question(q.ID)
			if !ok || q.Type != survey.TypeNumber || old.Type != survey.TypeNumber {
				continue
			}
			if a, b := bandNames(old), bandNames(q); a != b {
				info(q.ID, "the answers to %q are counted in other bands: %s, now %s; reports of every round will count them in the new bands", q.ID, a, b)
			}
		}
	}
	return notes
}

// indicatorChanges are what changed in an indicator, in plain words.
func indicatorChanges(was, now *survey.Indicator) []string {
	var out []string
	change := func(what, a, b string) {
		if a != b {
			out = append(out, fmt.Sprintf("%s %s, now %s", what, a, b))
		}
	}
	list := func(ids []string, none string) string {
		if len(ids) == 0 {
			return none
		}
		return strings.Join(ids, ", ")
	}
	or := func(s, none string) string {
		if s == "" {
			return none
		}
		return s
	}
	change("its type was", was.Type, now.Type)
	change("its title was", fmt.Sprintf("%q", was.Title), fmt.Sprintf("%q", now.Title))
	change("the question whose answer must reach the level was", or(was.Answer, "none"), or(now.Answer, "none"))
	change("the question that gives the level was", or(was.Level, "none"), or(now.Level, "none"))
	if !slices.Equal(was.Apart, now.Apart) {
		change("the answers counted apart were", list(was.Apart, "none"), list(now.Apart, "none"))
	}
	if !slices.Equal(was.Questions, now.Questions) {
		change("the questions ranked were", list(was.Questions, "none"), list(now.Questions, "none"))
	}
	if !slices.Equal(was.By, now.By) {
		change("the breakdowns it is shown by were", list(was.By, "none"), list(now.By, "none"))
	}
	return out
}

// bandNames are the bands a number question's answers are counted in, as
// a report names them: 0, 1-2, 3+.
func bandNames(q *survey.Question) string {
	bands := q.NumberBands()
	names := make([]string, len(bands))
	for i, b := range bands {
		names[i] = b.Value()
	}
	return strings.Join(names, ", ")
}
