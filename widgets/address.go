package widgets

import "strings"

// normalizeOnion lowercases an onion address, trims white space and drops a
// trailing ".onion", so that every spelling of one address compares equal.
func normalizeOnion(addr string) string {
	a := strings.ToLower(strings.TrimSpace(addr))
	return strings.TrimSuffix(a, ".onion")
}

// groupOnion splits an address (without ".onion") into blocks of eight
// characters, easy to read aloud and compare.
func groupOnion(addr string) []string {
	var blocks []string
	r := []rune(addr)
	for len(r) > 8 {
		blocks = append(blocks, string(r[:8]))
		r = r[8:]
	}
	if len(r) > 0 {
		blocks = append(blocks, string(r))
	}
	return blocks
}
