//go:build race

package groupserver

const raceEnabled = true
