package report

import (
	"bytes"
	"fmt"
	"strconv"

	"codeberg.org/go-pdf/fpdf"
	"github.com/go-analyze/charts"
)

// Trend is one metric's figures over consecutive periods, oldest first;
// a nil value is a period without data.
type Trend struct {
	Name, Unit string
	Periods    []string
	Values     []*float64
	Statuses   []string
	// Rated are the periods the review rates; empty in packs from
	// snapshots signed before they were recorded (the last period then).
	Rated []string
	// Pending, when no period is rated, is the period not complete yet.
	Pending string
}

// figureOf writes a figure with its unit as people read it: "95.45 %",
// "12 days", a count as the bare number.
func figureOf(v *float64, unit string) string {
	if v == nil {
		return "no data"
	}
	s := strconv.FormatFloat(*v, 'f', -1, 64)
	switch unit {
	case "%", "percent":
		return s + " %"
	case "days":
		return s + " days"
	case "", "count":
		return s
	}
	return s + " " + unit
}

// trendPNG draws a small line chart of a trend as PNG, n pixels wider than
// the base width: fpdf orders images only by width when it sorts its
// catalogue, so equal widths would come out in map order and the same
// pack would not give the same bytes.
func trendPNG(t Trend, n int) ([]byte, error) {
	vals := make([]float64, len(t.Values))
	for i, v := range t.Values {
		if v == nil {
			vals[i] = charts.GetNullValue()
		} else {
			vals[i] = *v
		}
	}
	opt := charts.NewLineChartOptionWithData([][]float64{vals})
	opt.XAxis.Labels = shortPeriods(t.Periods)
	opt.Symbol.Shape = charts.SymbolCircle
	opt.LineStrokeWidth = 2
	opt.Padding = charts.Box{Top: 12, Left: 6, Right: 14, Bottom: 6}
	opt.Legend.Show = charts.Ptr(false)
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: charts.ChartOutputPNG, Width: 420 + n, Height: 210})
	if err := p.LineChart(opt); err != nil {
		return nil, err
	}
	return p.Bytes()
}

// trendGrid places the trends' charts in three columns, each with its
// name and latest figure above it.
func trendGrid(pdf *fpdf.Fpdf, trends []Trend) error {
	if len(trends) == 0 {
		return nil
	}
	heading(pdf, "Trends over six periods")
	width, _ := pdf.GetPageSize()
	l, _, r, _ := pdf.GetMargins()
	colW := (width - l - r) / 3
	chartH := colW / 2
	for i, t := range trends {
		col := i % 3
		if col == 0 && i > 0 {
			pdf.SetY(pdf.GetY() + chartH + 11)
		}
		if col == 0 && remaining(pdf) < chartH+12 {
			pdf.AddPage()
		}
		x, y := l+float64(col)*colW, pdf.GetY()
		name := fmt.Sprintf("trend-%d", i)
		if hasData(t) {
			png, err := trendPNG(t, i)
			if err != nil {
				return fmt.Errorf("chart %s: %w", t.Name, err)
			}
			pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
		}
		pdf.SetXY(x, y)
		// The caption names the chart's last period, the one it ends on.
		caption := "no period"
		status := ""
		if n := len(t.Values); n > 0 {
			caption = longPeriod(t.Periods[n-1]) + ": " + figureOf(t.Values[n-1], t.Unit)
			status = t.Statuses[n-1]
			if t.Values[n-1] != nil {
				caption += " · " + statusWord(status)
			}
		}
		pdf.SetFont("sans", "B", 7)
		names := Wrap(pdf, t.Name, colW-4)
		if len(names) > 2 { // a long name in a smaller size, still whole
			pdf.SetFont("sans", "B", 6)
			names = Wrap(pdf, t.Name, colW-4)
		}
		for _, line := range names {
			pdf.SetX(x)
			pdf.CellFormat(colW-2, 3.3, line, "", 2, "L", false, 0, "")
		}
		pdf.SetX(x)
		pdf.SetFont("sans", "", 7)
		if c, ok := colours[status]; ok && status != "yellow" && status != "grey" {
			pdf.SetTextColor(c[0], c[1], c[2])
		}
		pdf.CellFormat(colW-2, 3.5, caption, "", 0, "L", false, 0, "")
		setColour(pdf, ink)
		if hasData(t) {
			pdf.ImageOptions(name, x, y+3.8+3.3*float64(max(len(names), 2)), colW-3, chartH-2, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		} else {
			pdf.SetXY(x, y+14)
			pdf.SetFont("sans", "", 7)
			setColour(pdf, muted)
			pdf.CellFormat(colW-4, 3.5, "No data in these periods.", "", 0, "L", false, 0, "")
			setColour(pdf, ink)
		}
		pdf.SetXY(l, y)
	}
	pdf.SetY(pdf.GetY() + chartH + 12)
	return nil
}

func hasData(t Trend) bool {
	for _, v := range t.Values {
		if v != nil {
			return true
		}
	}
	return false
}

// shortPeriods labels periods briefly so the axis stays readable: a month
// by its abbreviation ("Apr"), a quarter by its number ("Q2").
func shortPeriods(ps []string) []string {
	months := []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p
		if len(p) == 7 && p[4] == '-' {
			if p[5] == 'Q' {
				out[i] = p[5:]
			} else if m, err := strconv.Atoi(p[5:]); err == nil && m >= 1 && m <= 12 {
				out[i] = months[m-1]
			}
		}
	}
	return out
}
