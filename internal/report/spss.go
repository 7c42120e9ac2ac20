package report

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"iwtoolkit/internal/survey"
)

// No maintained Go writer of SPSS .sav files was found (December 2026), so
// the SPSS export is syntax: a .sps file that reads the raw-responses CSV
// (responses.csv, as downloaded) and gives every column its variable
// label, every coded answer its code and value label, and Don't know, Not
// applicable and Prefer not to say their missing-value codes. It depends
// only on the survey definition, so it is small and the same for any
// number of responses.

// WriteSPSSSyntax writes SPSS syntax that reads csvName (the CSV of raw
// responses) and labels it from the codebook (rounds are all the survey's
// rounds, as for Codebook). Coded answers are read as text and recoded
// into their codes (the codebook's, as in the Excel Codes sheet); numbers
// are read as text and converted, since the CSV guards a leading minus
// sign with a quote; text stays text. A cell with no answer gets its code
// (left blank, not asked, not a valid answer), a missing value. Ratings
// are shown with two decimals, so that MEANS and DESCRIPTIVES print their
// means and standard deviations so (with F3.0 PSPP's MEANS printed 2.98
// as 3).
func WriteSPSSSyntax(w io.Writer, d *survey.Definition, rounds []survey.Round, csvName string) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format+"\n", args...) }
	vars := Codebook(d, rounds)
	p("* Encoding: UTF-8.")
	p("* %s (%s), version %s: raw responses with labels.", oneLine(d.Title), d.ID, d.Version)
	p("* Reads %s, the raw responses as downloaded from the report page; run it", csvName)
	p("* in the folder that holds that file, or give FILE its full path.")
	p("* Missing-value codes: %d Don't know, %d Not applicable, %d Prefer not to say,", CodeDontKnow, CodeNotApplicable, CodePreferNotToSay)
	p("* %d Not answered (asked, left blank), %d Not asked, %d Not a valid answer (a stored", CodeNotAnswered, CodeNotAsked, CodeInvalid)
	p("* answer outside its question's values: see the export's notes).")
	p("")
	p("GET DATA")
	p("  /TYPE=TXT")
	p("  /FILE=%s", quote(csvName))
	p("  /ENCODING='UTF-8'")
	p("  /ARRANGEMENT=DELIMITED")
	p("  /DELCASE=LINE")
	p("  /FIRSTCASE=2")
	p("  /DELIMITERS=\",\"")
	p("  /QUALIFIER='\"'")
	p("  /VARIABLES=")
	read := make([]string, len(vars)) // the name each column is read as
	taken := map[string]bool{}
	for _, v := range vars {
		taken[strings.ToLower(v.Name)] = true
	}
	for i, v := range vars {
		read[i] = v.Name
		if v.Numeric() {
			read[i] = spssName("raw_"+v.Name, taken)
		}
		p("    %s A%d", read[i], width(v))
	}
	p(".")
	p("")
	for i, v := range vars {
		switch {
		case v.Coded():
			var b strings.Builder
			fmt.Fprintf(&b, "RECODE %s", read[i])
			for _, x := range slices.Concat(v.Values, v.Missing()) {
				fmt.Fprintf(&b, "\n  (%s=%d)", quote(x.Value), x.Code)
			}
			fmt.Fprintf(&b, "\n  (ELSE=SYSMIS) INTO %s.", v.Name)
			p("%s", b.String())
		case v.spec().Number:
			var b strings.Builder
			fmt.Fprintf(&b, "RECODE %s", read[i])
			for _, x := range v.Missing() {
				fmt.Fprintf(&b, " (%s=%d)", quote(x.Value), x.Code)
			}
			fmt.Fprintf(&b, " (ELSE=SYSMIS) INTO %s.", v.Name)
			p("%s", b.String())
			p("IF (SYSMIS(%s)) %s = NUMBER(LTRIM(%s, \"'\"), F32.0).", v.Name, v.Name, read[i])
		}
	}
	names := make([]string, len(vars))
	for i, v := range vars {
		names[i] = v.Name
	}
	p("MATCH FILES /FILE=*\n  /KEEP=%s.", nameList(names))
	p("")
	p("VARIABLE LABELS")
	for i, v := range vars {
		sep := "/"
		if i == 0 {
			sep = " "
		}
		p("  %s%s %s", sep, v.Name, quote(clip(v.Label, 250)))
	}
	p(".")
	p("")
	// Codes have labels; so do a text's or multiple choice's own values
	// for no answer (not-asked, invalid), which stay text: SPSS's missing
	// values of a string are at most 8 bytes.
	first := true
	for _, v := range vars {
		var labels []string
		for _, x := range slices.Concat(v.Values, v.Missing()) {
			switch {
			case v.Numeric():
				labels = append(labels, fmt.Sprintf("%d %s", x.Code, quote(clip(x.Label, 120))))
			case x.Value != "":
				labels = append(labels, quote(x.Value)+" "+quote(clip(x.Label, 120)))
			}
		}
		if len(labels) == 0 {
			continue
		}
		if first {
			p("VALUE LABELS")
		}
		sep := "/"
		if first {
			sep = " "
		}
		first = false
		p("  %s%s", sep, v.Name)
		for _, l := range labels {
			p("    %s", l)
		}
	}
	if !first {
		p(".")
	}
	p("")
	// Every negative code is a missing value: the codes the toolkit gives
	// (a number's own answers may be small negatives, so there only those
	// that say why a cell holds no answer).
	var coded, scales, numbers []string
	for _, v := range vars {
		switch m := v.spec().Measure; {
		case m == "ordinal":
			scales = append(scales, v.Name)
		case m == "scale":
			numbers = append(numbers, v.Name)
		case m == "nominal", v.Question == "" && v.Coded(): // the round's codes too
			coded = append(coded, v.Name)
		}
	}
	if all := slices.Concat(coded, scales); len(all) > 0 {
		p("MISSING VALUES %s (%d THRU -1).", nameList(all), CodeInvalid)
	}
	if len(numbers) > 0 {
		p("MISSING VALUES %s (%d THRU %d).", nameList(numbers), CodeInvalid, CodeNotAnswered)
	}
	if len(coded) > 0 {
		p("FORMATS %s (F3.0).", nameList(coded))
		p("VARIABLE LEVEL %s (NOMINAL).", nameList(coded))
	}
	if len(scales) > 0 {
		p("FORMATS %s (F5.2).", nameList(scales))
		p("VARIABLE LEVEL %s (ORDINAL).", nameList(scales))
	}
	if len(numbers) > 0 {
		p("FORMATS %s (F8.2).", nameList(numbers))
		p("VARIABLE LEVEL %s (SCALE).", nameList(numbers))
	}
	p("EXECUTE.")
	return bw.Flush()
}

// width is the width a column is read with, in bytes: a text answer's
// longest in UTF-8 (up to 4 bytes a character, and its guarding quote), a
// coded or multiple answer's longest value.
func width(v Variable) int {
	w := 1
	switch spec := v.spec(); {
	case v.Type == "reference":
		w = 40
	case v.Type == "submitted":
		w = 20
	case v.Type == "round":
		w = 64 // the longest round id: 63 in a survey file, 40 added by staff
	case spec.Number:
		w = 40
	case spec.Text:
		w = min(4*v.MaxLength+1, 32767)
	case spec.Multiple:
		for _, o := range v.Options {
			w += len(o.Value) + 1
		}
	}
	for _, x := range slices.Concat(v.Values, v.Missing()) {
		w = max(w, len(x.Value))
	}
	return w
}

// quote is an SPSS string: in single quotes, a quote doubled, on one line.
func quote(s string) string {
	return "'" + strings.ReplaceAll(oneLine(s), "'", "''") + "'"
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// clip cuts s to at most n bytes, at a character's boundary: SPSS's limits
// on labels are in bytes.
func clip(s string, n int) string {
	s = oneLine(s)
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// nameList lists names, a few a line.
func nameList(names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			if i%8 == 0 {
				b.WriteString("\n   ")
			}
			b.WriteByte(' ')
		}
		b.WriteString(n)
	}
	return b.String()
}
