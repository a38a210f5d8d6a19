package ui

import "charm.land/bubbles/v2/key"

// KeyMap is every key binding of the UI, defined once: Update matches keys
// against it and the help is generated from it, so the two cannot drift.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding

	Fold, Unfold, FoldDepth, UnfoldAll key.Binding

	SwitchPane key.Binding

	Search, NextMatch, PrevMatch, Filter, Clear key.Binding

	NextNS, PrevNS, OnlyNS, NSList, LevelUp, LevelDown, Choose key.Binding

	Spawn, SpawnNested, EndSandbox key.Binding

	Refresh, Slower, Faster, TogglePIDs key.Binding

	Help, Quit key.Binding

	// Accept and Cancel end a prompt (search or spawn command).
	Accept, Cancel key.Binding
}

// DefaultKeyMap returns the UI's key bindings.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:       b("↑/k", "up", "up", "k"),
		Down:     b("↓/j", "down", "down", "j"),
		PageUp:   b("pgup", "page up", "pgup", "ctrl+b"),
		PageDown: b("pgdn", "page down", "pgdown", "ctrl+f", "space"),
		Top:      b("home/g", "top", "home", "g"),
		Bottom:   b("end/G", "bottom", "end", "G"),

		Fold:      b("←/h", "fold / parent", "left", "h"),
		Unfold:    b("→/l", "unfold / child", "right", "l"),
		FoldDepth: b("1-9", "fold below depth", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
		UnfoldAll: b("0", "unfold all", "0"),

		SwitchPane: b("tab", "switch pane", "tab", "shift+tab"),

		Search:    b("/", "search", "/"),
		NextMatch: b("n", "next match", "n"),
		PrevMatch: b("N", "previous match", "N"),
		Filter:    b("f", "filter: matches only", "f"),
		Clear:     b("esc", "clear search", "esc"),

		NextNS:    b("]", "next namespace", "]"),
		PrevNS:    b("[", "previous namespace", "["),
		OnlyNS:    b("o", "only this PID ns", "o"),
		NSList:    b("v", "namespace list", "v"),
		LevelUp:   b("<", "inside: outer level", "<"),
		LevelDown: b(">", "inside: inner level", ">"),
		Choose:    b("enter", "choose namespace", "enter"),

		Spawn:       b("s", "spawn sandbox", "s"),
		SpawnNested: b("S", "spawn nested", "S"),
		EndSandbox:  b("x", "end sandbox", "x"),

		Refresh:    b("r", "refresh", "r"),
		Slower:     b("+", "slower refresh", "+", "="),
		Faster:     b("-", "faster refresh", "-"),
		TogglePIDs: b("p", "toggle PIDs", "p"),

		Help: b("?", "help", "?"),
		Quit: b("q", "quit", "q", "ctrl+c"),

		Accept: b("enter", "accept", "enter"),
		Cancel: b("esc", "cancel", "esc"),
	}
}

// ShortHelp is the footer's one line of help.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.Quit, k.SwitchPane, k.Search, k.Spawn, k.EndSandbox, k.NSList, k.LevelUp, k.NextNS, k.Fold, k.Unfold}
}

// FullHelp is the help screen, in columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.SwitchPane},
		{k.Fold, k.Unfold, k.FoldDepth, k.UnfoldAll, k.NextNS, k.PrevNS, k.OnlyNS},
		{k.Search, k.NextMatch, k.PrevMatch, k.Filter, k.Clear, k.NSList, k.Choose},
		{k.LevelUp, k.LevelDown, k.Spawn, k.SpawnNested, k.EndSandbox},
		{k.Refresh, k.Slower, k.Faster, k.TogglePIDs, k.Help, k.Quit},
	}
}
