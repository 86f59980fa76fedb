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
	heading(pdf, "Trends")
	width, _ := pdf.GetPageSize()
	l, _, r, _ := pdf.GetMargins()
	colW := (width - l - r) / 3
	chartH := colW / 2
	for i, t := range trends {
		col := i % 3
		if col == 0 && i > 0 {
			pdf.SetY(pdf.GetY() + chartH + 7)
		}
		x, y := l+float64(col)*colW, pdf.GetY()
		png, err := trendPNG(t, i)
		if err != nil {
			return fmt.Errorf("chart %s: %w", t.Name, err)
		}
		name := fmt.Sprintf("trend-%d", i)
		pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
		pdf.SetXY(x, y)
		last := "no data"
		status := ""
		if n := len(t.Values); n > 0 {
			if v := t.Values[n-1]; v != nil {
				last = strconv.FormatFloat(*v, 'f', -1, 64) + " " + t.Unit
			}
			status = t.Statuses[n-1]
		}
		pdf.SetFont("sans", "B", 7)
		pdf.CellFormat(colW-2, 3.5, fit(pdf, t.Name, colW-2), "", 2, "L", false, 0, "")
		pdf.SetFont("sans", "", 7)
		if c, ok := colours[status]; ok {
			pdf.SetTextColor(c[0], c[1], c[2])
		}
		pdf.CellFormat(colW-2, 3.5, last+" "+status, "", 0, "L", false, 0, "")
		pdf.SetTextColor(29, 35, 48)
		pdf.ImageOptions(name, x, y+7.5, colW-3, chartH-2, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		pdf.SetXY(l, y)
	}
	pdf.SetY(pdf.GetY() + chartH + 8)
	return nil
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
