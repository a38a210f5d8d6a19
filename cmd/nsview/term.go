package main

import (
	"os"
	"strconv"
	"strings"
)

// envColumns is $COLUMNS when it is a positive number, else 80.
func envColumns() int {
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 80
}

// utf8Locale reports whether the locale's character set is UTF-8 (the
// first of LC_ALL, LC_CTYPE and LANG that is set decides), which is when
// util-linux draws trees with box-drawing characters.
func utf8Locale() bool {
	for _, v := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if s := os.Getenv(v); s != "" {
			s = strings.ToLower(s)
			return strings.Contains(s, "utf-8") || strings.Contains(s, "utf8")
		}
	}
	return false
}

// colorWanted reports whether to color output written to a terminal:
// not when NO_COLOR is set (https://no-color.org) or TERM is dumb.
func colorWanted(isTerm bool) bool {
	if !isTerm {
		return false
	}
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		return false
	}
	return os.Getenv("TERM") != "dumb"
}
