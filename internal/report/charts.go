package report

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"iwtoolkit/internal/stats"
	"iwtoolkit/internal/survey"
)

// Charts are built with go-echarts and handed to the page as JSON options,
// never as go-echarts' own HTML snippets: those carry inline script and
// style (which the Content-Security-Policy blocks) and do not escape labels.
// A static script feeds the JSON to ECharts.

// commonOptions are shared by every chart: no animation, a legend, a
// description for screen readers, and decal patterns so that series differ
// without colour.
func commonOptions(description string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithAnimation(false),
		charts.WithColorsOpts(palette),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithAriaOpts(&opts.Aria{
			Enabled: opts.Bool(true),
			Label:   &opts.AriaLabel{Enabled: opts.Bool(true), Description: description},
			Decal:   &opts.AriaDecal{Show: opts.Bool(true)},
		}),
	}
}

// palette is GOV.UK colours that each have at least 3:1 contrast against
// white, as WCAG asks of graphics.
var palette = opts.Colors{"#1d70b8", "#912b88", "#00703c", "#4c2c92", "#505a5f"}

// textColour is GOV.UK's text colour: ECharts' default grey is too faint.
const textColour = "#0b0c0c"

// wrap breaks a label into lines of about width characters at spaces, as
// ECharts does not wrap axis labels itself.
func wrap(s string, width int) string {
	var b strings.Builder
	line := 0
	for i, word := range strings.Fields(s) {
		if i > 0 && line+1+len(word) > width {
			b.WriteByte('\n')
			line = 0
		} else if i > 0 {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += len(word)
	}
	return b.String()
}

// shownRounds returns the indexes of the rounds whose figures are shown.
func (c *Comparison) shownRounds() []int {
	var idx []int
	for i, r := range c.Rounds {
		if !r.Suppressed {
			idx = append(idx, i)
		}
	}
	return idx
}

// round2 keeps charts' numbers to the decimals the tables show: stats'
// one rounding.
func round2(f float64) float64 { return stats.Round(f) }

// levelNames are the names of the levels of the scales the strands use,
// by value ("1": "Not yet\nin place"), wrapped to fit under an axis. The
// page's script (charts.js) turns a value axis's axisLabel.levels into
// the labels' formatter: ECharts takes a function there, which JSON
// cannot carry. Where strands use scales that name a value differently,
// the first strand's name is kept.
func (c *Comparison) levelNames() map[string]string {
	out := map[string]string{}
	for _, l := range c.levels() {
		out[fmt.Sprint(l.Value)] = wrap(l.Label, 10)
	}
	return out
}

// levels are the levels of the scales the strands use, lowest first; where
// strands' scales name a value differently, the first strand's name.
func (c *Comparison) levels() []survey.Level {
	seen := map[int]bool{}
	var levels []survey.Level
	for _, d := range c.Sections {
		for _, l := range d.Scale.Levels {
			if !seen[l.Value] {
				seen[l.Value] = true
				levels = append(levels, l)
			}
		}
	}
	slices.SortFunc(levels, func(a, b survey.Level) int { return a.Value - b.Value })
	return levels
}

// LevelNames are the levels of the scales the strands use, lowest first,
// as "1 Not yet in place": the radar's rings, which ECharts cannot name
// on one spoke only, are named under the chart.
func (c *Comparison) LevelNames() []string {
	levels := c.levels()
	out := make([]string, len(levels))
	for i, l := range levels {
		out[i] = fmt.Sprintf("%d %s", l.Value, l.Label)
	}
	return out
}

// levelAxis is a value axis from the lowest level to the highest, one
// tick per level, each named.
func (c *Comparison) levelAxis() map[string]any {
	return map[string]any{
		"type": "value", "min": c.scaleMin(), "max": c.scaleMax(), "interval": 1,
		"axisLabel": map[string]any{"color": textColour, "levels": c.levelNames(), "hideOverlap": false},
	}
}

// narrow is ECharts' media query for a phone's width: the options under
// it apply when the chart is at most 500 px wide.
func narrow(option map[string]any) []map[string]any {
	return []map[string]any{{"query": map[string]any{"maxWidth": 500}, "option": option}}
}

// BarChart is the mean of each strand as grouped bars, one bar per round,
// each with its value written after it. The bars run across, so that
// strand names can be read in full; the value axis names the levels. The
// legend is at the top, clear of the axis labels, and on a phone the
// levels' names turn so that they do not run into each other.
func (c *Comparison) BarChart() ([]byte, error) {
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(commonOptions(c.description("Bar chart")),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Interval: "0", Color: textColour}}),
		charts.WithGridOpts(opts.Grid{ContainLabel: opts.Bool(true), Left: "10", Right: "40", Top: "60", Bottom: "10"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0", Left: "0", Right: "50"}),
	)...)
	names := make([]string, len(c.Strands))
	for i, s := range c.Strands {
		names[i] = wrap(s.Section.Title, 20)
	}
	bar.SetXAxis(names).XYReversal()
	for _, ri := range c.shownRounds() {
		data := make([]opts.BarData, len(c.Strands))
		for i, s := range c.Strands {
			data[i] = opts.BarData{Name: names[i], Value: c.value(s.Figures[ri])}
			if data[i].Value == "-" {
				// No bar, so no value by it: ECharts cannot place one.
				data[i].Label = &opts.Label{Show: opts.Bool(false)}
			}
		}
		bar.AddSeries(c.Rounds[ri].Round.Label, data,
			charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "right", Color: textColour, Formatter: "{c}"}))
	}
	return chartJSON(bar, func(o map[string]any) error {
		o["xAxis"] = []any{c.levelAxis()}
		// Room between the lines of a wrapped strand name; go-echarts
		// writes its lineHeight as a string, which ECharts cannot place.
		var ys []map[string]any
		if err := roundTrip(o["yAxis"], &ys); err != nil {
			return err
		}
		for _, y := range ys {
			if l, ok := y["axisLabel"].(map[string]any); ok {
				l["lineHeight"] = 15
			}
		}
		o["yAxis"] = ys
		return withMedia(o, narrow(map[string]any{
			"grid":   map[string]any{"top": 80},
			"xAxis":  []any{map[string]any{"axisLabel": map[string]any{"rotate": 45}}},
			"legend": map[string]any{"itemGap": 6},
		}))
	})
}

// withMedia makes options responsive: ECharts takes the options as they
// are as its baseOption, and media's options where their query holds.
func withMedia(o map[string]any, media []map[string]any) error {
	base := map[string]any{}
	for k, v := range o {
		base[k] = v
		delete(o, k)
	}
	o["baseOption"], o["media"] = base, media
	return nil
}

// RadarChart is the same figures as a radar, one outline per round, each
// point with its value written by it. The strands' names are wrapped
// short, and on a phone the radar is smaller, so that no name is cut at
// the chart's edge, and its points carry no values, which would run into
// each other there (the table under the chart has them).
func (c *Comparison) RadarChart() ([]byte, error) {
	radar := charts.NewRadar()
	indicators := make([]*opts.Indicator, len(c.Strands))
	for i, s := range c.Strands {
		indicators[i] = &opts.Indicator{Name: wrap(s.Section.Title, 14), Min: float32(c.scaleMin()), Max: float32(c.scaleMax())}
	}
	radar.SetGlobalOptions(append(commonOptions(c.description("Radar chart")),
		charts.WithRadarComponentOpts(opts.RadarComponent{
			Indicator: indicators, Shape: "polygon", SplitNumber: c.scaleMax() - c.scaleMin(),
			AxisName: &opts.AxisName{Color: textColour, FontSize: 12, LineHeight: 15},
		}),
	)...)
	for _, ri := range c.shownRounds() {
		values := make([]any, len(c.Strands))
		for i, s := range c.Strands {
			values[i] = c.value(s.Figures[ri])
		}
		radar.AddSeries(c.Rounds[ri].Round.Label, []opts.RadarData{{Name: c.Rounds[ri].Round.Label, Value: values}},
			charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Color: textColour, Formatter: "{c}"}))
	}
	// Room for the strand names around the radar: go-echarts has no field
	// for its radius.
	return chartJSON(radar, func(options map[string]any) error {
		r, err := asMap(options["radar"])
		if err != nil {
			return err
		}
		r["radius"], r["center"] = "60%", []string{"50%", "48%"}
		options["radar"] = r
		quiet := make([]any, len(c.shownRounds()))
		for i := range quiet {
			quiet[i] = map[string]any{"label": map[string]any{"show": false}}
		}
		return withMedia(options, narrow(map[string]any{
			"radar":  map[string]any{"radius": "42%", "center": []string{"50%", "45%"}, "axisName": map[string]any{"fontSize": 11, "lineHeight": 13}},
			"series": quiet,
		}))
	})
}

// value is a mean for a chart; "-" is ECharts' mark for no value.
func (c *Comparison) value(f Figures) any {
	if f.Scored == 0 {
		return "-"
	}
	return round2(f.Mean)
}

func (c *Comparison) description(kind string) string {
	return fmt.Sprintf("%s of the mean level of each strand by round. The same figures are in the table that follows.", kind)
}

// scaleMin and scaleMax bound the axes by the lowest and highest level of the
// scales the strands use.
func (c *Comparison) scaleMin() int {
	m := math.MaxInt
	for _, d := range c.Sections {
		m = min(m, d.Scale.Levels[0].Value)
	}
	return m
}

func (c *Comparison) scaleMax() int {
	m := math.MinInt
	for _, d := range c.Sections {
		m = max(m, d.Scale.Levels[len(d.Scale.Levels)-1].Value)
	}
	return m
}

type chart interface {
	Validate()
	JSON() map[string]any
}

// chartJSON turns a chart into ECharts options as JSON. adjust, if not nil,
// sets options that go-echarts has no fields for.
func chartJSON(ch chart, adjust func(map[string]any) error) ([]byte, error) {
	ch.Validate()
	options := ch.JSON()
	// go-echarts adds its own bookkeeping that ECharts does not read.
	for _, k := range []string{"assets", "chartID", "renderer", "theme", "initialization"} {
		delete(options, k)
	}
	// Rich-text tooltips need no inline HTML styles, which the CSP blocks;
	// go-echarts has no field for the render mode.
	options["tooltip"] = map[string]any{"show": true, "renderMode": "richText"}
	// A button to download the chart as an image. The charts are drawn as
	// SVG, which is what ECharts saves from an SVG chart.
	options["toolbox"] = map[string]any{"show": true, "right": 10, "feature": map[string]any{
		"saveAsImage": map[string]any{"show": true, "type": "svg", "title": "Download as image"},
	}}
	if adjust != nil {
		if err := adjust(options); err != nil {
			return nil, fmt.Errorf("report: chart options: %w", err)
		}
	}
	b, err := json.Marshal(options)
	if err != nil {
		return nil, fmt.Errorf("report: chart options: %w", err)
	}
	return b, nil
}

// asMap turns one of go-echarts' option structs into a map, to add to it.
func asMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	return m, json.Unmarshal(b, &m)
}

// roundTrip copies v into out through JSON.
func roundTrip(v, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}
