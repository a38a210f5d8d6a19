//go:build !race

package nsls

// raceEnabled says the tests run under the race detector.
const raceEnabled = false
