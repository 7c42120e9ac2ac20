package report

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
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
// responses) and labels it from the codebook. Coded answers are read as
// text and recoded into their codes (the codebook's, as in the Excel Codes
// sheet); numbers are read as text and converted, since the CSV guards a
// leading minus sign with a quote; text stays text.
func WriteSPSSSyntax(w io.Writer, d *survey.Definition, csvName string) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format+"\n", args...) }
	vars := Codebook(d)
	p("* Encoding: UTF-8.")
	p("* %s (%s), version %s: raw responses with labels.", oneLine(d.Title), d.ID, d.Version)
	p("* Reads %s, the raw responses as downloaded from the report page; run it", csvName)
	p("* in the folder that holds that file, or give FILE its full path.")
	p("* Missing-value codes: %d Don't know, %d Not applicable, %d Prefer not to say.", CodeDontKnow, CodeNotApplicable, CodePreferNotToSay)
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
		if v.Coded() || v.Type == survey.TypeNumber {
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
			for _, x := range v.Values {
				fmt.Fprintf(&b, "\n  (%s=%d)", quote(x.Value), x.Code)
			}
			fmt.Fprintf(&b, "\n  (ELSE=SYSMIS) INTO %s.", v.Name)
			p("%s", b.String())
		case v.Type == survey.TypeNumber:
			p("COMPUTE %s = $SYSMIS.", v.Name)
			p("IF (%s NE '') %s = NUMBER(LTRIM(%s, \"'\"), F32.0).", read[i], v.Name, read[i])
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
	first := true
	for _, v := range vars {
		if !v.Coded() {
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
		for _, x := range v.Values {
			p("    %d %s", x.Code, quote(clip(x.Label, 120)))
		}
	}
	if !first {
		p(".")
	}
	p("")
	missing := map[string][]string{} // missing codes, as a list, to the variables that have them
	var order []string
	for _, v := range vars {
		var codes []string
		for _, x := range v.Values {
			if x.Missing {
				codes = append(codes, strconv.Itoa(x.Code))
			}
		}
		if len(codes) == 0 {
			continue
		}
		list := strings.Join(codes, ", ")
		if _, ok := missing[list]; !ok {
			order = append(order, list)
		}
		missing[list] = append(missing[list], v.Name)
	}
	for _, list := range order {
		p("MISSING VALUES %s (%s).", nameList(missing[list]), list)
	}
	var coded, scales []string
	for _, v := range vars {
		switch {
		case v.Type == survey.TypeScale || v.Type == survey.TypeGrid:
			scales = append(scales, v.Name)
		case v.Coded():
			coded = append(coded, v.Name)
		}
	}
	if all := slices.Concat(coded, scales); len(all) > 0 {
		p("FORMATS %s (F3.0).", nameList(all))
	}
	if len(coded) > 0 {
		p("VARIABLE LEVEL %s (NOMINAL).", nameList(coded))
	}
	if len(scales) > 0 {
		p("VARIABLE LEVEL %s (ORDINAL).", nameList(scales))
	}
	p("EXECUTE.")
	return bw.Flush()
}

// width is the width a column is read with, in bytes: a text answer's
// longest in UTF-8 (up to 4 bytes a character, and its guarding quote), a
// coded or multiple answer's longest value.
func width(v Variable) int {
	w := 1
	switch v.Type {
	case "reference":
		w = 40
	case "submitted":
		w = 20
	case survey.TypeNumber:
		w = 40
	case survey.TypeText, survey.TypeLongText:
		w = min(4*v.MaxLength+1, 32767)
	case survey.TypeMultiple:
		for _, o := range v.Options {
			w += len(o.Value) + 1
		}
	}
	for _, x := range v.Values {
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
