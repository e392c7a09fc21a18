package profile

import (
	"testing"
	"time"
)

// BenchmarkUnlock unlocks (and closes) a profile at the production
// Argon2id parameters.
func BenchmarkUnlock(b *testing.B) {
	dir, opts := benchProfile(b)
	start := time.Now()
	for range b.N {
		p, err := Unlock(dir, "correct horse", opts)
		if err != nil {
			b.Fatal(err)
		}
		p.Close()
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "ms/op")
}

// BenchmarkWrongPassword is the cost of refusing a wrong password.
func BenchmarkWrongPassword(b *testing.B) {
	dir, opts := benchProfile(b)
	start := time.Now()
	for range b.N {
		if _, err := Unlock(dir, "wrong", opts); err != ErrWrongPassword {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "ms/op")
}

// BenchmarkEmptyPasswordRefused is the cost of trying the empty password
// on a profile whose header says it has one (as the app does at start):
// the flag refuses it without a key derivation.
func BenchmarkEmptyPasswordRefused(b *testing.B) {
	dir, opts := benchProfile(b)
	for range b.N {
		if _, err := Unlock(dir, "", opts); err != ErrWrongPassword {
			b.Fatal(err)
		}
	}
}

// benchProfile creates a profile with the password "correct horse" at the
// production Argon2id parameters, closes it, and resets b's timer: it
// returns the profile's folder and the options to unlock it with.
func benchProfile(b *testing.B) (string, Options) {
	b.Helper()
	opts := Options{KDF: DefaultParams, NoSync: true}
	p, err := Create(b.TempDir(), "bench", "correct horse", opts)
	if err != nil {
		b.Fatal(err)
	}
	dir := p.Info().Dir
	p.Close()
	b.ResetTimer()
	return dir, opts
}
