package report

import (
	"fmt"
	"strings"

	"iwtoolkit/internal/stats"
)

// StrandChart is one strand's statements as horizontal bars, one bar per
// shown round, laid out here and drawn by the page as SVG. The Board pack
// uses it instead of an ECharts chart: it needs no script, so it prints
// the same at any size, and its figures are Compare's, not counted again.
type StrandChart struct {
	ID            string // unique on the page, for the SVG's title and patterns
	Width, Height int
	PlotLeft      int // where the bars start, the lowest level
	PlotRight     int
	AxisY         int // the baseline of the axis labels
	TitleY        int // the baseline of the axis title, under the levels' names
	Ticks         []ChartTick
	Rows          []ChartRow
	Series        []ChartSeries
	Description   string
}

// ChartTick is one level on the axis, with its grid line: its value and
// its name from the survey's scale ("Not yet in place"), in lines.
type ChartTick struct {
	X     int
	Label string
	Names []ChartLine
}

// levelChars is how long a line of a level's name under the axis may be:
// five levels' names fit side by side in the chart's width.
const levelChars = 10

// ChartRow is one statement: its label (in lines) and its bars.
type ChartRow struct {
	Y     int // the top of the row
	Lines []ChartLine
	Bars  []ChartBar
}

// ChartLine is one line of a statement's label.
type ChartLine struct {
	Y    int
	Text string
}

// ChartBar is one round's mean for one statement. A bar with no ratings
// has no width and says so.
type ChartBar struct {
	Series     int
	X, Y, W, H int
	TextX      int
	TextY      int
	Text       string
}

// ChartSeries is one shown round: its colour and whether its bars are
// hatched, so that rounds differ without colour.
type ChartSeries struct {
	Label   string
	Fill    string
	Hatched bool
	Pattern string // the id of its hatch pattern
	LegendY int
}

// Strand chart geometry, in SVG user units (pixels at 100%).
const (
	chartWidth  = 720
	labelWidth  = 300 // statement labels, right-aligned before the bars
	valueWidth  = 70  // the value written after each bar
	barHeight   = 16
	barGap      = 3
	rowGap      = 14
	lineHeight  = 14
	labelChars  = 36
	chartTop    = 10
	axisSpace   = 44 // tick labels and the axis title
	legendSpace = 22 // per series
)

// StrandChart lays out the chart of strand i (an index of c.Sections):
// the mean of each statement in each round whose figures are shown.
// Suppressed rounds have no bars at all.
func (c *Comparison) StrandChart(i int) StrandChart {
	d := c.Sections[i]
	lo, hi := d.Scale.Levels[0].Value, d.Scale.Levels[len(d.Scale.Levels)-1].Value
	ch := StrandChart{ID: "chart-" + d.Section.ID, Width: chartWidth, PlotLeft: labelWidth, PlotRight: chartWidth - valueWidth}
	plot := ch.PlotRight - ch.PlotLeft
	x := func(v float64) int {
		if hi == lo {
			return ch.PlotLeft
		}
		return ch.PlotLeft + int((v-float64(lo))/float64(hi-lo)*float64(plot)+0.5)
	}
	shown := c.shownRounds()
	for k, ri := range shown {
		s := ChartSeries{Label: c.Rounds[ri].Round.Label, Fill: palette[k%len(palette)], Hatched: k%2 == 1}
		if s.Hatched {
			s.Pattern = fmt.Sprintf("%s-hatch-%d", ch.ID, k)
		}
		ch.Series = append(ch.Series, s)
	}
	y := chartTop
	for _, row := range d.Rows {
		lines := strings.Split(wrap(row.Statement.Text, labelChars), "\n")
		bars := max(len(shown)*(barHeight+barGap)-barGap, 0)
		h := max(len(lines)*lineHeight, bars)
		r := ChartRow{Y: y}
		top := y + (h-len(lines)*lineHeight)/2
		for j, l := range lines {
			r.Lines = append(r.Lines, ChartLine{Y: top + (j+1)*lineHeight - 3, Text: l})
		}
		by := y + (h-bars)/2
		for k, ri := range shown {
			f := row.Rounds[ri].Figures
			b := ChartBar{Series: k, X: ch.PlotLeft, Y: by + k*(barHeight+barGap), H: barHeight, Text: "no ratings"}
			if f.Scored > 0 {
				b.W = x(f.Mean) - ch.PlotLeft
				b.Text = stats.Figure(f.Mean)
			}
			b.TextX, b.TextY = ch.PlotLeft+b.W+4, b.Y+barHeight-4
			r.Bars = append(r.Bars, b)
		}
		ch.Rows = append(ch.Rows, r)
		y += h + rowGap
	}
	ch.AxisY = y + 4
	names := 0
	for _, l := range d.Scale.Levels {
		t := ChartTick{X: x(float64(l.Value)), Label: fmt.Sprint(l.Value)}
		for j, line := range strings.Split(wrap(l.Label, levelChars), "\n") {
			t.Names = append(t.Names, ChartLine{Y: ch.AxisY + 14 + (j+1)*lineHeight, Text: line})
		}
		names = max(names, len(t.Names))
		ch.Ticks = append(ch.Ticks, t)
	}
	ch.TitleY = ch.AxisY + 32 + names*lineHeight
	y += axisSpace + names*lineHeight
	for k := range ch.Series {
		ch.Series[k].LegendY = y + k*legendSpace
	}
	ch.Height = y + len(ch.Series)*legendSpace + 4
	rounds := make([]string, len(ch.Series))
	for k, s := range ch.Series {
		rounds[k] = s.Label
	}
	ch.Description = fmt.Sprintf("Bar chart of the mean rating of each statement of %s, from %d to %d", d.Section.Title, lo, hi)
	if len(rounds) > 0 {
		ch.Description += ", by round: " + strings.Join(rounds, ", ")
	} else {
		ch.Description += ": no round has enough responses to show"
	}
	ch.Description += ". The same figures are in the table that follows."
	return ch
}
