//go:build !race

package tree

// raceEnabled says the tests run under the race detector.
const raceEnabled = false
