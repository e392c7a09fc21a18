package widgets

import "testing"

func TestEstimatePassword(t *testing.T) {
	tests := []struct {
		pw   string
		want Strength
	}{
		{"", StrengthVeryWeak},
		{"password", StrengthVeryWeak},
		{"Password", StrengthVeryWeak},
		{"P@ssw0rd", StrengthVeryWeak},
		{"Summer2024!", StrengthVeryWeak},
		{"qwerty", StrengthVeryWeak},
		{"123456", StrengthVeryWeak},
		{"aaaaaaaaaaaaaaaa", StrengthVeryWeak},
		{"abcdefghijkl", StrengthVeryWeak},
		{"qwertyuiopasdfgh", StrengthVeryWeak},
		{"x7#Kq", StrengthWeak},             // random but far too short
		{"mypassword123", StrengthVeryWeak}, // a common password inside
		{"bluecar77", StrengthWeak},
		{"Tr0ub4dor&3", StrengthStrong},
		{"horse battery", StrengthFair},
		{"correct horse battery staple", StrengthVeryStrong},
		{"vJ8#qL2!mZ5@wR", StrengthVeryStrong},
		{"Gärtner Straße Früh", StrengthVeryStrong},
	}
	for _, tt := range tests {
		t.Run(tt.pw, func(t *testing.T) {
			e := EstimatePassword(tt.pw)
			if e.Strength != tt.want {
				t.Errorf("EstimatePassword(%q) = %v (%.0f bits, hint %q), want %v",
					tt.pw, e.Strength, e.Bits, e.Hint, tt.want)
			}
			if e.Strength < StrengthStrong && tt.pw != "" && e.Hint == "" {
				t.Errorf("EstimatePassword(%q): no hint for a %v password", tt.pw, e.Strength)
			}
		})
	}
}

func TestEstimatePasswordMonotoneInLength(t *testing.T) {
	// Appending random characters never makes a password weaker.
	pw := ""
	prev := StrengthVeryWeak
	for _, r := range "k9Tz#mQ2vL7!xR4p" {
		pw += string(r)
		s := EstimatePassword(pw).Strength
		if s < prev {
			t.Fatalf("%q rated %v, shorter prefix rated %v", pw, s, prev)
		}
		prev = s
	}
}

func TestCommonPasswordListSize(t *testing.T) {
	if n := len(commonPasswords); n < 90 || n > 130 {
		t.Errorf("common list has %d entries, want about 100", n)
	}
}
