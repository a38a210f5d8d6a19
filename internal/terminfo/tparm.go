package terminfo

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrTparm is wrapped by Tparm for a string it cannot evaluate.
var ErrTparm = errors.New("bad parameterized string")

// Tparm evaluates a terminfo parameterized string with integer parameters
// (terminfo(5) "Parameterized Strings"): %p push, %d %o %x %X %c %s
// output (with printf flags), %{n} %'c' constants, arithmetic, logic and
// comparison operators, %i, %P/%g variables, %l and %?..%t..%e..%; .
func Tparm(s string, params ...int) (string, error) {
	var p [9]int
	copy(p[:], params)
	var (
		out   strings.Builder
		stack []int
		vars  [52]int
	)
	pop := func() int {
		if len(stack) == 0 {
			return 0 // ncurses pops 0 from an empty stack
		}
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		return v
	}
	push := func(v int) { stack = append(stack, v) }
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			out.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			return "", fmt.Errorf("%w: trailing %%", ErrTparm)
		}
		c = s[i]
		switch c {
		case '%':
			out.WriteByte('%')
		case 'c':
			out.WriteByte(byte(pop()))
		case 's':
			out.WriteString(strconv.Itoa(pop()))
		case 'p':
			i++
			if i >= len(s) || s[i] < '1' || s[i] > '9' {
				return "", fmt.Errorf("%w: %%p without 1-9", ErrTparm)
			}
			push(p[s[i]-'1'])
		case 'P', 'g':
			i++
			if i >= len(s) {
				return "", fmt.Errorf("%w: %%%c without a variable", ErrTparm, c)
			}
			v := s[i]
			var k int
			switch {
			case v >= 'a' && v <= 'z':
				k = int(v - 'a')
			case v >= 'A' && v <= 'Z':
				k = 26 + int(v-'A')
			default:
				return "", fmt.Errorf("%w: variable %q", ErrTparm, v)
			}
			if c == 'P' {
				vars[k] = pop()
			} else {
				push(vars[k])
			}
		case '\'':
			if i+2 >= len(s) || s[i+2] != '\'' {
				return "", fmt.Errorf("%w: bad %%'c'", ErrTparm)
			}
			push(int(s[i+1]))
			i += 2
		case '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("%w: unterminated %%{", ErrTparm)
			}
			n, err := strconv.Atoi(s[i+1 : i+end])
			if err != nil {
				return "", fmt.Errorf("%w: %%{%s}", ErrTparm, s[i+1:i+end])
			}
			push(n)
			i += end
		case 'l':
			push(len(strconv.Itoa(pop())))
		case '+', '-', '*', '/', 'm', '&', '|', '^', '=', '>', '<', 'A', 'O':
			y, x := pop(), pop()
			switch c {
			case '+':
				push(x + y)
			case '-':
				push(x - y)
			case '*':
				push(x * y)
			case '/':
				if y == 0 {
					push(0)
				} else {
					push(x / y)
				}
			case 'm':
				if y == 0 {
					push(0)
				} else {
					push(x % y)
				}
			case '&':
				push(x & y)
			case '|':
				push(x | y)
			case '^':
				push(x ^ y)
			case '=':
				push(b2i(x == y))
			case '>':
				push(b2i(x > y))
			case '<':
				push(b2i(x < y))
			case 'A':
				push(b2i(x != 0 && y != 0))
			case 'O':
				push(b2i(x != 0 || y != 0))
			}
		case '!':
			push(b2i(pop() == 0))
		case '~':
			push(^pop())
		case 'i':
			p[0]++
			p[1]++
		case '?', ';':
		case 't':
			if pop() == 0 {
				// Skip to the matching %e (and evaluate what follows
				// it) or %;.
				i = skipCond(s, i+1, true)
			}
		case 'e':
			// The end of a branch taken: skip to the matching %;.
			i = skipCond(s, i+1, false)
		default:
			// A printf-style conversion: %[[:]flags][width[.precision]][doxXs].
			j := i
			if s[j] == ':' {
				j++
			}
			for j < len(s) && strings.IndexByte("-+# 0123456789.", s[j]) >= 0 {
				j++
			}
			if j >= len(s) || strings.IndexByte("doxXs", s[j]) < 0 {
				return "", fmt.Errorf("%w: %%%s", ErrTparm, s[i:min(j+1, len(s))])
			}
			spec := strings.TrimPrefix(s[i:j], ":")
			// No terminal needs a field wider than two digits; a
			// wider one turns a few bytes of a hostile entry into
			// megabytes of output.
			width, prec, _ := strings.Cut(strings.TrimLeft(spec, "-+# 0"), ".")
			if len(width) > 2 || len(prec) > 2 {
				return "", fmt.Errorf("%w: field width %%%s", ErrTparm, s[i:j+1])
			}
			if s[j] == 's' {
				fmt.Fprintf(&out, "%"+spec+"s", strconv.Itoa(pop()))
			} else {
				fmt.Fprintf(&out, "%"+spec+string(s[j]), pop())
			}
			i = j
		}
	}
	return out.String(), nil
}

// skipCond returns the index of the last byte of the %e (when elseToo) or
// %; that ends the current branch at this nesting level, starting at i.
func skipCond(s string, i int, elseToo bool) int {
	depth := 0
	for ; i < len(s); i++ {
		if s[i] != '%' || i+1 >= len(s) {
			continue
		}
		i++
		switch s[i] {
		case '?':
			depth++
		case ';':
			if depth == 0 {
				return i
			}
			depth--
		case 'e':
			if depth == 0 && elseToo {
				return i
			}
		}
	}
	return len(s)
}
