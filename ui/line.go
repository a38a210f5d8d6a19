package ui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// seg is a run of plain (already escaped) text in one style.
type seg struct {
	text  string
	style lipgloss.Style
}

// line builds one screen line of exactly a given width from styled
// segments: text past the width is cut with "…", the rest padded. Widths
// are measured on the plain text, before styling.
type line struct{ segs []seg }

func (l *line) add(text string, st lipgloss.Style) { l.segs = append(l.segs, seg{text, st}) }

func (l *line) reset() { l.segs = l.segs[:0] }

// width returns the plain width of the line.
func (l *line) width() int {
	w := 0
	for _, s := range l.segs {
		w += ansi.StringWidth(s.text)
	}
	return w
}

// render draws the line in width cells. With over set (a selected row),
// every segment and the padding also get over's attributes.
func (l *line) render(width int, over *lipgloss.Style) string {
	var b strings.Builder
	left := width
	for _, s := range l.segs {
		if left <= 0 {
			break
		}
		t := s.text
		w := ansi.StringWidth(t)
		if w > left {
			t = ansi.Truncate(t, left, "…")
			w = ansi.StringWidth(t)
			left = 0
		} else {
			left -= w
		}
		if t == "" {
			continue
		}
		b.WriteString(apply(s.style, over).Render(t))
	}
	if left > 0 {
		pad := strings.Repeat(" ", left)
		if over != nil {
			b.WriteString(over.Render(pad))
		} else {
			b.WriteString(pad)
		}
	}
	return b.String()
}

// apply adds the overlay's reverse and bold attributes to st.
func apply(st lipgloss.Style, over *lipgloss.Style) lipgloss.Style {
	if over == nil {
		return st
	}
	if over.GetReverse() {
		st = st.Reverse(true)
	}
	if over.GetBold() {
		st = st.Bold(true)
	}
	return st
}

// fit cuts or pads plain text to exactly width cells.
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	w := ansi.StringWidth(s)
	if w > width {
		return ansi.Truncate(s, width, "…")
	}
	return s + strings.Repeat(" ", width-w)
}
