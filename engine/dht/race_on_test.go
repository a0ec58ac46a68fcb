//go:build race

package dht

// raceEnabled is true when the tests run under the race detector, which
// makes every node several times slower: the simulated network shrinks.
const raceEnabled = true
