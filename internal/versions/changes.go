package versions

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// Changes are what `iwtoolkit check --strict` says of a survey file, and
// what the staff pages say of a draft before it is published: one set of
// rules, here.

// Note is one thing check says about a change to a live survey.
type Note struct {
	File  string
	Line  int
	Level string // "warning" or "info"
	Text  string
}

func (n Note) String() string {
	if n.Line == 0 {
		return fmt.Sprintf("%s: %s: %s", n.File, n.Level, n.Text)
	}
	return fmt.Sprintf("%s:%d: %s: %s", n.File, n.Line, n.Level, n.Text)
}

// minOverlap is the share of words two texts of one id must have in
// common not to be reported as a reused id.
const minOverlap = 0.5

// Changes compares a survey file with the versions of it that were
// served (versions, oldest first). Each answer key is compared with the
// latest served version that had it: a changed type, a changed scale
// (levels' values or labels), changed options' values, and a text that
// shares few words with the old one are warnings; a key no longer in the
// file is information, since old responses keep its answers.
func Changes(d *survey.Definition, data []byte, versions []store.DefinitionVersion) []Note {
	type served struct {
		fp      store.Fingerprint
		version string
	}
	latest := map[string]served{}
	var order []string
	for _, v := range versions {
		for _, fp := range v.Fingerprints {
			if _, seen := latest[fp.Key]; !seen {
				order = append(order, fp.Key)
			}
			latest[fp.Key] = served{fp, v.Version}
		}
	}
	lines := strings.Split(string(data), "\n")
	var notes []Note
	warn := func(key, format string, args ...any) {
		notes = append(notes, Note{d.File, lineOfID(lines, key), "warning", fmt.Sprintf(format, args...)})
	}
	current := map[string]bool{}
	// A changed scale is one change however many statements are rated on
	// it: one warning, at the first of them, saying how many.
	type scaleChange struct{ scale, was, now, version string }
	scaleKeys := map[scaleChange][]string{}
	var scaleOrder []scaleChange
	for _, fp := range store.VersionOf(d, time.Time{}).Fingerprints {
		current[fp.Key] = true
		old, ok := latest[fp.Key]
		if !ok {
			continue
		}
		was := old.fp
		switch {
		case was.Type != fp.Type:
			warn(fp.Key, "%q was a %s question in version %s and is a %s question now: its old and new answers cannot be compared; give the new question a new id", fp.Key, was.Type, old.version, fp.Type)
			continue
		case isRated(fp.Type) && !slices.Equal(was.Answers, fp.Answers):
			ch := scaleChange{fp.Scale, strings.Join(was.Answers, ", "), strings.Join(fp.Answers, ", "), old.version}
			if scaleKeys[ch] == nil {
				scaleOrder = append(scaleOrder, ch)
			}
			scaleKeys[ch] = append(scaleKeys[ch], fp.Key)
		case !isRated(fp.Type) && !slices.Equal(values(was.Answers), values(fp.Answers)):
			warn(fp.Key, "%q offers changed answers (values were %s in version %s, now %s): counts before and after the change cannot be compared", fp.Key, strings.Join(values(was.Answers), ", "), old.version, strings.Join(values(fp.Answers), ", "))
		}
		if o := wordOverlap(was.Text, fp.Text); o < minOverlap {
			warn(fp.Key, "the text of %q shares only %.0f%% of its words with version %s (%q, now %q): if the id is reused for a different question, give it a new id (a simple word-overlap measure: check by reading)", fp.Key, 100*o, old.version, was.Text, fp.Text)
		}
	}
	for _, ch := range scaleOrder {
		keys := scaleKeys[ch]
		what := fmt.Sprintf("%q is", keys[0])
		if len(keys) > 1 {
			what = fmt.Sprintf("%d questions and statements (%q to %q) are", len(keys), keys[0], keys[len(keys)-1])
		}
		warn(keys[0], "%s rated on a changed scale %q (levels were %s in version %s, now %s): ratings before and after the change cannot be compared", what, ch.scale, ch.was, ch.version, ch.now)
	}
	sort.SliceStable(notes, func(i, j int) bool { return notes[i].Line < notes[j].Line })
	for _, key := range order {
		if !current[key] {
			notes = append(notes, Note{d.File, 0, "info", fmt.Sprintf("%q (last in version %s) is no longer in the file: it is kept in old responses", key, latest[key].version)})
		}
	}
	return notes
}

func isRated(questionType string) bool {
	return survey.SpecOf(questionType).Rated
}

// values are the values of "value=label" answers.
func values(answers []string) []string {
	out := make([]string, len(answers))
	for i, a := range answers {
		out[i], _, _ = strings.Cut(a, "=")
	}
	return out
}

// wordOverlap is the share of distinct words (in lower case) that two
// texts have in common: the size of the intersection over the union.
// It is a rough measure of a reworded question, not of meaning.
func wordOverlap(a, b string) float64 {
	words := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			m[w] = true
		}
		return m
	}
	wa, wb := words(a), words(b)
	if len(wa) == 0 && len(wb) == 0 {
		return 1
	}
	both := 0
	for w := range wa {
		if wb[w] {
			both++
		}
	}
	return float64(both) / float64(len(wa)+len(wb)-both)
}

// lineOfID is the line (from 1) of the file where the id is given, or 0.
func lineOfID(lines []string, id string) int {
	re := regexp.MustCompile(`(^|[\s{,-])id:\s*["']?` + regexp.QuoteMeta(id) + `["']?\s*([,}#]|$)`)
	for i, l := range lines {
		if re.MatchString(l) {
			return i + 1
		}
	}
	return 0
}
