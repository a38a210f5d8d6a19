package population

import (
	"fmt"
	"strconv"
	"strings"
)

// Levels is the default depth of the namespace chain.
const Levels = 4

// perLevelOverhead is what each level costs besides its idle children: the
// unshare process that created it and its init.
const perLevelOverhead = 2

// Plan is how many idle children each level's init holds. Levels are
// numbered from 1 (the outermost new PID namespace).
type Plan []int

// NewPlan spreads a population of n processes in total (the unshare
// processes and inits included) over the given number of levels, as evenly
// as it can, outer levels taking the remainder.
func NewPlan(n, levels int) (Plan, error) {
	if levels < 1 || levels > 31 {
		return nil, fmt.Errorf("levels %d: want 1 to 31 (the kernel nests 32 PID namespaces)", levels)
	}
	idle := n - levels*perLevelOverhead
	if idle < 0 {
		return nil, fmt.Errorf("population of %d: want at least %d (an unshare and an init per level)", n, levels*perLevelOverhead)
	}
	p := make(Plan, levels)
	for i := range p {
		p[i] = idle / levels
		if i < idle%levels {
			p[i]++
		}
	}
	return p, nil
}

// Total is the number of processes the plan starts.
func (p Plan) Total() int {
	n := len(p) * perLevelOverhead
	for _, k := range p {
		n += k
	}
	return n
}

// String encodes the plan for the init's command line: "2498,2498,2497,2497".
func (p Plan) String() string {
	s := make([]string, len(p))
	for i, k := range p {
		s[i] = strconv.Itoa(k)
	}
	return strings.Join(s, ",")
}

// ParsePlan decodes what String wrote.
func ParsePlan(s string) (Plan, error) {
	parts := strings.Split(s, ",")
	p := make(Plan, len(parts))
	for i, f := range parts {
		k, err := strconv.Atoi(f)
		if err != nil || k < 0 {
			return nil, fmt.Errorf("plan %q: bad count %q", s, f)
		}
		p[i] = k
	}
	return p, nil
}
