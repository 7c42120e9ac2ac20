package report

import (
	"fmt"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// lineSymbols and lineTypes tell the lines of a trend apart without colour.
var (
	lineSymbols = []string{"circle", "rect", "triangle", "diamond", "pin", "arrow", "roundRect", "emptyCircle"}
	lineTypes   = []string{"solid", "dashed", "dotted"}
)

// TrendChart is the mean of each strand across three or more rounds, one
// line per strand, each with its own marker and dash.
func (c *Comparison) TrendChart() ([]byte, error) {
	line := charts.NewLine()
	line.SetGlobalOptions(append(commonOptions("Line chart of the mean level of each strand in each round. The same figures are in the table that follows."),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Min: c.scaleMin(), Max: c.scaleMax(), AxisLabel: &opts.AxisLabel{Color: textColour}}),
		charts.WithXAxisOpts(opts.XAxis{AxisLabel: &opts.AxisLabel{Color: textColour}}),
		charts.WithGridOpts(opts.Grid{ContainLabel: opts.Bool(true), Bottom: "90"}),
	)...)
	var labels []string
	for _, r := range c.Rounds {
		labels = append(labels, r.Round.Label)
	}
	line.SetXAxis(labels)
	for _, s := range c.Strands {
		data := make([]opts.LineData, len(c.Rounds))
		for i := range c.Rounds {
			data[i] = opts.LineData{Value: c.value(s.Figures[i])}
		}
		line.AddSeries(s.Section.Title, data)
	}
	return chartJSON(line, func(o map[string]any) error {
		// The levels' names on the value axis, not numbers alone.
		o["yAxis"] = []any{c.levelAxis()}
		return eachSeries(o, func(i int, s map[string]any) {
			s["symbol"] = lineSymbols[i%len(lineSymbols)]
			s["symbolSize"] = 9
			s["lineStyle"] = map[string]any{"type": lineTypes[i%len(lineTypes)], "width": 2}
		})
	})
}

// DistributionChart is the answers to each statement of one strand as
// 100% stacked bars, one bar per statement and shown round, one segment
// per answer (Don't know and Not applicable included). Segments differ by
// decal pattern as well as colour.
func (c *Comparison) DistributionChart(section int) ([]byte, error) {
	sd := c.Sections[section]
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(commonOptions(fmt.Sprintf("Stacked bar chart of the share of each answer to each statement of %s, by round. The same figures are in the table that follows.", sd.Section.Title)),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "Percentage of answers", NameLocation: "middle", NameGap: 30, Min: 0, Max: 100}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Interval: "0", Color: textColour}}),
		charts.WithGridOpts(opts.Grid{ContainLabel: opts.Bool(true), Left: "10", Right: "20", Bottom: "70"}),
	)...)
	var names []string
	type bar1 struct{ row, round int }
	var bars []bar1
	for ri, row := range sd.Rows {
		for i, r := range c.Rounds {
			if r.Suppressed {
				continue
			}
			name := wrap(row.Statement.Text, 40)
			if len(c.Rounds) > 1 {
				name += " (" + r.Round.Label + ")"
			}
			names = append(names, name)
			bars = append(bars, bar1{ri, i})
		}
	}
	bar.SetXAxis(names).XYReversal()
	for j, v := range sd.Values {
		data := make([]opts.BarData, len(bars))
		for k, b := range bars {
			counts := sd.Rows[b.row].Rounds[b.round].exact // percentages from exact counts
			total := 0
			for _, n := range counts {
				total += n
			}
			if total == 0 {
				data[k] = opts.BarData{Value: "-"}
				continue
			}
			data[k] = opts.BarData{Value: round2(100 * float64(counts[j]) / float64(total))}
		}
		bar.AddSeries(sd.ValueLabel(v), data, charts.WithBarChartOpts(opts.BarChart{Stack: "answers"}))
	}
	return chartJSON(bar, nil)
}

// SharesChart is the share of ratings at or above a level, per strand, as
// grouped bars, one bar per shown round.
func (c *Comparison) SharesChart(rows []ShareRow, label string) ([]byte, error) {
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(commonOptions("Bar chart of the percentage of ratings "+label+" in each strand by round. The same figures are in the table that follows."),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "Percentage of ratings", NameLocation: "middle", NameGap: 30, Min: 0, Max: 100}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Interval: "0", Color: textColour}}),
		charts.WithGridOpts(opts.Grid{ContainLabel: opts.Bool(true), Left: "10", Right: "20", Bottom: "60"}),
	)...)
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = r.Section.Title
	}
	bar.SetXAxis(names).XYReversal()
	for _, ri := range c.shownRounds() {
		data := make([]opts.BarData, len(rows))
		for i, r := range rows {
			if r.Rounds[ri].Scored == 0 {
				data[i] = opts.BarData{Value: "-"}
			} else {
				data[i] = opts.BarData{Value: round2(r.Rounds[ri].Percent())}
			}
		}
		bar.AddSeries(c.Rounds[ri].Round.Label, data)
	}
	return chartJSON(bar, nil)
}

// HeatmapChart is a breakdown as a heatmap: strands across, groups down,
// each cell's mean written in it (so no figure depends on colour alone).
// Hidden groups and cells with no ratings are left empty.
func (b *Breakdown) HeatmapChart(min, max int) ([]byte, error) {
	hm := charts.NewHeatMap()
	var xs, ys []string
	for _, s := range b.Strands {
		xs = append(xs, wrap(s.Title, 14))
	}
	var data []opts.HeatMapData
	for y, g := range b.Groups {
		ys = append(ys, g.Label)
		if g.Hidden {
			continue
		}
		for x, f := range g.Means {
			if f.exact > 0 {
				data = append(data, opts.HeatMapData{Value: [3]any{x, y, round2(f.Mean)}})
			}
		}
	}
	hm.SetGlobalOptions(
		charts.WithAnimation(false),
		charts.WithAriaOpts(&opts.Aria{Enabled: opts.Bool(true), Label: &opts.AriaLabel{Enabled: opts.Bool(true),
			Description: "Heatmap of the mean rating of each strand for each group. Groups with too few responses are empty. The same figures are in the table that follows."}}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: xs, AxisLabel: &opts.AxisLabel{Interval: "0", Color: textColour}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: ys, Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Interval: "0", Color: textColour}}),
		charts.WithVisualMapOpts(opts.VisualMap{Calculable: opts.Bool(true), Min: float32(min), Max: float32(max), Orient: "horizontal", Left: "center", Bottom: "0",
			InRange: &opts.VisualMapInRange{Color: []string{"#f3f2f1", "#5694ca", "#003078"}}}),
		charts.WithGridOpts(opts.Grid{ContainLabel: opts.Bool(true), Bottom: "60"}),
	)
	hm.AddSeries("Mean rating", data, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Color: textColour}))
	return chartJSON(hm, func(o map[string]any) error {
		// Labels with a light halo stay readable on dark and light cells.
		return eachSeries(o, func(_ int, s map[string]any) {
			s["label"] = map[string]any{"show": true, "color": textColour, "textBorderColor": "#ffffff", "textBorderWidth": 3}
		})
	})
}

// eachSeries calls fn on each series of chart options, as a map, to set
// options go-echarts has no field for.
func eachSeries(o map[string]any, fn func(int, map[string]any)) error {
	var list []any
	if err := roundTrip(o["series"], &list); err != nil {
		return err
	}
	for i, s := range list {
		if m, ok := s.(map[string]any); ok {
			fn(i, m)
		}
	}
	o["series"] = list
	return nil
}
