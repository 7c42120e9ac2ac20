package workbook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// source is the survey file a workbook makes, with the cell each of its
// lines came from, so that what survey.Parse says of a line can be said of
// its cell.
type source struct {
	b     bytes.Buffer
	cells []cell // by line, from line 1
	langs []string
}

// line writes one line of the file, from cell c.
func (s *source) line(c cell, indent int, format string, args ...any) {
	s.b.WriteString(strings.Repeat("  ", indent))
	fmt.Fprintf(&s.b, format, args...)
	s.b.WriteByte('\n')
	s.cells = append(s.cells, c)
}

// quote writes a value as a YAML double-quoted string (JSON's, which YAML
// reads): whatever a cell holds, it cannot change the file's structure.
func quote(v string) string {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	_ = e.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

// text writes a text field from column col of row rw in every language of
// the survey. A text blank in every language is written blank (for the
// rules to say it is required, where it is); one blank in only some is
// written without them, for the rules to say which wording is missing.
func (s *source) text(indent int, key string, rw row, col string) {
	s.textAs(indent, indent+1, key, rw, col)
}

// item writes a text field as the first field of an item of a list.
func (s *source) item(indent int, key string, rw row, col string) {
	s.textAs(indent, indent+2, "- "+key, rw, col)
}

func (s *source) textAs(indent, inner int, key string, rw row, col string) {
	if len(s.langs) == 1 {
		s.line(rw.at(col), indent, "%s: %s", key, quote(rw.get(col)))
		return
	}
	var missing []string
	for _, lang := range s.langs {
		if rw.get(langCol(col, lang)) == "" {
			missing = append(missing, lang)
		}
	}
	keyCell := rw.at(col)
	if len(missing) > 0 && len(missing) < len(s.langs) {
		keyCell = rw.at(langCol(col, missing[0]))
	}
	s.line(keyCell, indent, "%s:", key)
	for _, lang := range s.langs {
		v := rw.get(langCol(col, lang))
		if v != "" || len(missing) == len(s.langs) {
			s.line(rw.at(langCol(col, lang)), inner, "%s: %s", lang, quote(v))
		}
	}
}

func langCol(col, lang string) string {
	if lang == "en" {
		return col
	}
	return col + "::" + lang
}

// filled reports whether a text column of a row has a wording in any
// language.
func (s *source) filled(rw row, col string) bool {
	return slices.ContainsFunc(s.langs, func(l string) bool { return rw.get(langCol(col, l)) != "" })
}

// survey turns the rows read into a survey file.
func (r *reader) survey() *source {
	s := &source{langs: r.langs}
	// The same first line whatever the workbook is called: the version is
	// a hash of the file, and the same survey is the same version.
	s.line(cell{}, 0, "# Made from a survey workbook (iwtoolkit workbook --from): change the workbook, not this file.")

	var settings row
	for i, rw := range r.rows[sheetSettings] {
		if i == 0 {
			settings = rw
		} else if !rw.empty() {
			r.problem(cell{sheet: sheetSettings, row: rw.n}, "the settings sheet has one row of values, under the headers: move these to row 2")
		}
	}
	if settings.values == nil {
		settings = row{sheet: sheetSettings, n: 2, values: map[string]string{}, headers: map[string]string{}}
	}
	id, ok := fileName(settings.id("form_id"))
	if !ok {
		r.problem(settings.at("form_id"), "form_id %q must be the survey's id, as in its link: lowercase letters, digits and hyphens", settings.id("form_id"))
	}
	r.id = id
	if dl := strings.ToLower(settings.id("default_language")); dl != "" && dl != "en" && !strings.HasSuffix(dl, "(en)") && dl != "english" {
		r.problem(settings.at("default_language"), "the default language is always English (en): columns without :: are in English, and label::Cymraeg (cy) columns hold other languages")
	}
	s.text(0, "title", settings, "form_title")
	if v := settings.id("audience"); v != "" {
		s.line(settings.at("audience"), 0, "audience: %s", quote(v))
	}
	if v := settings.id("exit_page"); v != "" {
		s.line(settings.at("exit_page"), 0, "exit_page: %s", quote(v))
	}
	for _, col := range []string{"min_group_size", "round_counts_to", "retention_months"} {
		if n, ok := r.whole(settings, col); ok {
			s.line(settings.at(col), 0, "%s: %d", col, n)
		}
	}
	for _, col := range []string{"task_list", "invitation_only"} {
		if r.yesNo(settings, col) {
			s.line(settings.at(col), 0, "%s: true", col)
		}
	}
	if len(r.langs) > 1 {
		s.line(cell{sheet: sheetSettings}, 0, "languages: [%s]", strings.Join(r.langs, ", "))
	}

	texts := r.texts()
	for _, name := range []string{"introduction", "time_to_complete", "how_answers_are_used", "privacy_notice", "safeguarding_notice"} {
		if rw, ok := texts[name]; ok {
			s.text(0, name, rw, "text")
		}
	}
	if v := settings.get("safeguarding_lead"); v != "" {
		s.line(settings.at("safeguarding_lead"), 0, "safeguarding_lead: %s", quote(v))
	}
	var wordRows []string
	for _, name := range textNames() {
		if _, ok := texts[name]; ok && strings.HasPrefix(name, "words_") {
			wordRows = append(wordRows, name)
		}
	}
	if len(wordRows) > 0 {
		s.line(cell{sheet: sheetTexts}, 0, "words:")
		for _, name := range wordRows {
			s.text(1, strings.TrimPrefix(name, "words_"), texts[name], "text")
		}
	}
	help, hasHelp := texts["help_text"]
	contacts := nonEmpty(r.rows[sheetContacts])
	if hasHelp || len(contacts) > 0 {
		s.line(cell{sheet: sheetContacts}, 0, "help:")
		if hasHelp {
			s.text(1, "text", help, "text")
		}
		if len(contacts) > 0 {
			s.line(cell{sheet: sheetContacts}, 1, "contacts:")
		}
		for _, rw := range contacts {
			s.item(2, "name", rw, "name")
			for _, col := range []string{"phone", "website"} {
				if v := rw.id(col); v != "" {
					s.line(rw.at(col), 2, "  %s: %s", col, quote(v))
				}
			}
			s.text(3, "description", rw, "description")
		}
	}
	days := strings.Fields(strings.NewReplacer(",", " ", ";", " ").Replace(settings.get("reminder_days")))
	var emailRows []string
	for _, name := range textNames() {
		if _, ok := texts[name]; ok && strings.HasPrefix(name, "email_") {
			emailRows = append(emailRows, name)
		}
	}
	contact := settings.get("email_contact")
	if len(emailRows) > 0 || len(days) > 0 || contact != "" {
		s.line(cell{sheet: sheetTexts}, 0, "email:")
		if contact != "" {
			s.line(settings.at("email_contact"), 1, "contact: %s", quote(contact))
		}
		for _, name := range emailRows {
			s.text(1, strings.TrimPrefix(name, "email_"), texts[name], "text")
		}
		for _, d := range days {
			if _, err := strconv.Atoi(d); err != nil {
				r.problem(settings.at("reminder_days"), "%q is not a whole number of days: write the days apart, for example 7 14", d)
				days = nil
				break
			}
		}
		if len(days) > 0 {
			s.line(settings.at("reminder_days"), 1, "reminder_days: [%s]", strings.Join(days, ", "))
		}
	}
	if words := nonEmpty(r.rows[sheetWords]); len(words) > 0 {
		s.line(cell{sheet: sheetWords}, 0, "safeguarding_words:")
		for _, rw := range words {
			s.line(rw.at("word"), 1, "- %s", quote(rw.get("word")))
		}
	}

	if rounds := nonEmpty(r.rows[sheetRounds]); len(rounds) > 0 {
		s.line(cell{sheet: sheetRounds}, 0, "rounds:")
		for _, rw := range rounds {
			s.line(rw.at("id"), 1, "- id: %s", quote(rw.id("id")))
			s.text(2, "label", rw, "label")
			for _, col := range []string{"open", "practice"} {
				if r.yesNo(rw, col) {
					s.line(rw.at(col), 2, "%s: true", col)
				}
			}
		}
	}

	scales, lists := r.lists()
	if len(scales) > 0 {
		s.line(cell{sheet: sheetScales}, 0, "scales:")
	}
	for _, sc := range scales {
		name := sc.id("name")
		s.line(sc.at("name"), 1, "%s:", quote(name))
		// levels first: what the rules say of the whole scale is said at
		// its first line, which is then the scale's name.
		levels := lists[name]
		if len(levels) == 0 {
			s.line(sc.at("name"), 2, "levels: []")
		} else {
			s.line(sc.at("name"), 2, "levels:")
			for _, rw := range levels {
				n, err := strconv.Atoi(rw.id("name"))
				if err != nil {
					r.breaks(rw.at("name"), "a level of scale %q is a whole number (1, 2, 3…): %q is not", name, rw.id("name"))
				}
				s.line(rw.at("name"), 3, "- value: %d", n)
				s.text(4, "label", rw, "label")
				s.text(4, "descriptor", rw, "descriptor")
				if v := rw.id("face"); v != "" {
					s.line(rw.at("face"), 4, "face: %s", quote(v))
				}
				if s.filled(rw, "hint") {
					r.problem(rw.at("hint"), "a scale's level has no hint: write what the level looks like in practice under descriptor")
				}
			}
		}
		for _, col := range []string{"dont_know", "not_applicable"} {
			if r.yesNo(sc, col) {
				s.line(sc.at(col), 2, "%s: true", col)
			}
		}
	}

	sections := r.structure(scales, lists)
	tags := r.tags(sections)
	if len(sections) == 0 {
		s.line(cell{sheet: sheetSurvey}, 0, "sections: []")
	} else {
		s.line(cell{sheet: sheetSurvey}, 0, "sections:")
	}
	for _, sec := range sections {
		rw := sec.row
		s.line(rw.at("name"), 1, "- id: %s", quote(rw.id("name")))
		s.text(2, "title", rw, "label")
		if s.filled(rw, "hint") {
			s.text(2, "description", rw, "hint")
		}
		r.condition(s, 2, rw)
		if ts := tags[rw.id("name")]; len(ts) > 0 {
			s.line(ts[0].at("section"), 2, "tags:")
			for _, k := range tagKinds {
				first := true
				for _, t := range ts {
					if t.id("kind") != k.name {
						continue
					}
					if first {
						s.line(t.at("kind"), 3, "%s:", k.name)
						first = false
					}
					s.line(t.at("tag"), 4, "- %s", quote(strings.TrimSpace(t.get("tag"))))
				}
			}
		}
		if len(sec.questions) > 0 {
			s.line(rw.at("type"), 2, "questions:")
		}
		for _, q := range sec.questions {
			r.question(s, q, lists)
		}
	}
	r.indicators(s)
	return s
}

// indicators writes the indicators sheet's rows. What they name is
// checked by the rules every survey file meets: a question that does not
// exist is reported at its cell.
func (r *reader) indicators(s *source) {
	rows := nonEmpty(r.rows[sheetIndicators])
	if len(rows) == 0 {
		return
	}
	s.line(cell{sheet: sheetIndicators}, 0, "indicators:")
	for _, rw := range rows {
		// type first: what the rules say of the whole indicator is said
		// at its first line, and is about its type.
		s.line(rw.at("type"), 1, "- type: %s", quote(strings.ToLower(rw.id("type"))))
		s.line(rw.at("name"), 2, "id: %s", quote(rw.id("name")))
		s.text(2, "title", rw, "label")
		for _, col := range []string{"answer", "level"} {
			if v := rw.id(col); v != "" {
				s.line(rw.at(col), 2, "%s: %s", col, quote(v))
			}
		}
		for _, col := range []string{"apart", "questions", "by"} {
			names := strings.FieldsFunc(rw.get(col), func(c rune) bool { return c == ',' || c == ';' || unicode.IsSpace(c) })
			if len(names) == 0 {
				continue
			}
			s.line(rw.at(col), 2, "%s:", col)
			for _, n := range names {
				s.line(rw.at(col), 3, "- %s", quote(n))
			}
		}
	}
}

func nonEmpty(rows []row) []row {
	return slices.DeleteFunc(slices.Clone(rows), func(r row) bool { return r.empty() })
}

// texts reads the texts sheet, by name.
func (r *reader) texts() map[string]row {
	texts := map[string]row{}
	for _, rw := range nonEmpty(r.rows[sheetTexts]) {
		name := strings.ToLower(rw.id("name"))
		switch {
		case !slices.Contains(textNames(), name):
			if m, ok := nearest(name, textNames()); ok {
				r.problem(rw.at("name"), "%q is not a text the survey has: did you mean %s?", rw.id("name"), m)
			} else {
				r.problem(rw.at("name"), "%q is not a text the survey has (%s)", rw.id("name"), strings.Join(textNames(), ", "))
			}
		case texts[name].values != nil:
			r.problem(rw.at("name"), "%s is on the texts sheet twice (row %d too): keep one", name, texts[name].n)
		default:
			texts[name] = rw
		}
	}
	return texts
}

// lists reads the scales sheet and the choices sheet: the scales in order,
// and every list's rows by list_name.
func (r *reader) lists() ([]row, map[string][]row) {
	var scales []row
	seen := map[string]int{}
	for _, rw := range nonEmpty(r.rows[sheetScales]) {
		name := rw.id("name")
		if n, ok := seen[name]; ok {
			r.problem(rw.at("name"), "scale %q is on the scales sheet twice (row %d too): keep one", name, n)
			continue
		}
		seen[name] = rw.n
		scales = append(scales, rw)
	}
	lists := map[string][]row{}
	levelsOnly := map[string]bool{} // lists reported for a descriptor or face
	for _, rw := range nonEmpty(r.rows[sheetChoices]) {
		name := rw.id("list_name")
		if name == "" {
			r.problem(rw.at("list_name"), "list_name is required: the list this answer belongs to")
			continue
		}
		if _, scale := seen[name]; !scale && !levelsOnly[name] {
			for _, col := range []string{"descriptor", "face"} {
				if (col == "face" && rw.id(col) != "") || (col != "face" && r.filledAny(rw, col)) && !levelsOnly[name] {
					r.problem(rw.at(col), "only a scale's levels have a %s: add %s to the scales sheet, or leave the %s of list %s blank", col, name, col, name)
					levelsOnly[name] = true
				}
			}
		}
		lists[name] = append(lists[name], rw)
	}
	return scales, lists
}

func (r *reader) filledAny(rw row, col string) bool {
	return slices.ContainsFunc(r.langs, func(l string) bool { return rw.get(langCol(col, l)) != "" })
}

// tags reads the tags sheet, by section.
func (r *reader) tags(sections []*section) map[string][]row {
	ids := map[string]bool{}
	var names []string
	for _, s := range sections {
		ids[s.row.id("name")] = true
		names = append(names, s.row.id("name"))
	}
	kinds := make([]string, len(tagKinds))
	for i, k := range tagKinds {
		kinds[i] = k.name
	}
	tags := map[string][]row{}
	for _, rw := range nonEmpty(r.rows[sheetTags]) {
		sec, kind := rw.id("section"), rw.id("kind")
		switch {
		case !ids[sec]:
			hint := ""
			if m, ok := nearest(sec, names); ok {
				hint = ": did you mean " + m + "?"
			}
			r.problem(rw.at("section"), "%q is not the name of a section (a begin_group row of the survey sheet)%s", sec, hint)
		case !slices.Contains(kinds, kind):
			hint := " (" + strings.Join(kinds, ", ") + ")"
			if m, ok := nearest(kind, kinds); ok {
				hint = ": did you mean " + m + "?"
			}
			r.problem(rw.at("kind"), "%q is not a kind of tag%s", kind, hint)
		case strings.TrimSpace(rw.get("tag")) == "":
			r.problem(rw.at("tag"), "the tag is blank")
		default:
			tags[sec] = append(tags[sec], rw)
		}
	}
	return tags
}
