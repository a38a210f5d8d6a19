//go:build race

package ui

// raceEnabled says the tests run under the race detector, which makes
// encoding/json some ten times slower.
const raceEnabled = true
