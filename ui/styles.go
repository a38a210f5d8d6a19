package ui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// Styles is every style the UI draws with, defined once. Each meaning that
// matters (selection, a search match, a new or a vanished process, a
// namespace boundary) also has an attribute besides its color (reverse,
// underline, bold, faint, strikethrough), so that with NO_COLOR, where the
// renderer drops colors, the UI stays usable in monochrome.
type Styles struct {
	Header, HeaderKey, Warn, Error, Status lipgloss.Style

	Title, TitleFocused, Divider, Rule lipgloss.Style

	// Guide draws the tree's lines; PID a PID, Inner the PID inside.
	Guide, Name, PID, Inner, Arrow lipgloss.Style

	// Selected marks the selected row of the focused pane, SelectedBlur
	// the other pane's.
	Selected, SelectedBlur lipgloss.Style

	Match, New, Gone, Folded, Mark, Note lipgloss.Style

	// Label, Own, Shared and Unknown are the details pane's.
	Label, Own, Shared, Unknown lipgloss.Style

	// NS colors the PID namespaces, in order of first appearance; the
	// caller's own is drawn in the terminal's default color.
	NS []color.Color

	Help  help.Styles
	Input textinput.Styles
}

// NewStyles returns the styles for a dark or a light terminal background.
func NewStyles(isDark bool) Styles {
	ld := lipgloss.LightDark(isDark)
	c := lipgloss.Color
	dim := ld(c("#8a8a8a"), c("#808080"))
	faint := ld(c("#b0b0b0"), c("#5a5a5a"))
	accent := ld(c("#005fd7"), c("#5fafff"))
	s := Styles{
		Header:    lipgloss.NewStyle().Bold(true).Foreground(ld(c("#ffffff"), c("#000000"))).Background(accent),
		HeaderKey: lipgloss.NewStyle().Foreground(ld(c("#ffffff"), c("#000000"))).Background(accent),
		Warn:      lipgloss.NewStyle().Bold(true).Foreground(ld(c("#af5f00"), c("#ffaf00"))),
		Error:     lipgloss.NewStyle().Bold(true).Foreground(ld(c("#d70000"), c("#ff5f5f"))),
		Status:    lipgloss.NewStyle().Foreground(accent),

		Title:        lipgloss.NewStyle().Foreground(dim),
		TitleFocused: lipgloss.NewStyle().Bold(true).Foreground(accent),
		Divider:      lipgloss.NewStyle().Foreground(faint),
		Rule:         lipgloss.NewStyle().Foreground(faint),

		Guide: lipgloss.NewStyle().Foreground(faint),
		Name:  lipgloss.NewStyle(),
		PID:   lipgloss.NewStyle().Foreground(dim),
		Inner: lipgloss.NewStyle().Bold(true),
		Arrow: lipgloss.NewStyle().Foreground(dim),

		Selected:     lipgloss.NewStyle().Reverse(true).Bold(true),
		SelectedBlur: lipgloss.NewStyle().Reverse(true),

		Match:  lipgloss.NewStyle().Underline(true),
		New:    lipgloss.NewStyle().Bold(true).Foreground(ld(c("#008700"), c("#87ff87"))),
		Gone:   lipgloss.NewStyle().Faint(true).Strikethrough(true),
		Folded: lipgloss.NewStyle().Foreground(dim),
		Mark:   lipgloss.NewStyle().Bold(true),
		Note:   lipgloss.NewStyle().Italic(true).Foreground(dim),

		Label:   lipgloss.NewStyle().Foreground(dim),
		Own:     lipgloss.NewStyle().Bold(true),
		Shared:  lipgloss.NewStyle().Foreground(dim),
		Unknown: lipgloss.NewStyle().Foreground(faint),

		NS: []color.Color{
			ld(c("#0060c0"), c("#61afef")), // blue
			ld(c("#a05a00"), c("#e5c07b")), // yellow
			ld(c("#2e7d32"), c("#98c379")), // green
			ld(c("#8e24aa"), c("#c678dd")), // magenta
			ld(c("#00838f"), c("#56b6c2")), // cyan
			ld(c("#c62828"), c("#e06c75")), // red
			ld(c("#6d4c41"), c("#d19a66")), // orange
			ld(c("#3949ab"), c("#a9b1ff")), // indigo
		},
		Help:  help.DefaultStyles(isDark),
		Input: textinput.DefaultStyles(isDark),
	}
	s.Help.ShortKey = s.Help.ShortKey.Bold(true)
	s.Help.FullKey = s.Help.FullKey.Bold(true)
	s.Input.Cursor.Blink = false
	return s
}

// nsStyle returns the style of a PID namespace's palette slot; slot < 0 is
// the default color.
func (s *Styles) nsStyle(slot int) lipgloss.Style {
	if slot < 0 || len(s.NS) == 0 {
		return s.Name
	}
	return s.Name.Foreground(s.NS[slot%len(s.NS)])
}
